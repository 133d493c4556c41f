"""Build the static site: the stages of one build, each a function with typed inputs and outputs.

    load (validate, personal information)  → Loaded
    analyse (segments, analysis, similar)   → Analysed
    plan (listing pages, books, frames)     → Planned
    write (pages, case pages, books, files) → the new site's outputs
    search (the site's search index), swap

What every stage made last time is in the one build state (infra/buildstate.py,
build/cache/state.pickle); each stage compares the keys of its items with the last
ones (buildstate.changes) and makes only what is new or changed. The pages other
than case pages are not even planned while the listing key (what they can show of
every case, pages.listed_fields, and the build's other inputs) is as last time. Keys of outputs
carry the code key of the code that renders them (infra/cachekey.py): the digest
of every module that code imports, so an upgrade re-renders exactly what it can
change. An output whose key is unchanged is hard-linked from the previous site;
every output is assembled in a temporary folder next to the site and moved into
place only after everything succeeded, so a failed build (an invalid case, a
MkDocs error, an interrupt) leaves the previous site untouched. Files are never
modified in place, so the hard links cannot change the previous site.

The command-line (Whoosh) index is not touched: `jiandu index` and `jiandu search` keep it.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import posixpath
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import Callable

from generator.core.edition import INTERNAL, Edition
from generator.core.model import Case
from generator.core.pii import load_allow_list, scan_cases, scan_issued
from generator.core.stats import compute
from generator.core.problems import LibraryError, Problem, UserError, errors_in
from generator.core.project import Library, Project
from generator.infra.buildstate import BuildState, Record, changes
from generator.infra.cachekey import code_key
from generator.infra.files import exclusive, replace_dir, write_file
from generator.infra.parallel import Pending, in_background, map_in_processes
from generator.office.register import entries_by_case, safe_file_name
from generator.site.frames import (
    SITE_MARKER,
    FrameSite,
    FrameSpec,
    folder_frame,
    frame_site,
    link_or_copy,
    link_tree,
    load_mkdocs_config,
    nav_sources,
    project_theme_files,
)
from generator.site.pages import Page, PagePlan, case_data_scripts, case_page, dashboard_block, listed_fields, \
    listing_plans, planned
from generator.search.analysis import CaseAnalysis, analyse_cases, analysis_code_key, similar_cases
from generator.text.segment_cache import SegmentCache

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

LEDGER_DOWNLOADS = {"下载台账（.xlsx）": "整改台账.xlsx", "下载台账（.docx）": "整改台账.docx"}
PARALLEL_PAGES_FROM = 300  # pages to render; below this forking costs more than it saves


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
    """book_pdf: lay the compilation books out with LibreOffice (page numbers, a PDF each); `jiandu build --pdf`
    asks for it when LibreOffice is installed."""
    started = time.perf_counter()
    site_dir = (Path(site_dir) if site_dir else project.root / edition.site_folder).resolve()
    if not project.config_file.is_file():
        raise UserError(f"找不到站点配置文件 {project.config_file}（--root 应指向含 mkdocs.yml 的项目目录）")
    check_output_dir(site_dir, project)
    check_edition_folder(site_dir, project, edition)
    request = BuildRequest(project, edition.with_policy(project.root), site_dir, as_of or date.today(), book_pdf,
                           (lambda message: None) if quiet else say)
    timings: dict[str, float] = {}
    with exclusive(project.build_dir / ".lock", say, "另一个构建正在进行，等待其完成……"):
        state = BuildState(project.cache_dir)
        try:
            loaded = load_stage(request, state)
            timings["load"] = time.perf_counter() - started
            # The library and the build state (millions of objects at 10,000 cases) live until the build ends:
            # kept out of the cyclic collector's scans, which otherwise cost a tenth of a one-case rebuild.
            gc.freeze()
            made = run_stages(request, loaded, state, timings)
        finally:
            gc.unfreeze()  # `jiandu serve` builds again in this process: what this build made can then be collected
            state.save()  # what the stages made is kept even when a later stage failed
        made.removal.wait()  # the previous site, deleted in another process while the state was saved
    return BuildReport(cases=len(loaded.cases), pages=made.pages, seconds=time.perf_counter() - started,
                       site_dir=site_dir, rendered=made.rendered, frames_rendered=made.frames_rendered,
                       timings=timings, search_index=made.search_report, warnings=loaded.warnings)


# --- what flows between the stages ---------------------------------------------------------

@dataclass(frozen=True)
class BuildRequest:
    project: Project
    edition: Edition
    site_dir: Path
    as_of: date
    book_pdf: bool
    progress: Callable[[str], None]


@dataclass(frozen=True)
class Loaded:
    library: Library
    cases: list[Case]               # this edition's
    warnings: list[Problem]

    def fingerprint(self, case: Case) -> str:
        return self.library.fingerprints.get(case.id) or _key(case)


@dataclass(frozen=True)
class Analysed:
    analysis: dict[str, CaseAnalysis]
    similar: dict[str, list]        # case id → its similar cases
    issued: dict[str, list]         # case id → register entries
    segments: SegmentCache


@dataclass(frozen=True)
class BookPlan:
    path: str
    year: int
    title: str
    issuer: str
    chosen: list[Case]
    pdf: str | None


@dataclass(frozen=True)
class ListedPage:
    """A generated page other than a case page, as far as framing it and telling whether it changed need:
    digest is the key of its plan's inputs. Kept in the build state, so an unchanged listing is not planned."""

    path: str
    title: str
    has_toc: bool
    digest: str


@dataclass(frozen=True)
class Planned:
    pages: list[ListedPage]         # every generated page but the case pages (the home page last, when it has one)
    sources: dict[str, str]         # page path → its Markdown source, for pages in the nav
    books: list[BookPlan]
    frames: FrameSite
    make: Callable[[str], Page]     # renders the page at a path of `pages` (planning them all on first use)
    listings: dict                  # what the site record keeps for the next build's plan_stage
    digests: dict[str, str]         # case id → key of listed_fields(case)


@dataclass(frozen=True)
class Made:
    pages: int
    rendered: int
    frames_rendered: bool
    search_report: object  # siteindex's SiteSearchReport
    removal: Pending       # of the previous site's folder


@dataclass(frozen=True)
class CaseJob:
    """What the forked workers render case pages from (handed over explicitly, see infra/parallel.py)."""

    cases: list[Case]
    as_of: date
    similar: dict[str, list]
    issued: dict[str, list]
    issued_files: dict[str, str]
    frames: dict
    sources: dict[str, str]
    site: Path
    edition: Edition


@dataclass(frozen=True)
class BookJob:
    cases: list[Case]
    as_of: date
    areas: list[str]
    edition: Edition


# --- the stages ------------------------------------------------------------------------------

def load_stage(request: BuildRequest, state: BuildState) -> Loaded:
    """Validated cases of this edition; a public edition with personal information is refused."""
    project, edition = request.project, request.edition
    request.progress(f"读取案例：{project.cases_dir}")
    library = project.load_valid(state)
    cases = edition.cases_in(library.cases)
    allowed = load_allow_list(project.root)
    pii = scan_cases(cases, allowed, state=state, fingerprints=library.fingerprints)
    if edition.is_public:
        pii += scan_issued(entries_by_case(project.root), cases, allowed)
        if errors_in(pii):
            raise LibraryError(pii)
    return Loaded(library, cases, [p for p in library.problems if not p.is_error] + [p.as_warning() for p in pii])


def analyse_stage(request: BuildRequest, loaded: Loaded, state: BuildState) -> Analysed:
    cases = loaded.cases
    segments = SegmentCache(request.project.cache_dir)
    request.progress(f"分词并计算相似案例（{len(cases)} 件案例，每段文字只分词一次）……")
    analysis = analyse_cases(cases, segments, state=state, fingerprints=loaded.library.fingerprints)
    similar = similar_cases(cases, analysis, state=state, stage=f"similar-{request.edition.name}")
    issued = entries_by_case(request.project.root)  # cases not in this edition are simply never looked up
    return Analysed(analysis, similar, issued, segments)


def plan_stage(request: BuildRequest, loaded: Loaded, analysed: Analysed, state: BuildState) -> Planned:
    """Every page but the case pages, the books, and the theme frames they go into (MkDocs).

    The listing, browse, ledger, clue, compilation and home pages show only listed_fields of each case and the
    build's other inputs (the listing key). When that key is as in the last build, the pages are taken from its
    record (path, title, digest of the inputs) without being planned; they are planned only if one must be made
    after all (a changed frame, a missing previous site)."""
    project, edition = request.project, request.edition
    settings = _compilation_settings(request)
    books = _books(request, loaded, settings)
    old = state.record(_site_stage(edition), "").meta.get("listings") or {}
    code = listings_code_key() + repr(edition)
    digests = _listed_digests(loaded, old, code)
    key = _repr_key(code, request.as_of, analysed.issued, loaded.library.taxonomy, request.book_pdf,
                    settings.compilation_title, "\n".join(digests[case.id] for case in loaded.cases))
    downloads = {} if edition.is_public else dict(LEDGER_DOWNLOADS)
    listing = cache(lambda: listing_plans(loaded.cases, loaded.library.taxonomy, request.as_of, analysed.issued,
                                          downloads, edition) + _compilation_plans(books, loaded))
    by_path = cache(lambda: {plan.path: plan for plan in listing()})
    home = cache(lambda: planned(Page(_HOME, "首页", dashboard_block(loaded.cases, loaded.library.taxonomy,
                                                                    request.as_of))))

    def make(path: str) -> Page:
        return (home() if path == _HOME else by_path()[path]).make()

    kept = old.get("key") == key
    if kept:
        pages = [ListedPage(*entry) for entry in old["pages"]]
    else:
        pages = [ListedPage(plan.path, plan.title, plan.has_toc, _key(plan.inputs)) for plan in listing()]
    project.build_dir.mkdir(parents=True, exist_ok=True)
    config = load_mkdocs_config(project.config_file, project.build_dir, request.site_dir)
    in_nav = nav_sources(config)
    sources = {page.path: source for page in pages for source in [_markdown_source(page.path)] if source in in_nav}
    frames = frame_site(project.config_file, project.content_dir, project.cache_dir, edition,
                        _frame_specs(pages, sources), request.progress, project_theme_files(config), state)
    listings = {"key": key, "pages": [(page.path, page.title, page.has_toc, page.digest) for page in pages],
                "home": None, "scripts": old.get("scripts") if kept else None, "code": code,
                "cases": {case.id: (loaded.fingerprint(case), digests[case.id]) for case in loaded.cases},
                "book_stats": _book_stats(request, loaded, books, digests, old.get("book_stats") or {}, code)}
    if "index.md" in frames.frames:
        listings["home"] = (old.get("home") if kept else None) or _key(home().inputs)
        pages.append(ListedPage(_HOME, "首页", False, listings["home"]))
        sources[_HOME] = "index.md"
    return Planned(pages, sources, books, frames, make, listings, digests)


_HOME = "index.html"


def _book_stats(request: BuildRequest, loaded: Loaded, books: list[BookPlan], digests: dict[str, str], old: dict,
                code: str) -> dict[int, tuple[str, str]]:
    """Year → (key of the year's listed fields, key of its figures). A book's foreword counts every case of its
    year (findings, clues, figures), not only those in the book, so its key holds those counts: editing a case
    outside the book that leaves them alone keeps the book. The counts are computed again only for a year whose
    listed fields changed."""
    areas = list(loaded.library.taxonomy.categories)
    found = {}
    for book in books:
        year_cases = request.edition.cases_in([c for c in loaded.cases if c.year == book.year])
        listed = _repr_key(code, request.as_of, areas, [digests[c.id] for c in year_cases])
        previous = old.get(book.year)
        found[book.year] = tuple(previous) if previous and previous[0] == listed else \
            (listed, _key(compute(year_cases, request.as_of, area_order=areas)))
    return found


def listings_code_key() -> str:
    """The code that plans and renders every page but the case pages (build.py, pages.py and what they import)."""
    return code_key("generator.site.build", libraries=("markdown",))


def _listed_digests(loaded: Loaded, old: dict, code: str) -> dict[str, str]:
    """Case id → the key of listed_fields(case), taken from the last build's record for an unchanged case file."""
    known = old.get("cases", {}) if old.get("code") == code else {}
    digests = {}
    for case in loaded.cases:
        fingerprint = loaded.fingerprint(case)
        previous = known.get(case.id)
        digests[case.id] = previous[1] if previous is not None and previous[0] == fingerprint else \
            _repr_key(listed_fields(case))
    return digests


def _repr_key(*parts) -> str:
    """The key of values whose repr shows all they hold (strings, numbers, dates, containers, dataclasses):
    unlike a pickle, it does not depend on which equal objects happen to be shared."""
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


def _markdown_source(path: str) -> str:
    """The Markdown path a generated page would have in the docs folder ("ledger.html" → "ledger.md")."""
    return os.path.splitext(path)[0] + ".md"


def _site_stage(edition: Edition) -> str:
    return f"site-{edition.name}"


def run_stages(request: BuildRequest, loaded: Loaded, state: BuildState, timings: dict[str, float]) -> Made:
    def timed(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = now - since
        return now

    started = time.perf_counter()
    _clear_leftovers(request)
    analysed = analyse_stage(request, loaded, state)
    # Like the library (build_site): the analysis and the plans live until the build ends; the collector's
    # full scans of them cost ~0.8 s of a one-case rebuild at 10,000 cases.
    gc.freeze()
    started = timed("analyse", started)
    planned_ = plan_stage(request, loaded, analysed, state)
    gc.freeze()
    started = timed("plan", started)
    stage = _site_stage(request.edition)
    old = state.record(stage, "")
    site_dir = request.site_dir
    previous = _previous_site(site_dir, old)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    # Next to the output, so the final move is a rename on one file system.
    work = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.tmp-", dir=site_dir.parent))
    linking = page_links = None
    leftovers = [work]
    try:
        outputs = SiteOutputs(work / "site", previous, old, uuid.uuid4().hex)
        if previous is not None:  # the previous index's files, linked while the pages are made
            linking = in_background(_link_search, (previous / "search", outputs.site / "search"))
        write_pages(request, loaded, analysed, planned_, outputs)
        page_links = outputs.link_deferred()  # the unchanged pages, linked while the rest is made
        started = timed("pages", started)
        if not request.edition.is_public:
            _ledger_files(request, loaded, analysed.issued, planned_.digests, outputs)
        started = timed("ledger-downloads", started)
        write_books(request, loaded, planned_, outputs)
        started = timed("books", started)
        search_report = search_stage(request, loaded, analysed, planned_, outputs, linking)
        outputs.finish_links(page_links)
        started = timed("search-index", started)
        _swap_in(request, outputs, old, planned_.listings, leftovers)
        state.update(stage, outputs.record)
    except BaseException:
        for pending in (linking, page_links):
            if pending is not None:
                pending.cancel()
        for folder in leftovers:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    # The previous site (tens of thousands of files) is deleted in another process while this one saves the
    # build state; build_site waits for it. Killed meanwhile, the next build clears what is left (_clear_leftovers).
    removal = in_background(_remove_folders, leftovers)
    timed("swap", started)
    return Made(sum(1 for path in outputs.record.keys if path.endswith(".html")), outputs.rendered,
                planned_.frames.rendered, search_report, removal)


def _previous_site(site_dir: Path, old: Record) -> Path | None:
    """The site folder, when the last build's record describes it (same folder, its build id in the marker)."""
    if old.meta.get("site_dir") == str(site_dir) and _marker_id(site_dir) == old.meta.get("build_id"):
        return site_dir
    return None


def _swap_in(request: BuildRequest, outputs: SiteOutputs, old: Record, listings: dict, leftovers: list) -> None:
    """Mark the new site, put it in place of the old one (left in `leftovers`) and fill in its record."""
    (outputs.site / SITE_MARKER).write_text(_marker_text(outputs.build_id, request.edition.name), encoding="utf-8")
    # Killed after the swap, before the state is saved, the old record stays: its build id is not the new
    # site's marker, so the next build reuses nothing from the site (_previous_site).
    replace_dir(outputs.site, request.site_dir, discard=leftovers.append)
    report = changes(old.keys, outputs.record.keys)
    outputs.record.meta.update(site_dir=str(request.site_dir), build_id=outputs.build_id, removed=len(report.removed),
                               listings=listings)


def _link_search(folders: tuple[Path, Path]) -> None:
    previous, search_dir = folders
    for folder in ("jiandu", "jiandu-x"):  # unchanged shards are kept: the writer replaces only what changed
        link_tree(previous / folder, search_dir / folder)


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _clear_leftovers(request: BuildRequest) -> None:
    """Folders an earlier build left behind when it was killed (we hold the build lock)."""
    site_dir = request.site_dir
    for pattern in (f".{site_dir.name}.tmp-*", f".{site_dir.name}.old-*"):
        for folder in site_dir.parent.glob(pattern):
            shutil.rmtree(folder, ignore_errors=True)
    for folder in request.project.cache_dir.glob(".frames.tmp-*"):
        shutil.rmtree(folder, ignore_errors=True)


# --- the outputs of one build ----------------------------------------------------------------

class SiteOutputs:
    """The files of the new site. Each is recorded with the key of its inputs; one whose key is as in the
    previous build is hard-linked from the previous site instead of being made again."""

    def __init__(self, site: Path, previous: Path | None, old: Record, build_id: str):
        self.site, self.previous, self.old, self.build_id = site, previous, old, build_id
        self.record = Record("")
        self.rendered = 0
        site.mkdir(parents=True, exist_ok=True)
        # Plain strings: a path object per file costs more than the link itself (tens of thousands per build).
        self._from = f"{previous}/" if previous is not None else None
        self._to = f"{site}/"
        self._deferred: list[tuple[str, Callable[[], None]]] = []

    def reuse(self, path: str, key: str, remake: Callable[[], None] | None = None) -> bool:
        """Record the output; link the previous build's file when the key of its inputs is unchanged.
        remake: how to make the file should the link fail; with it, the link is left to link_deferred()."""
        keys = self.record.keys
        if path in keys:
            raise UserError(f"两个输出文件同名：{path}（例如汇编标题缺少年份，或两个关键词只有大小写不同）")
        keys[path] = key
        if self._from is None or self.old.keys.get(path) != key:
            return False
        if remake is not None:
            self._deferred.append((path, remake))
            return True
        try:
            os.link(self._from + path, self._to + path)
            return True
        except OSError:  # a folder not made yet, a missing file, another file system: the careful way
            return link_or_copy(self.previous / path, self.site / path, missing_ok=True)

    def keep_or_make(self, path: str, key: str, produce: Callable[[], str | bytes]) -> None:
        def make() -> None:
            write_page(self.site / path, produce())
            self.rendered += 1

        if not self.reuse(path, key, make):
            make()

    def link_deferred(self) -> Pending | None:
        """Link the unchanged files reuse() left for later, in another process while the build goes on."""
        if not self._deferred:
            return None
        return in_background(_link_files, (self._from, self._to, [path for path, _ in self._deferred]))

    def finish_links(self, linking: Pending | None) -> None:
        """Wait for link_deferred(); make the files it could not link after all (gone from the previous site)."""
        failed = set(linking.wait()) if linking is not None else set()
        for path, remake in self._deferred:
            if path in failed:
                remake()
        self._deferred = []


def _link_files(job: tuple[str, str, list[str]]) -> list[str]:
    """Link each path from the previous site (source) into the new one (target); the paths it could not."""
    source, target, paths = job
    failed = []
    for path in paths:
        try:
            os.link(source + path, target + path)
        except OSError:
            if not link_or_copy(Path(source + path), Path(target + path), missing_ok=True):
                failed.append(path)
    return failed


def write_page(path: Path, content: str | bytes) -> None:
    """A new file of the site being assembled (files.write_file, new and not flushed: the folder is discarded
    on failure); never written through an existing name, which may be a hard link to the previous site."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        write_file(path, data, new=True, durable=False)
    except FileExistsError:
        raise UserError(f"两个输出文件同名：{path.name}（例如手写页面与自动生成的页面同名，或汇编标题缺少年份）") from None


def _key(*parts) -> str:
    return hashlib.sha1(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


def _text_key(*texts: str) -> str:
    return hashlib.sha1("\0".join(texts).encode("utf-8")).hexdigest()


def pages_code_key() -> str:
    """The code that renders a page: pages.py, frames.py and what they import; Markdown's version."""
    return code_key("generator.site.pages", "generator.site.frames", libraries=("markdown",))


def _marker_text(build_id: str, edition: str) -> str:
    return f"此目录由 jiandu build 生成，重新构建时会被整体替换。\nbuild: {build_id}\nedition: {edition}\n"


def _marker_id(site_dir: Path) -> str:
    try:
        text = (site_dir / SITE_MARKER).read_text("utf-8")
    except OSError:
        return ""
    found = re.search(r"^build: (\S+)$", text, re.M)
    return found.group(1) if found else ""


# --- pages -------------------------------------------------------------------------------------

def _frame_source(path: str, has_toc: bool, sources: dict[str, str]) -> str:
    """The frame a page goes in: its own (a nav page) or its folder's, with or without a table of contents."""
    return sources.get(path) or folder_frame(posixpath.dirname(path).strip("."), has_toc).source


def _frame_specs(pages: list[ListedPage], sources: dict[str, str]) -> list[FrameSpec]:
    specs = {FrameSpec(source, page.title, page.has_toc) for page in pages
             for source in [sources.get(page.path)] if source}
    folders = {posixpath.dirname(page.path).strip(".") for page in pages if page.path not in sources}
    folders.add("cases")
    specs.update(folder_frame(folder, toc) for folder in folders for toc in (True, False))
    return sorted(specs, key=lambda spec: spec.source)


def write_pages(request: BuildRequest, loaded: Loaded, analysed: Analysed, planned_: Planned,
                outputs: SiteOutputs) -> None:
    """Static files, listing pages, case pages and the listing's data scripts."""
    frames, sources = planned_.frames, planned_.sources
    _copy_static(frames, outputs.site)
    signature = pages_code_key() + repr(request.edition)
    frame_keys = {name: _key(frame.parts, frame.toc_item) for name, frame in frames.frames.items()}
    framed = {name: _key(signature, key) for name, key in frame_keys.items()}  # hashed once per frame
    for page in planned_.pages:
        source = _frame_source(page.path, page.has_toc, sources)
        frame = frames.frames[source]
        outputs.keep_or_make(page.path, _text_key(framed[source], page.digest),
                             lambda path=page.path, f=frame: f.fill(planned_.make(path)))
    issued_files = _issued_files(request, analysed.issued, outputs)
    _case_pages(request, loaded, analysed, planned_, outputs, signature, frame_keys, issued_files)
    _data_scripts(loaded, planned_, outputs)


def _data_scripts(loaded: Loaded, planned_: Planned, outputs: SiteOutputs) -> None:
    """The listing's filter data (every case): unchanged, like the listings, while the listing key is."""
    scripts = cache(lambda: dict(case_data_scripts(loaded.cases)))
    kept = planned_.listings.get("scripts")
    if kept is None:
        kept = planned_.listings["scripts"] = [(path, _key(script)) for path, script in scripts().items()]
    for path, key in kept:
        outputs.keep_or_make(path, key, lambda p=path: scripts()[p])


def _copy_static(frames: FrameSite, site: Path) -> None:
    made: set[Path] = set()
    for relative in frames.static_files():
        target = site / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        link_or_copy(frames.static_dir / relative, target)


def _issued_files(request: BuildRequest, issued: dict, outputs: SiteOutputs) -> dict[str, str]:
    """Issued documents the case pages link to (internal edition only): the files in documents/ whose
    SHA-256 the register recorded, i.e. exactly what was issued; 文号 → path in the site."""
    folder = request.project.root / "documents"
    if request.edition.is_public or not issued or not folder.is_dir():
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
        outputs.keep_or_make(target, _key(entry.sha256), lambda d=data: d)
    return found


def _case_pages(request: BuildRequest, loaded: Loaded, analysed: Analysed, planned_: Planned, outputs: SiteOutputs,
                signature: str, frame_keys: dict[str, str], issued_files: dict[str, str]) -> None:
    cases_frames = {name: key for name, key in frame_keys.items() if name.startswith("cases/")}
    shared = _key(signature, cases_frames)  # what every case page shares, hashed once
    (outputs.site / "cases").mkdir(parents=True, exist_ok=True)
    job = cache(lambda: CaseJob(loaded.cases, request.as_of, analysed.similar, analysed.issued, issued_files,
                                planned_.frames.frames, planned_.sources, outputs.site, request.edition))

    def remake(index: int) -> None:  # an unchanged page the previous site lacks after all
        _render_case(job(), index)
        outputs.rendered += 1

    todo = []
    for index, case in enumerate(loaded.cases):
        related = [(s.id, s.title, s.exact_score) for s in analysed.similar.get(case.id, ())]
        day = request.as_of if any(f.is_open for f in case.findings) else None
        documents = tuple(analysed.issued.get(case.id, ()))
        links = {e.doc_number: issued_files[e.doc_number] for e in documents if e.doc_number in issued_files}
        key = _key(shared, loaded.fingerprint(case), related, documents, links, day)
        if not outputs.reuse(f"cases/{case.id}.html", key, partial(remake, index)):
            todo.append(index)
    if not todo:
        return
    request.progress(f"渲染案例页面 {len(todo)} 个……")
    map_in_processes(_render_case, job(), todo, parallel_from=PARALLEL_PAGES_FROM)
    outputs.rendered += len(todo)


def _render_case(job: CaseJob, index: int) -> int:
    case = job.cases[index]
    page = case_page(case, job.as_of, job.similar.get(case.id, ()), job.issued.get(case.id, ()),
                     job.issued_files, edition=job.edition)
    write_page(job.site / page.path, job.frames[_frame_source(page.path, bool(page.toc), job.sources)].fill(page))
    return index


def _ledger_files(request: BuildRequest, loaded: Loaded, issued: dict, digests: dict[str, str],
                  outputs: SiteOutputs) -> None:
    """整改台账 as .xlsx and .docx next to the ledger page (internal edition); the two are made in two
    processes when both are needed. The rows show only listed fields of the cases (digests: plan_stage), the
    register and the as-of date: keyed by those, the rows are not even computed while they stand."""
    from generator.office import ledger

    code = code_key("generator.office.ledger")
    listed = "\n".join(digests[case.id] for case in loaded.cases)
    todo = [fmt for fmt in ("xlsx", "docx")
            if not outputs.reuse(_LEDGER_FILES[fmt], _repr_key(code, _LEDGER_FILES[fmt], request.as_of, issued, listed))]
    if not todo:
        return
    rows = ledger.rows(loaded.cases, request.as_of, issued=issued)
    request.progress("生成整改台账下载文件……")
    for fmt, data in zip(todo, map_in_processes(_ledger_bytes, (rows, request.as_of), todo, parallel_from=2)):
        write_page(outputs.site / _LEDGER_FILES[fmt], data)
    outputs.rendered += len(todo)


_LEDGER_FILES = {"xlsx": LEDGER_DOWNLOADS["下载台账（.xlsx）"], "docx": LEDGER_DOWNLOADS["下载台账（.docx）"]}
LEDGER_TITLE = "整改落实跟踪台账"


def _ledger_bytes(job: tuple, fmt: str) -> bytes:
    from generator.office import ledger

    rows, as_of = job
    if fmt == "xlsx":
        return _fixed_times(ledger.xlsx_bytes(rows, LEDGER_TITLE, as_of), as_of)
    return ledger.docx_bytes(rows, LEDGER_TITLE, as_of)


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


# --- compilation books -------------------------------------------------------------------------

def _compilation_settings(request: BuildRequest):
    from generator.office.settings import Settings, load_settings

    try:
        return load_settings(request.project.root)
    except UserError:
        return Settings(issuer="", codes={}, printed_by="")


def _books(request: BuildRequest, loaded: Loaded, settings) -> list[BookPlan]:
    """The plan of each year's 年度汇编 (this edition's cases only)."""
    from generator.office.bookorder import book_cases

    by_year: dict[int, list[Case]] = {}
    for case in loaded.cases:
        by_year.setdefault(case.year, []).append(case)
    books = []
    for year in sorted(by_year):
        chosen = book_cases(by_year[year], year, request.edition)
        if not chosen:
            continue
        title = settings.compilation_title.format(year=year)
        pdf = f"compilation/{title}.pdf" if request.book_pdf else None
        books.append(BookPlan(f"compilation/{title}.docx", year, title, settings.issuer, chosen, pdf))
    return books


def _compilation_plans(books: list[BookPlan], loaded: Loaded) -> list[PagePlan]:
    """A 年度汇编 page per book, and their index."""
    from generator.site.pages import compilation_index, compilation_page

    areas = list(loaded.library.taxonomy.categories)
    pages = [planned(compilation_page(book.year, book.chosen, f"{book.title}.docx", book.title, areas,
                                      f"{book.title}.pdf" if book.pdf else None)) for book in books]
    return pages + [planned(compilation_index({book.year: book.chosen for book in books}))]


def books_code_key(with_pdf: bool) -> str:
    """The book code and what it imports; with PDFs, LibreOffice (present, and its version) too."""
    entries = ("generator.office.compilation", "generator.office.bookpdf") if with_pdf else ("generator.office.compilation",)
    return code_key(*entries, libraries=("python-docx", "lxml"),
                    tools=("soffice", "libreoffice", "pdftotext") if with_pdf else ())


def write_books(request: BuildRequest, loaded: Loaded, planned_: Planned, outputs: SiteOutputs) -> None:
    """The downloadable book of each year. With --pdf the contents carry page numbers from LibreOffice
    and a PDF is made next to it (bookpdf); without, Word fills the numbers in on opening."""
    code = books_code_key(request.book_pdf)
    areas = list(loaded.library.taxonomy.categories)
    books = planned_.books
    year_stats = planned_.listings["book_stats"]
    todo = []
    for book in books:
        key = _key(code, book.title, book.issuer, request.as_of, areas, request.edition.name,
                   [loaded.fingerprint(case) for case in book.chosen], year_stats[book.year][1], book.pdf)
        reused = outputs.reuse(book.path, key)
        if book.pdf:
            reused = outputs.reuse(book.pdf, key) and reused
        if not reused:
            todo.append(book)
    if not todo:
        return
    request.progress(f"生成年度汇编 {len(todo)} 册……")
    job = BookJob(loaded.cases, request.as_of, areas, request.edition)
    contents = map_in_processes(_build_book, job, todo, parallel_from=2)
    site = outputs.site
    if todo[0].pdf:
        from generator.office.bookpdf import finish_books

        request.progress(f"用 LibreOffice 排版汇编并生成 PDF（{len(todo)} 册）……")
        for book, (docx, pdf) in zip(todo, finish_books(contents)):
            for path, data in ((book.path, docx), (book.pdf, pdf)):
                (site / path).unlink(missing_ok=True)  # one of the pair may have been linked from the last build
                write_page(site / path, data)
    else:
        for book, (content, _) in zip(todo, contents):
            write_page(site / book.path, content)
    outputs.rendered += len(todo)


def _build_book(job: BookJob, book: BookPlan) -> tuple[bytes, list]:
    """(the book's .docx, its headings for the contents)."""
    from generator.office.compilation import build_book

    return build_book(job.cases, year=book.year, title=book.title, issuer=book.issuer,
                      day=job.as_of, area_order=job.areas, edition=job.edition)


# --- search index ------------------------------------------------------------------------------

def search_stage(request: BuildRequest, loaded: Loaded, analysed: Analysed, planned_: Planned,
                 outputs: SiteOutputs, linking: Pending | None = None):
    """The site's search index: the siteindex writer keeps its own record and rewrites only what changed.
    A case's search doc is made only when its analysis changed (its key) or the planner's facets are made again
    (their key is the case's listed fields, which hold every facet)."""
    from generator.infra.cachekey import code_key
    from generator.search.queryplan import load_synonyms
    from generator.siteindex.casedocs import case_search_doc
    from generator.siteindex.model import DocSource, SearchDoc
    from generator.siteindex.writer import write_site_search

    search_dir = outputs.site / "search"
    if linking is not None:  # the previous index's files, linked in the background since the pages stage
        linking.wait()
    analysis = analysed.analysis
    cases = {f"cases/{case.id}.html": case for case in loaded.cases}
    keys: dict[str, str | None] = {location: analysis[case.id].key for location, case in cases.items()}
    facets_code = code_key("generator.siteindex.casedocs")
    facet_keys = {location: facets_code + planned_.digests[case.id] for location, case in cases.items()}
    pages = _content_docs(analysed, planned_.frames)
    keys.update((doc.location, doc.key) for doc in pages)

    def make(location: str) -> SearchDoc:
        case = cases.get(location)
        if case is None:
            return pages_by_location[location]
        return case_search_doc(case, scores=analysis[case.id].scores, key=analysis[case.id].key)

    pages_by_location = {doc.location: doc for doc in pages}
    if len(keys) != len(cases) + len(pages):
        raise UserError(f"两个输出文件同名：{'、'.join(sorted(set(cases) & set(pages_by_location)))}"
                        "（手写页面与自动生成的案例页面同名）")
    project = request.project
    report = write_site_search(search_dir, DocSource(keys, make, facet_keys), synonyms=load_synonyms(project.cases_dir),
                               state_dir=project.cache_dir / f"site-search-{request.edition.name}")
    if report.fallback:
        request.progress(str(report))
    return report


def _content_docs(analysed: Analysed, frames: FrameSite) -> list:
    """The search docs of the hand-written pages (content/)."""
    from generator.siteindex.model import SearchDoc

    texts = [(page["title"], page["text"]) for page in frames.content_pages]
    tokens = analysed.segments.tokens(text for pair in texts for text in pair)
    signature = analysis_code_key()
    docs = []
    for index, page in enumerate(frames.content_pages):
        title_tokens, body_tokens = tokens[2 * index], tokens[2 * index + 1]
        key = hashlib.sha1(json.dumps([page, signature], ensure_ascii=False).encode("utf-8")).hexdigest()
        docs.append(SearchDoc(location=page["location"], title=page["title"], text=page["text"],
                              fields={"title": tuple(w for _, w, _, _ in title_tokens),
                                      "body": tuple(w for _, w, _, _ in body_tokens)}, key=key))
    return docs
