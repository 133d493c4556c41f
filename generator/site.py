"""Build the static site: generate pages, run MkDocs, swap the result into place.

The build happens in a temporary folder next to the output; the previous
site/ is replaced only after everything succeeded, so a failed build (an
invalid case, a MkDocs error, an interrupt) leaves it untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from .pages import write_pages
from .problems import Problem, UserError
from .project import Project
from .segment import jieba_ready, userdict_path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class BuildReport:
    cases: int
    pages: int
    seconds: float
    site_dir: Path
    warnings: list[Problem]


class _ConsoleHandler(logging.Handler):
    def __init__(self, say: Callable[[str], None]):
        super().__init__(logging.WARNING)
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        label = "MkDocs 错误" if record.levelno >= logging.ERROR else "MkDocs 警告"
        self.say(f"{label}：{record.getMessage()}")


def _progress_plugin(say: Callable[[str], None]):
    from mkdocs.plugins import BasePlugin

    class Progress(BasePlugin):
        done = 0
        total = 1
        step = 1

        def on_files(self, files, **kwargs):
            self.total = len(files.documentation_pages())
            self.step = max(1, self.total // 10)
            return files

        def on_page_markdown(self, markdown, **kwargs):
            self.done += 1
            if self.total >= 200 and (self.done % self.step == 0 or self.done == self.total):
                say(f"  渲染页面 {self.done}/{self.total}")
            return markdown

    return Progress()


def _load_mkdocs_config(project: Project, docs_dir: Path, site_dir: Path):
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    if not project.config_file.is_file():
        raise UserError(f"找不到站点配置文件 {project.config_file}")
    try:
        config = load_config(str(project.config_file), docs_dir=str(docs_dir), site_dir=str(site_dir))
    except (ConfigurationError, SystemExit) as exc:
        raise UserError(f"站点配置文件 {project.config_file} 有误：{exc}") from None
    search = config.plugins.get("material/search")
    if search is not None:
        search.config.jieba_dict_user = str(userdict_path())
    return config


def replace_dir(new: Path, target: Path) -> None:
    """Move new into target's place; the old target is removed only afterwards."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(project: Project, *, as_of: date | None = None, site_dir: Path | None = None,
               say: Callable[[str], None] = print, quiet: bool = False) -> BuildReport:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    started = time.perf_counter()
    progress = (lambda message: None) if quiet else say
    as_of = as_of or date.today()
    site_dir = Path(site_dir) if site_dir else project.site_dir
    progress(f"读取案例：{project.cases_dir}")
    cases, problems = project.load_valid()
    project.build_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tmp-build-", dir=project.build_dir))
    handler = _ConsoleHandler(say)
    mkdocs_logger = logging.getLogger("mkdocs")
    try:
        docs, site = work / "docs", work / "site"
        pages = write_pages(docs, cases, project.taxonomy(), project.content_dir, as_of, progress)
        progress(f"已生成 {pages} 个页面（{len(cases)} 件案例），开始构建网站……")
        jieba_ready()
        config = _load_mkdocs_config(project, docs, site)
        if not quiet:
            config.plugins["jiandu/progress"] = _progress_plugin(progress)
        mkdocs_logger.addHandler(handler)
        mkdocs_logger.propagate = False
        try:
            mkdocs_build(config)
        except (MkDocsException, SystemExit) as exc:
            raise UserError(f"网站构建失败：{exc}") from None
        replace_dir(site, site_dir)
        replace_dir(docs, project.build_dir / "docs")
    finally:
        mkdocs_logger.removeHandler(handler)
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    return BuildReport(cases=len(cases), pages=pages, seconds=seconds, site_dir=site_dir,
                       warnings=[p for p in problems if not p.is_error])
