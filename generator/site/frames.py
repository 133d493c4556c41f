"""Page frames: the theme renders each kind of page once; generated pages are filled in.

MkDocs renders the hand-written pages (content/), the nav pages we generate
and one placeholder page per folder of generated pages. Each placeholder page
becomes a `Frame`: the theme's HTML with slots for the title, the table of
contents and the body. A case page is then a frame with its slots filled — no
Markdown pass and no template render per page.

The rendered frames, with the theme's assets and the hand-written pages, are
kept in build/cache/frames-<edition>/ under a key made of everything MkDocs
reads (config, content, assets, theme overrides, versions). When the key is
unchanged, a rebuild does not run MkDocs at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path, PurePosixPath
from typing import Callable

from generator import ASSETS_DIR, PACKAGE_DIR, __version__
from generator.infra.files import replace_dir
from generator.site.pages import LATEST_MARKER, Page
from generator.core.problems import UserError

CONTENT_MARK = "JIANDUCONTENTSLOT"
TITLE_MARK = "JIANDUTITLESLOT"
TOC_ANCHOR = "jiandutocslot"
TOC_TEXT = "JIANDUTOCTEXTSLOT"
_SLOT = "\x00{}\x00"
OVERRIDES_DIR = PACKAGE_DIR / "site" / "overrides"
ASSET_FILES = (("iframe-worker-shim.js", "assets/javascripts"), ("search-normalize.js", "assets/javascripts"),
               ("jiandu-search-worker.js", "assets/javascripts"), ("jiandu-facets.js", "assets/javascripts"),
               ("jiandu-search-page.js", "assets/javascripts"), ("jiandu.css", "assets/stylesheets"),
               ("jiandu-site.js", "assets/javascripts"), ("jiandu-listing.js", "assets/javascripts"))
FRAME_FORMAT = 1


@dataclass(frozen=True)
class FrameSpec:
    """A page MkDocs renders as a frame: a nav page (its real title) or a folder's placeholder."""

    source: str            # Markdown path in the docs folder, e.g. "ledger.md" or "cases/__frame__.md"
    title: str | None      # None: the title is a slot (pages outside the nav)
    toc: bool              # with a table-of-contents slot


def folder_frame(folder: str, toc: bool) -> FrameSpec:
    name = "__frame_toc__.md" if toc else "__frame__.md"
    return FrameSpec(f"{folder}/{name}" if folder else name, None, toc)


def frame_markdown(spec: FrameSpec) -> str:
    title = spec.title if spec.title is not None else TITLE_MARK
    toc = f"## {TOC_TEXT} {{#{TOC_ANCHOR}}}\n\n" if spec.toc else ""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsearch:\n  exclude: true\n---\n\n{toc}{CONTENT_MARK}\n"


class Frame:
    """Theme HTML split at its slots; fill() puts a page in."""

    def __init__(self, parts: list[str], toc_item: str = ""):
        self.parts = parts
        self.toc_item = toc_item

    @classmethod
    def from_html(cls, html: str, spec: FrameSpec | None, source: str) -> "Frame":
        toc_item = ""
        if spec is not None and spec.toc:
            html, toc_item = _cut_toc_item(html, source)
            html = re.sub(rf'<h2 id="{TOC_ANCHOR}">{TOC_TEXT}</h2>\s*', "", html, count=1)
            html = html.replace(f"#{TOC_ANCHOR}", "#" + _SLOT.format("first"))
        html, found = re.subn(rf"<p>{CONTENT_MARK}</p>", _SLOT.format("content"), html)
        if found != 1:
            raise UserError(f"页面框架 {source} 中找不到正文位置：主题模板的结构与本工具预期不同")
        html = html.replace(TITLE_MARK, _SLOT.format("title"))
        if any(mark in html for mark in (CONTENT_MARK, TITLE_MARK, TOC_TEXT, TOC_ANCHOR)):
            raise UserError(f"页面框架 {source} 中有无法识别的占位符：主题模板的结构与本工具预期不同")
        return cls([_compact(part) for part in html.split("\x00")], _compact(toc_item))

    def fill(self, page: Page) -> str:
        values = {
            "title": html_escape(page.title, quote=False),
            "content": page.body,
            "first": page.toc[0][0] if page.toc else "",
            "toc": "".join(self.toc_item.replace(TOC_ANCHOR, anchor).replace(TOC_TEXT, html_escape(text, quote=False))
                           for anchor, text in page.toc),
        }
        # parts alternate: text, slot name, text, slot name, ...
        return "".join(part if index % 2 == 0 else values[part] for index, part in enumerate(self.parts))

    def as_json(self) -> dict:
        return {"parts": self.parts, "toc_item": self.toc_item}


def _compact(html: str) -> str:
    """The theme's indentation and blank lines dropped (a third of every page): a newline stays, so
    text never runs together; the theme has no <pre> or <textarea> outside the page body."""
    return re.sub(r"\n{2,}", "\n", re.sub(r"\n[ \t]+", "\n", html))


def _cut_toc_item(html: str, source: str) -> tuple[str, str]:
    """Take the placeholder's entry out of every table of contents (the sidebar's, and the
    nav's copy under the active page), leaving a slot."""
    item = ""
    position = html.find(f'href="#{TOC_ANCHOR}"')
    while position >= 0:
        start = html.rfind("<li", 0, position)
        end = html.find("</li>", position)
        enclosed = start >= 0 and end >= 0 and "</li>" not in html[start:position] and TOC_TEXT in html[position:end]
        if not enclosed:  # a plain link to the first heading (the skip link)
            position = html.find(f'href="#{TOC_ANCHOR}"', position + 1)
            continue
        end += len("</li>")
        item = item or html[start:end]
        html = html[:start] + _SLOT.format("toc") + html[end:]
        position = html.find(f'href="#{TOC_ANCHOR}"', start)
    if not item:
        raise UserError(f"页面框架 {source} 中找不到目录：主题模板的结构与本工具预期不同")
    return html, item


@dataclass
class FrameSite:
    """The rendered theme: static files to copy, frames by Markdown source, hand-written pages to index."""

    static_dir: Path
    frames: dict[str, Frame]
    content_pages: list[dict]   # {"location", "title", "text"} of hand-written pages not excluded from search
    rendered: bool              # MkDocs ran in this build (False: taken from the cache)

    def static_files(self) -> list[str]:
        return sorted(path.relative_to(self.static_dir).as_posix()
                      for path in self.static_dir.rglob("*") if path.is_file())


SITE_MARKER = ".jiandu-site"

# --- preparing the docs folder ---------------------------------------------------------

SEARCH_SHARDS = PurePosixPath("search", "jiandu")   # every site this tool builds has its shards here
INTERNAL_PAGE_MARK = b"jiandu-edition-internal"    # the banner class on every page of an internal site


def _foreign_folders(folder: str, names: list[str]) -> list[str]:
    """Inside content/: a site this tool built (its marker, or its search shards when copied without the
    hidden marker) or a build's leftovers are never pages."""
    base = Path(folder)
    return [name for name in names if name.startswith(".") and (".tmp-" in name or ".old-" in name)
            or (base / name / SITE_MARKER).exists() or (base / name / SEARCH_SHARDS).is_dir()]


def check_public_content(content_dir: Path) -> None:
    """Before a public edition copies content/: refuse what would carry internal material into it.

    A symbolic link out of content/ (to cases/, build/, a site, anywhere) would be copied as if it were
    a hand-written page; so would a page of an internal site copied here without its marker."""
    if not content_dir.is_dir():
        return
    root = content_dir.resolve()
    found: list[str] = []
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = [name for name in dirs if name not in _foreign_folders(folder, dirs)]
        for name in sorted(dirs + files):
            path = Path(folder) / name
            shown = path.relative_to(content_dir.parent).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if target != root and root not in target.parents:
                    found.append(f"{shown} 是指向 content/ 之外（{target}）的符号链接")
            elif name in files and path.suffix.lower() in (".html", ".htm", ".js", ".json", ".xml"):
                try:
                    internal = INTERNAL_PAGE_MARK in path.read_bytes()
                except OSError:
                    continue
                if internal:
                    found.append(f"{shown} 是内部版网站的页面")
    if found:
        listed = "\n".join(f"  {line}" for line in found[:20])
        more = f"\n  ……另有 {len(found) - 20} 项" if len(found) > 20 else ""
        raise UserError(f"content/ 中有不能进入公开版的内容，公开版没有构建（原有网站保持不变）：\n{listed}{more}\n"
                        "手写页面和附件必须真实存放在 content/ 中；内部版网站的页面请移出 content/。")


def write_docs(docs: Path, content_dir: Path, specs: list[FrameSpec]) -> None:
    """What MkDocs reads: hand-written pages, frame placeholders, our assets."""
    from generator.siteindex.plugin import T2S_DATA, write_t2s_data

    if content_dir.is_dir():
        shutil.copytree(content_dir, docs, dirs_exist_ok=True, ignore=_foreign_folders)
    home = docs / "index.md"
    if home.is_file():
        text = home.read_text("utf-8")
        if LATEST_MARKER in text:
            home.write_text(text.replace(LATEST_MARKER, f"\n{CONTENT_MARK}\n"), "utf-8")
    for spec in specs:
        path = docs / spec.source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(frame_markdown(spec), "utf-8")
    for name, folder in ASSET_FILES:
        target = docs / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ASSETS_DIR / name, target)
    write_t2s_data(docs / "assets" / "javascripts" / T2S_DATA)


def frames_key(docs: Path, config_file: Path, edition_name: str, project_files: list[Path] = ()) -> str:
    """Everything MkDocs reads: config, docs, theme overrides (ours and the project's), hooks, versions."""
    from importlib.metadata import PackageNotFoundError, version

    import material
    import mkdocs

    from generator.infra.cachekey import code_key

    digest = hashlib.sha256()
    versions = []
    for package in ("markdown", "pymdown-extensions", "jinja2"):
        try:
            versions.append(version(package))
        except PackageNotFoundError:
            versions.append("")
    for part in (str(FRAME_FORMAT), __version__, mkdocs.__version__, getattr(material, "__version__", ""),
                 *versions, edition_name, config_file.read_text("utf-8")):
        digest.update(part.encode("utf-8") + b"\0")
    for folder in (docs, OVERRIDES_DIR, *project_files):
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else [folder]
        for path in files:
            if path.is_file():
                name = path.relative_to(folder) if folder.is_dir() else path.name  # docs sit in a temporary folder
                digest.update(f"{folder.name}/{name}".encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    digest.update(code_key("generator.site.frames").encode("utf-8"))  # the frame code and all it imports
    return digest.hexdigest()


def project_theme_files(config) -> list[Path]:
    """The project's own theme folders (custom_dir) and hook scripts named in mkdocs.yml."""
    installed = [Path(__import__(name).__file__).resolve().parent for name in ("material", "mkdocs")]
    found = [Path(folder) for folder in config.theme.dirs
             if not any(Path(folder).resolve() == base or base in Path(folder).resolve().parents for base in installed)]
    hooks = config.get("hooks") or {}
    found += [Path(name) for name in hooks if Path(name).is_file()]
    return found


# --- rendering and caching ---------------------------------------------------------------

class _ConsoleHandler(logging.Handler):
    """MkDocs warnings and errors, in Chinese, on stderr (also in quiet mode)."""

    def __init__(self):
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        label = "MkDocs 错误" if record.levelno >= logging.ERROR else "MkDocs 警告"
        print(f"{label}：{record.getMessage()}", file=sys.stderr)


def load_mkdocs_config(config_file: Path, docs_dir: Path, site_dir: Path):
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    from generator.text.dictionary import import_jieba

    import_jieba()  # material's search plugin imports jieba when it is installed: ours skips pkg_resources (0.2 s)
    if not config_file.is_file():
        raise UserError(f"找不到站点配置文件 {config_file}")
    try:
        return load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir))
    except (ConfigurationError, SystemExit) as exc:
        raise UserError(f"站点配置文件 {config_file} 有误：{exc}") from None


def nav_sources(config) -> set[str]:
    """Markdown paths named in the nav of the MkDocs config."""
    found: set[str] = set()

    def walk(item):
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config.get("nav") or [])
    return {PurePosixPath(path).as_posix() for path in found if path.endswith(".md")}


_ROOT_ABSOLUTE = re.compile(r'(\b(?:href|src|action)=")/(?!/)')


def relative_not_found(html: str) -> str:
    """MkDocs writes 404.html with root-absolute links (/assets/…): right only for a site at a server's root.
    The page sits at the top of the site, so the same links relative to it work from file:// and from a sub-path."""
    html = _ROOT_ABSOLUTE.sub(r"\1./", html)
    return re.sub(r'("base":\s*)"/"', r'\1"."', html)


class _RelativeNotFound:
    """A minimal MkDocs plugin: rewrites the 404 page's links after the theme rendered it."""

    def on_post_template(self, output_content: str, template_name: str, config) -> str:
        return relative_not_found(output_content) if template_name == "404.html" else output_content


def _render(config, edition, extra_plugins: dict) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    config.theme.dirs.insert(0, str(OVERRIDES_DIR))
    config.extra["jiandu_edition"] = edition.name
    config.extra["jiandu_edition_label"] = edition.label
    for name, plugin in {**extra_plugins, "jiandu/not-found": _RelativeNotFound()}.items():
        config.plugins[name] = plugin
    logger = logging.getLogger("mkdocs")
    handler, propagate = _ConsoleHandler(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        mkdocs_build(config)
    except (MkDocsException, SystemExit) as exc:
        raise UserError(f"网站构建失败：{exc}") from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def frame_site(config_file: Path, content_dir: Path, cache_root: Path, edition, specs: list[FrameSpec],
               say: Callable[[str], None], project_files: list[Path] = (), state=None) -> FrameSite:
    """The rendered frames for these specs: from the cache when nothing MkDocs reads has changed (the key of
    what it read is in the build state's record "frames-<edition>"; without a state, in frames.json)."""
    from generator.infra.buildstate import BuildState, Record
    from generator.siteindex.plugin import search_plugin

    own = state is None
    state = BuildState(cache_root) if own else state
    stage = f"frames-{edition.name}"

    cache = cache_root / f"frames-{edition.name}"
    cache_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".frames.tmp-", dir=cache_root))
    try:
        if edition.is_public:
            check_public_content(content_dir)
        docs = work / "docs"
        write_docs(docs, content_dir, specs)
        key = frames_key(docs, config_file, edition.name, project_files)
        if state.record(stage, "").meta.get("key") == key:
            cached = _load_cached(cache)
            if cached is not None:
                return cached
        say("渲染页面框架（MkDocs）……")
        site = work / "static"
        config = load_mkdocs_config(config_file, docs, site)
        collector = search_plugin()
        _render(config, edition, {"jiandu/search": collector})
        frames = _extract_frames(site, specs)
        content_pages = [page for page in collector.pages
                         if not PurePosixPath(page["location"]).name.startswith("__frame")]
        (work / "frames.json").write_text(json.dumps(
            {"frames": {name: frame.as_json() for name, frame in frames.items()},
             "content_pages": content_pages}, ensure_ascii=False), "utf-8")
        shutil.rmtree(docs)
        state.forget(stage)
        replace_dir(work, cache)
        state.update(stage, Record("", meta={"key": key}))
        if own:
            state.save()
        return FrameSite(cache / "static", frames, content_pages, rendered=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _extract_frames(site: Path, specs: list[FrameSpec]) -> dict[str, Frame]:
    frames: dict[str, Frame] = {}
    by_output = {str(PurePosixPath(spec.source).with_suffix(".html")): spec for spec in specs}
    home = site / "index.html"
    if home.is_file() and CONTENT_MARK in home.read_text("utf-8"):
        by_output.setdefault("index.html", None)
    for output, spec in by_output.items():
        path = site / output
        if not path.is_file():
            raise UserError(f"MkDocs 没有生成页面框架 {output}")
        frames[spec.source if spec else "index.md"] = Frame.from_html(path.read_text("utf-8"), spec, output)
        path.unlink()
    return frames


def _load_cached(cache: Path) -> FrameSite | None:
    try:
        data = json.loads((cache / "frames.json").read_text("utf-8"))
        if not (cache / "static").is_dir():
            return None
        frames = {name: Frame(value["parts"], value["toc_item"]) for name, value in data["frames"].items()}
        return FrameSite(cache / "static", frames, list(data["content_pages"]), rendered=False)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # damaged: render again
        return None


def link_or_copy(source: Path, target: Path, missing_ok: bool = False) -> bool:
    """Hard-link when possible (same file system): outputs are never modified in place. missing_ok: a missing
    source is not an error (False is returned)."""
    try:
        try:
            os.link(source, target)
        except FileNotFoundError:
            if not os.path.lexists(source):
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
    except FileNotFoundError:
        if missing_ok:
            return False
        raise
    except FileExistsError:
        raise UserError(f"两个输出文件同名：{target.name}（例如手写页面与自动生成的页面同名）") from None
    except OSError:  # another file system, or links not allowed: a copy (made as a new file)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as data, open(target, "xb") as copy:
            shutil.copyfileobj(data, copy)
    return True


def link_tree(source: Path, target: Path) -> None:
    """Hard-link (or copy) every file under source to the same place under target (a missing source: nothing).
    Walked with scandir on plain strings: a path object per file costs more than the link itself."""
    try:
        entries = list(os.scandir(source))
    except FileNotFoundError:
        return
    os.makedirs(target, exist_ok=True)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            link_tree(Path(entry.path), Path(target, entry.name))
        elif entry.is_file(follow_symlinks=False):
            try:
                os.link(entry.path, os.path.join(target, entry.name))
            except OSError:
                link_or_copy(Path(entry.path), Path(target, entry.name))
