"""Build the static site: generate pages, run MkDocs, swap the result into place.

The build happens in a temporary folder next to the output; the previous
site/ is replaced only after everything succeeded, so a failed build (an
invalid case, a MkDocs error, an interrupt) leaves it untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from . import PACKAGE_DIR
from .edition import INTERNAL, Edition
from .files import exclusive, replace_dir
from .pii import load_allow_list, scan_cases
from .pages import write_pages
from .register import entries_by_case
from .search import similar_for_all, update_index
from .sitesearch import T2S_DATA, search_plugin, write_t2s_data
from .problems import LibraryError, Problem, UserError
from .project import Library, Project
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
    """MkDocs warnings and errors, in Chinese, on stderr (also in quiet mode)."""

    def __init__(self):
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        label = "MkDocs 错误" if record.levelno >= logging.ERROR else "MkDocs 警告"
        print(f"{label}：{record.getMessage()}", file=sys.stderr)


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


SITE_MARKER = ".jiandu-site"
OVERRIDES_DIR = PACKAGE_DIR / "overrides"


def check_output_dir(target: Path, project: Project) -> None:
    """Refuse to replace a folder that is not a site this tool built (it would be deleted)."""
    target = target.resolve()
    protected = [project.root, project.cases_dir, project.content_dir, project.build_dir, Path.home(), Path("/")]
    for folder in protected:
        if target == folder.resolve() or target in folder.resolve().parents:
            raise UserError(f"不能把网站输出到 {target}：它是（或包含）项目目录、案例目录或页面目录，构建会覆盖其中的文件")
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / SITE_MARKER).exists())):
        raise UserError(f"输出目录 {target} 已存在且不是 jiandu 生成的网站，为避免覆盖其中的文件，拒绝构建；请换一个目录或先手动清空")


def write_compilations(project: Project, docs: Path, library: Library, cases: list, edition: Edition,
                       as_of: date) -> int:
    """A 年度汇编 page per year with its book for download (this edition's cases only).

    The downloadable book is built without the LibreOffice pass: Word fills in the contents'
    page numbers on opening; `jiandu compile --pdf` gives a book with them filled in.
    """
    from .compilation import build_book, select
    from .documents import Settings, load_settings
    from .pages import compilation_index, compilation_page

    try:
        settings = load_settings(project.root)
    except UserError:
        settings = Settings(issuer="", codes={}, printed_by="")
    years: dict[int, list] = {}
    (docs / "compilation").mkdir(parents=True, exist_ok=True)
    for year in sorted({case.year for case in cases}):
        chosen = select(cases, year, edition)
        if not chosen:
            continue
        years[year] = chosen
        title = settings.compilation_title.format(year=year)
        book, _ = build_book(cases, year=year, title=title, issuer=settings.issuer, day=as_of,
                             area_order=list(library.taxonomy.categories), edition=edition)
        name = f"{title}.docx"
        (docs / "compilation" / name).write_bytes(book)
        (docs / "compilation" / f"{year}.md").write_text(compilation_page(year, chosen, name, title), "utf-8")
    (docs / "compilation" / "index.md").write_text(compilation_index(years), "utf-8")
    return len(years) + 1


def build_site(project: Project, *, as_of: date | None = None, site_dir: Path | None = None,
               say: Callable[[str], None] = print, quiet: bool = False, edition: Edition = INTERNAL) -> BuildReport:
    started = time.perf_counter()
    progress = (lambda message: None) if quiet else say
    as_of = as_of or date.today()
    site_dir = (Path(site_dir) if site_dir else project.root / edition.site_folder).resolve()
    if not project.config_file.is_file():
        raise UserError(f"找不到站点配置文件 {project.config_file}（--root 应指向含 mkdocs.yml 的项目目录）")
    check_output_dir(site_dir, project)
    progress(f"读取案例：{project.cases_dir}")
    library = project.load_valid()
    cases = edition.select(library.cases)
    pii = scan_cases(cases, load_allow_list(project.root))
    if pii and edition.is_public:
        raise LibraryError(pii)
    with exclusive(project.build_dir / ".lock", say, "另一个构建正在进行，等待其完成……"):
        pages = _build_into(project, library, cases, edition, site_dir, as_of, progress, quiet)
    seconds = time.perf_counter() - started
    return BuildReport(cases=len(cases), pages=pages, seconds=seconds, site_dir=site_dir,
                       warnings=[p for p in library.problems if not p.is_error] + [p.as_warning() for p in pii])


def _build_into(project: Project, library: Library, cases: list, edition: Edition, site_dir: Path, as_of: date,
                progress: Callable[[str], None], quiet: bool) -> int:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    # Next to the output, so the final move is a rename on one file system.
    work = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.tmp-", dir=site_dir.parent))
    handler = _ConsoleHandler()
    mkdocs_logger = logging.getLogger("mkdocs")
    propagate = mkdocs_logger.propagate
    try:
        docs, site = work / "docs", work / "site"
        progress("更新检索索引并计算相似案例……")
        # Each edition has its own index: a public site's similar cases never see an internal case.
        index_dir = project.build_dir / edition.index_folder
        update_index(index_dir, cases, say=progress)
        similar = similar_for_all(index_dir, [case.id for case in cases])
        issued = entries_by_case(project.root)  # cases not in this edition are simply never looked up
        pages = write_pages(docs, cases, library.taxonomy, project.content_dir, as_of, progress, similar, issued)
        write_t2s_data(docs / "assets" / "javascripts" / T2S_DATA)
        pages += write_compilations(project, docs, library, cases, edition, as_of)
        progress(f"已生成 {pages} 个页面（{len(cases)} 件案例），开始构建网站……")
        jieba_ready()
        config = _load_mkdocs_config(project, docs, site)
        config.theme.dirs.insert(0, str(OVERRIDES_DIR))
        config.extra["jiandu_edition"] = edition.name
        config.extra["jiandu_edition_label"] = edition.label
        config.plugins["jiandu/search"] = search_plugin()
        if not quiet:
            config.plugins["jiandu/progress"] = _progress_plugin(progress)
        mkdocs_logger.addHandler(handler)
        mkdocs_logger.propagate = False
        try:
            mkdocs_build(config)
        except (MkDocsException, SystemExit) as exc:
            raise UserError(f"网站构建失败：{exc}") from None
        (site / SITE_MARKER).write_text("此目录由 jiandu build 生成，重新构建时会被整体替换。\n", encoding="utf-8")
        replace_dir(site, site_dir)
        shutil.rmtree(project.build_dir / edition.docs_folder, ignore_errors=True)
        shutil.move(str(docs), str(project.build_dir / edition.docs_folder))
    finally:
        mkdocs_logger.removeHandler(handler)
        mkdocs_logger.propagate = propagate
        shutil.rmtree(work, ignore_errors=True)
    return pages
