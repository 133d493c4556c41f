"""Build the static site: analyse, render pages into theme frames, write the search index, swap into place.

Incremental: a page whose inputs have not changed since the last build
(recorded in build/cache/site-<edition>.json) is hard-linked from the
previous site instead of being rendered again; MkDocs runs only when
something it reads has changed (see frames.py). Every output is still
assembled in a temporary folder next to the site and moved into place only
after everything succeeded, so a failed build (an invalid case, a MkDocs
error, an interrupt) leaves the previous site untouched. Files are never
modified in place, so the hard links cannot change the previous site.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Callable

from generator.search.analysis import CaseAnalysis, analyse_cases, similar_cases
from generator.search.analysis import _signature as analysis_signature
from generator.core.edition import INTERNAL, Edition
from generator.infra.files import exclusive, package_digest, replace_dir, write_file
from generator.site.frames import (
    SITE_MARKER,
    FrameSite,
    FrameSpec,
    folder_frame,
    frame_site,
    link_or_copy,
    load_mkdocs_config,
    nav_sources,
    project_theme_files,
)
from generator.core.model import Case
from generator.site.pages import Page, case_data_scripts, case_page, dashboard_block, listing_pages
from generator.infra.parallel import map_in_processes
from generator.core.pii import load_allow_list, scan_cases, scan_issued
from generator.core.problems import LibraryError, Problem, UserError, errors_in
from generator.core.project import Library, Project
from generator.office.register import entries_by_case, safe_file_name
from generator.text.segment_cache import SegmentCache

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

LEDGER_DOWNLOADS = {"下载台账（.xlsx）": "整改台账.xlsx", "下载台账（.docx）": "整改台账.docx"}
PARALLEL_PAGES_FROM = 300  # pages to render; below this a process pool costs more than it saves
_RENDER_CODE = ("site/pages.py", "text/safetext.py", "site/charts.py", "text/chinese.py", "site/frames.py", "core/model.py", "core/enrich.py", "core/stats.py",
                "office/compilation.py", "core/contract.py")


@dataclass
class BuildReport:
    cases: int
    pages: int
    seconds: float
    site_dir: Path
    warnings: list[Problem]
    rendered: int = 0          # pages rendered in this build (the others were unchanged)
    frames_rendered: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    search_index: object = None  # the site search index's SiteSearchReport (says why an update fell back)


def check_output_dir(target: Path, project: Project) -> None:
    """Refuse to replace a folder that is not a site this tool built (it would be deleted), and refuse a site
    inside a source folder: MkDocs would copy it into the next build (an internal site into a public one)."""
    target = target.resolve()
    protected = [project.root, project.cases_dir, project.content_dir, project.build_dir, Path.home(), Path("/")]
    for folder in protected:
        if target == folder.resolve() or target in folder.resolve().parents:
            raise UserError(f"不能把网站输出到 {target}：它是（或包含）项目目录、案例目录或页面目录，构建会覆盖其中的文件")
    sources = [project.cases_dir, project.content_dir, project.build_dir, project.root / "templates",
               project.root / "documents"]
    for folder in sources:
        if folder.resolve() in target.parents:
            raise UserError(f"不能把网站输出到 {target}：它在源文件夹 {folder} 之内，下一次构建会把这个网站"
                            f"（可能是内部版）当作页面复制进网站；请输出到项目目录下的 site/、site-public/ 或项目之外")
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / SITE_MARKER).exists())):
        raise UserError(f"输出目录 {target} 已存在且不是 jiandu 生成的网站，为避免覆盖其中的文件，拒绝构建；请换一个目录或先手动清空")


def check_edition_folder(target: Path, project: Project, edition: Edition) -> None:
    """The internal edition never goes into the folder the public edition is published from: a forgotten
    --edition public (`jiandu build --site-dir site-public`) would otherwise publish every internal case."""
    from generator.core.edition import PUBLIC

    public_folder = (project.root / PUBLIC.site_folder).resolve()
    if not edition.is_public and target.resolve() == public_folder:
        raise UserError(f"{public_folder} 是公开版的输出目录，内部版不能写到这里（它会被当作公开版发布）："
                        "生成公开版请加 --edition public；预览内部版请用默认的 site/ 或另一个目录")


def build_site(project: Project, *, as_of: date | None = None, site_dir: Path | None = None,
               say: Callable[[str], None] = print, quiet: bool = False, edition: Edition = INTERNAL,
               book_pdf: bool = False) -> BuildReport:
    """book_pdf: lay the compilation books out with LibreOffice (page numbers, a PDF each); `jiandu build`
    asks for it when LibreOffice is installed."""
    started = time.perf_counter()
    progress = (lambda message: None) if quiet else say
    as_of = as_of or date.today()
    site_dir = (Path(site_dir) if site_dir else project.root / edition.site_folder).resolve()
    if not project.config_file.is_file():
        raise UserError(f"找不到站点配置文件 {project.config_file}（--root 应指向含 mkdocs.yml 的项目目录）")
    check_output_dir(site_dir, project)
    check_edition_folder(site_dir, project, edition)
    edition = edition.with_policy(project.root)
    progress(f"读取案例：{project.cases_dir}")
    library = project.load_valid()
    cases = edition.cases_in(library.cases)
    allowed = load_allow_list(project.root)
    pii = scan_cases(cases, allowed, project.cache_dir)
    if edition.is_public:
        pii += scan_issued(entries_by_case(project.root), cases, allowed)
        if errors_in(pii):
            raise LibraryError(pii)
    timings = {"load": time.perf_counter() - started}
    with exclusive(project.build_dir / ".lock", say, "另一个构建正在进行，等待其完成……"):
        build = _Build(project, library, cases, edition, site_dir, as_of, progress, timings)
        build.book_pdf = book_pdf
        build.run()
    return BuildReport(cases=len(cases), pages=build.page_count, seconds=time.perf_counter() - started,
                       site_dir=site_dir, rendered=build.rendered, frames_rendered=build.frames_rendered,
                       timings=timings, search_index=build.search_report,
                       warnings=[p for p in library.problems if not p.is_error] + [p.as_warning() for p in pii])


# --- what the last build produced ---------------------------------------------------------

@dataclass
class SiteState:
    """Keys of the inputs of every page and book of the last build of one site folder.

    The site's marker file carries the same build id: files are reused only from the
    folder this very state describes (not from a build of the other edition into the same
    folder, not from a site swapped in by a build that was interrupted before saving).
    """

    site_dir: str = ""
    edition: str = ""
    build_id: str = ""
    outputs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, site_dir: Path, edition: str) -> "SiteState":
        try:
            data = json.loads(path.read_text("utf-8"))
            marker = (site_dir / SITE_MARKER).read_text("utf-8")
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("site_dir") != str(site_dir) or data.get("edition") != edition \
                or not isinstance(data.get("outputs"), dict) or not data.get("build_id") \
                or _marker_id(marker) != data["build_id"]:
            return cls()
        return cls(data["site_dir"], data["edition"], data["build_id"], data["outputs"])

    def save(self, path: Path) -> None:
        write_file(path, json.dumps({"site_dir": self.site_dir, "edition": self.edition, "build_id": self.build_id,
                                           "outputs": self.outputs}, ensure_ascii=False).encode("utf-8"))


def _marker_text(build_id: str, edition: str) -> str:
    return f"此目录由 jiandu build 生成，重新构建时会被整体替换。\nbuild: {build_id}\nedition: {edition}\n"


def _marker_id(text: str) -> str:
    found = re.search(r"^build: (\S+)$", text, re.M)
    return found.group(1) if found else ""


def _code_signature() -> str:
    import markdown

    return package_digest(*_RENDER_CODE, extra=markdown.__version__)


def _key(*parts) -> str:
    return hashlib.sha1(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


# --- rendering case pages, possibly in two processes ----------------------------------------

_JOB: dict = {}  # what forked workers render from (set before the pool starts)


def _frame_source(page: Page, sources: dict[str, str]) -> str:
    """The frame a page goes in: its own (a nav page) or its folder's, with or without a table of contents."""
    return sources.get(page.path) or folder_frame(str(PurePosixPath(page.path).parent).strip("."), bool(page.toc)).source


def _render_case(index: int) -> int:
    job = _JOB
    case = job["cases"][index]
    page = case_page(case, job["as_of"], job["similar"].get(case.id, ()), job["issued"].get(case.id, ()),
                     job["issued_files"], edition=job["edition"])
    _write_page(job["site"] / page.path, job["frames"][_frame_source(page, job["sources"])].fill(page))
    return index


def _write_page(path: Path, content: str | bytes) -> None:
    """A new file; never written through an existing name (it may be a hard link to the previous site)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with open(path, "xb") as handle:
            handle.write(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise UserError(f"两个输出文件同名：{path.name}（例如手写页面与自动生成的页面同名，或汇编标题缺少年份）") from None


class _Build:
    """One build: the stages in order, with what they share."""

    def __init__(self, project: Project, library: Library, cases: list[Case], edition: Edition, site_dir: Path,
                 as_of: date, progress: Callable[[str], None], timings: dict[str, float]):
        self.project, self.library, self.cases, self.edition = project, library, cases, edition
        self.site_dir, self.as_of, self.progress, self.timings = site_dir, as_of, progress, timings
        self.state_file = project.cache_dir / f"site-{edition.name}.json"
        self.page_count = self.rendered = 0
        self.frames_rendered = False
        self.book_pdf = False
        self.search_report = None

    def _timed(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[name] = now - started
        return now

    def _clear_leftovers(self) -> None:
        """Folders an earlier build left behind when it was killed (we hold the build lock)."""
        for pattern in (f".{self.site_dir.name}.tmp-*", f".{self.site_dir.name}.old-*"):
            for folder in self.site_dir.parent.glob(pattern):
                shutil.rmtree(folder, ignore_errors=True)
        for folder in self.project.cache_dir.glob(".frames.tmp-*"):
            shutil.rmtree(folder, ignore_errors=True)

    def run(self) -> None:
        self._clear_leftovers()
        started = time.perf_counter()
        segments = SegmentCache(self.project.cache_dir)
        self.progress(f"分词并计算相似案例（{len(self.cases)} 件案例，每段文字只分词一次）……")
        analysis = analyse_cases(self.cases, segments, self.project.cache_dir)
        started = self._timed("segment", started)
        similar = similar_cases(self.cases, analysis)
        issued = entries_by_case(self.project.root)  # cases not in this edition are simply never looked up
        started = self._timed("similar", started)
        self._update_search_index(segments, analysis)
        started = self._timed("whoosh", started)
        downloads = {} if self.edition.is_public else dict(LEDGER_DOWNLOADS)
        pages = listing_pages(self.cases, self.library.taxonomy, self.as_of, issued, downloads, self.edition)
        home = Page("index.html", "首页", dashboard_block(self.cases, self.library.taxonomy, self.as_of))
        compilations, books = self._compilations()
        pages += compilations
        started = self._timed("listings", started)

        self.project.build_dir.mkdir(parents=True, exist_ok=True)
        config = load_mkdocs_config(self.project.config_file, self.project.build_dir, self.site_dir)
        in_nav = nav_sources(config)
        sources = {page.path: str(PurePosixPath(page.path).with_suffix(".md")) for page in pages
                   if str(PurePosixPath(page.path).with_suffix(".md")) in in_nav}
        specs = self._frame_specs(pages, sources)
        frames = frame_site(self.project.config_file, self.project.content_dir, self.project.cache_dir,
                            self.edition, specs, self.progress, project_theme_files(config))
        self.frames_rendered = frames.rendered
        started = self._timed("mkdocs", started)

        old = SiteState.load(self.state_file, self.site_dir, self.edition.name)
        previous = self.site_dir if old.outputs else None
        state = SiteState(str(self.site_dir), self.edition.name, uuid.uuid4().hex)
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        # Next to the output, so the final move is a rename on one file system.
        work = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.tmp-", dir=self.site_dir.parent))
        try:
            site = work / "site"
            self._copy_static(frames, site)
            signature = _code_signature() + repr(self.edition)
            frame_keys = {name: _key(frame.parts, frame.toc_item) for name, frame in frames.frames.items()}
            if "index.md" in frames.frames:
                pages.append(home)
                sources[home.path] = "index.md"
            for page in pages:
                source = _frame_source(page, sources)
                key = _key(signature, page, frame_keys[source])
                self._output(site, previous, old, state, page.path, key, lambda p=page, f=frames.frames[source]: f.fill(p))
            started = self._timed("listing-pages", started)
            issued_files = self._issued_files(site, previous, old, state, issued)
            self._case_pages(site, previous, old, state, similar, issued, frames, sources, signature, frame_keys,
                             issued_files)
            started = self._timed("case-pages", started)
            if downloads:
                self._ledger_files(site, previous, old, state, issued)
            for path, script in case_data_scripts(self.cases):
                self._output(site, previous, old, state, path, _key(script), lambda s=script: s)
            self._books(site, previous, old, state, books)
            started = self._timed("books", started)
            del pages, similar, issued  # the search index is built last; what the pages needed can go
            gc.collect()
            self._search(site, previous, analysis, frames, segments)
            started = self._timed("search-index", started)
            (site / SITE_MARKER).write_text(_marker_text(state.build_id, self.edition.name), encoding="utf-8")
            self.state_file.unlink(missing_ok=True)  # an interrupt after the swap must not leave an old state
            replace_dir(site, self.site_dir)
            state.save(self.state_file)
            self._timed("swap", started)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.page_count = sum(1 for path in state.outputs if path.endswith(".html"))

    def _update_search_index(self, segments: SegmentCache, analysis: dict[str, CaseAnalysis]) -> None:
        """Keep the command-line search index current when there is one (incremental, from the
        segments just made). A first index is built by `jiandu index` or the first `jiandu search`:
        writing 10,000 cases into Whoosh takes longer than the whole site build."""
        from generator.search.whoosh_index import META_FILE, update_index

        index_dir = self.project.build_dir / self.edition.index_folder
        if not (index_dir / META_FILE).is_file():
            return
        report = update_index(index_dir, self.cases, say=self.progress, segments=segments, only_if_current=True,
                              analysis=analysis)
        if report.reason:
            self.progress(f"命令行检索索引需要重建（{report.reason}），已移除；下次运行 jiandu search 或 jiandu index 时重建")

    # --- frames and static files

    def _frame_specs(self, pages: list[Page], sources: dict[str, str]) -> list[FrameSpec]:
        specs = {FrameSpec(source, page.title, bool(page.toc)) for page in pages
                 for source in [sources.get(page.path)] if source}
        folders = {str(PurePosixPath(page.path).parent).strip(".") for page in pages if page.path not in sources}
        folders.add("cases")
        specs.update(folder_frame(folder, toc) for folder in folders for toc in (True, False))
        return sorted(specs, key=lambda spec: spec.source)

    def _copy_static(self, frames: FrameSite, site: Path) -> None:
        made: set[Path] = set()
        for relative in frames.static_files():
            target = site / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            link_or_copy(frames.static_dir / relative, target)

    @staticmethod
    def _reuse(site: Path, previous: Path | None, old: SiteState, state: SiteState, path: str, key: str) -> bool:
        """Link the previous build's file when the key of its inputs is unchanged."""
        if path in state.outputs:
            raise UserError(f"两个输出文件同名：{path}（例如汇编标题缺少年份，或两个关键词只有大小写不同）")
        state.outputs[path] = key
        if previous is not None and old.outputs.get(path) == key and (previous / path).is_file():
            link_or_copy(previous / path, site / path)
            return True
        return False

    def _output(self, site: Path, previous: Path | None, old: SiteState, state: SiteState, path: str, key: str,
                produce: Callable[[], str]) -> None:
        if not self._reuse(site, previous, old, state, path, key):
            _write_page(site / path, produce())
            self.rendered += 1

    # --- case pages

    def _issued_files(self, site, previous, old, state, issued) -> dict[str, str]:
        """Issued documents the case pages link to (internal edition only): the files in documents/ whose
        SHA-256 the register recorded, i.e. exactly what was issued; 文号 → path in the site."""
        folder = self.project.root / "documents"
        if self.edition.is_public or not issued or not folder.is_dir():
            return {}
        wanted = {entry.sha256: entry for entries in issued.values() for entry in entries}
        found: dict[str, str] = {}
        for path in sorted(folder.glob("*.docx")):
            if not path.is_file() or path.name.startswith("."):
                continue
            data = path.read_bytes()
            entry = wanted.get(hashlib.sha256(data).hexdigest())
            if entry is None or entry.doc_number in found or not data.startswith(b"PK\x03\x04"):
                continue  # not issued, a second copy, or not a Word package at all
            target = f"documents/{entry.seq}-{safe_file_name(path.name)}"
            found[entry.doc_number] = target
            self._output(site, previous, old, state, target, _key(entry.sha256), lambda d=data: d)
        return found

    def _ledger_files(self, site, previous, old, state, issued) -> None:
        """整改台账 as .xlsx and .docx next to the ledger page (internal edition)."""
        from generator.office import ledger

        rows = ledger.rows(self.cases, self.as_of, issued=issued)
        code = package_digest("office/ledger.py", "office/layout.py", "core/enrich.py", "text/textwidth.py", "data/layout-gbt9704.yaml")
        title = "整改落实跟踪台账"
        for path, make in ((LEDGER_DOWNLOADS["下载台账（.xlsx）"],
                            lambda: _fixed_times(ledger.xlsx_bytes(rows, title, self.as_of), self.as_of)),
                           (LEDGER_DOWNLOADS["下载台账（.docx）"], lambda: ledger.docx_bytes(rows, title, self.as_of))):
            self._output(site, previous, old, state, path, _key(code, path, rows, self.as_of), make)

    def _case_pages(self, site, previous, old, state, similar, issued, frames, sources, signature, frame_keys,
                    issued_files=None):
        cases_frames = {name: key for name, key in frame_keys.items() if name.startswith("cases/")}
        todo = []
        made = False
        for index, case in enumerate(self.cases):
            path = f"cases/{case.id}.html"
            related = [(s.id, s.title, s.exact_score) for s in similar.get(case.id, ())]
            day = self.as_of if any(f.is_open for f in case.findings) else None
            documents = tuple(issued.get(case.id, ()))
            links = {e.doc_number: issued_files[e.doc_number] for e in documents if e.doc_number in (issued_files or {})}
            key = _key(signature, case, related, documents, links, day, cases_frames)
            if not made:
                (site / "cases").mkdir(parents=True, exist_ok=True)
                made = True
            if not self._reuse(site, previous, old, state, path, key):
                todo.append(index)
        if not todo:
            return
        (site / "cases").mkdir(parents=True, exist_ok=True)
        self.progress(f"渲染案例页面 {len(todo)} 个……")
        _JOB.update(cases=self.cases, as_of=self.as_of, similar=similar, issued=issued, frames=frames.frames,
                    sources=sources, site=site, edition=self.edition, issued_files=issued_files or {})
        try:
            map_in_processes(_render_case, todo, parallel_from=PARALLEL_PAGES_FROM)
        finally:
            _JOB.clear()
        self.rendered += len(todo)

    # --- compilation books

    def _compilations(self) -> tuple[list[Page], list[dict]]:
        """A 年度汇编 page per year and the plan of its book (this edition's cases only)."""
        from generator.office.compilation import book_cases
        from generator.office.settings import Settings, load_settings
        from generator.site.pages import compilation_index, compilation_page

        try:
            settings = load_settings(self.project.root)
        except UserError:
            settings = Settings(issuer="", codes={}, printed_by="")
        with_pdf = self.book_pdf  # LibreOffice at build: page numbers in the contents, and a PDF of each book
        years: dict[int, list] = {}
        pages, books = [], []
        for year in sorted({case.year for case in self.cases}):
            chosen = book_cases(self.cases, year, self.edition)
            if not chosen:
                continue
            years[year] = chosen
            title = settings.compilation_title.format(year=year)
            name = f"{title}.docx"
            pdf_name = f"{title}.pdf" if with_pdf else None
            books.append({"path": f"compilation/{name}", "year": year, "title": title, "issuer": settings.issuer,
                          "chosen": chosen, "pdf": f"compilation/{pdf_name}" if pdf_name else None})
            pages.append(compilation_page(year, chosen, name, title, list(self.library.taxonomy.categories), pdf_name))
        pages.append(compilation_index(years))
        return pages, books

    def _books(self, site, previous, old, state, books: list[dict]) -> None:
        """The downloadable book of each year. With LibreOffice present the contents carry page numbers
        and a PDF is made next to it (bookpdf); without, Word fills the numbers in on opening."""
        code = package_digest("office/compilation.py", "office/layout.py", "office/documents.py", "core/stats.py", "text/chinese.py", "text/safetext.py",
                              "core/model.py", "data/layout-gbt9704.yaml")
        areas = list(self.library.taxonomy.categories)
        todo = []
        for book in books:
            # The foreword counts every case of the year (findings, clues, figures), not only those in the book.
            year_cases = [case for case in self.cases if case.year == book["year"]]
            key = _key(code, book["title"], book["issuer"], self.as_of, areas,
                       self.edition.name, book["chosen"], year_cases, book["pdf"])
            reused = self._reuse(site, previous, old, state, book["path"], key)
            if book["pdf"]:
                reused = self._reuse(site, previous, old, state, book["pdf"], key) and reused
            if not reused:
                todo.append(book)
        if not todo:
            return
        self.progress(f"生成年度汇编 {len(todo)} 册……")
        _JOB.update(cases=self.cases, as_of=self.as_of, areas=areas, edition=self.edition)
        try:
            contents = map_in_processes(_build_book, todo, parallel_from=2, chunksize=1)
        finally:
            _JOB.clear()
        if todo[0]["pdf"]:
            from generator.office.bookpdf import finish_books

            self.progress(f"用 LibreOffice 排版汇编并生成 PDF（{len(todo)} 册）……")
            for book, (docx, pdf) in zip(todo, finish_books(contents)):
                for path, data in ((book["path"], docx), (book["pdf"], pdf)):
                    (site / path).unlink(missing_ok=True)  # one of the pair may have been linked from the last build
                    _write_page(site / path, data)
        else:
            for book, (content, _) in zip(todo, contents):
                _write_page(site / book["path"], content)
        self.rendered += len(todo)

    # --- search index

    def _search(self, site: Path, previous: Path | None, analysis: dict[str, CaseAnalysis], frames: FrameSite,
                segments: SegmentCache) -> None:
        from generator.search.queryplan import load_synonyms
        from generator.siteindex.casedocs import case_search_doc
        from generator.siteindex.model import SearchDoc
        from generator.siteindex.writer import write_site_search

        search_dir = site / "search"
        if previous is not None:  # unchanged shards are kept: the writer replaces only what changed
            for folder in ("jiandu", "jiandu-x"):
                old_index = previous / "search" / folder
                if old_index.is_dir():
                    for path in old_index.rglob("*"):
                        if path.is_file():
                            link_or_copy(path, search_dir / folder / path.relative_to(old_index))
        docs = [case_search_doc(case, scores=analysis[case.id].scores, key=analysis[case.id].key)
                for case in self.cases]
        texts = [(page["title"], page["text"]) for page in frames.content_pages]
        tokens = segments.tokens(text for pair in texts for text in pair)
        for index, page in enumerate(frames.content_pages):
            title_tokens, body_tokens = tokens[2 * index], tokens[2 * index + 1]
            key = hashlib.sha1(json.dumps([page, analysis_signature()], ensure_ascii=False).encode("utf-8")).hexdigest()
            docs.append(SearchDoc(location=page["location"], title=page["title"], text=page["text"],
                                  fields={"title": tuple(w for _, w, _, _ in title_tokens),
                                          "body": tuple(w for _, w, _, _ in body_tokens)}, key=key))
        self.search_report = write_site_search(search_dir, docs, synonyms=load_synonyms(self.project.cases_dir),
                                               state_dir=self.project.cache_dir / f"site-search-{self.edition.name}")
        if self.search_report.fallback:
            self.progress(str(self.search_report))


def _fixed_times(xlsx: bytes, day: date) -> bytes:
    """The workbook with its creation times set to the reference date and fixed zip timestamps
    (openpyxl stamps the current time): the same ledger gives the same file, so rebuilds can reuse it."""
    import zipfile
    from io import BytesIO

    from generator.office.layout import rewrite_zip

    with zipfile.ZipFile(BytesIO(xlsx)) as package:
        core = package.read("docProps/core.xml").decode("utf-8")
    stamp = f"{day.isoformat()}T00:00:00Z"
    core = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{stamp}\g<2>", core)
    return rewrite_zip(xlsx, {"docProps/core.xml": core.encode("utf-8")})


def _build_book(book: dict) -> tuple[bytes, list]:
    """(the book's .docx, its headings for the contents)."""
    from generator.office.compilation import build_book

    job = _JOB
    return build_book(job["cases"], year=book["year"], title=book["title"], issuer=book["issuer"],
                      day=job["as_of"], area_order=job["areas"], edition=job["edition"])
