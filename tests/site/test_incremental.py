"""Incremental builds: an edit shows up everywhere it should and nowhere stale.

The strongest check: after edits, the site a warm rebuild leaves behind is
byte-for-byte the site a cold build of the same files makes.
"""

import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, REPO

from generator.core.project import Project
from generator.site.build import build_site
from generator.siteindex.query import plan_query, query_site

EDITED = "cases/2025/CZ-2025-001.yaml"
OLD_TITLE = "人大常委会与市委政法委联席会议推动监督贯通协调"
NEW_TITLE = "人大常委会与政法委联席会议推动监督贯通改为测试标题"


def build(root: Path):
    return build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda message: None)


def sample_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "organisation.yaml", "register.jsonl"):
        shutil.copy(REPO / name, root / name)
    for name in ("content", "cases"):
        shutil.copytree(REPO / name, root / name)
    return root


def site_files(root: Path) -> dict[str, bytes]:
    """Every page and download of a site (the search index is compared by its answers instead:
    its document numbers depend on the order documents arrived in)."""
    site = root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and not p.relative_to(site).as_posix().startswith("search/") and p.name != ".jiandu-site"}


def edit(root: Path, old: str, new: str, path: str = EDITED) -> None:
    file = root / path
    text = file.read_text("utf-8")
    assert old in text
    file.write_text(text.replace(old, new), "utf-8")


@pytest.fixture(scope="module")
def warm_and_cold(tmp_path_factory):
    """One project built, edited (title, a keyword, typical flag), added to and cut, rebuilt warm;
    and a cold build of the same files."""
    warm = sample_project(tmp_path_factory.mktemp("warm"))
    first = build(warm)
    unchanged = build(warm)
    edit(warm, OLD_TITLE, NEW_TITLE)
    edit(warm, "typical: true", "typical: false")
    edit(warm, "keywords: [联席会议,", "keywords: [联席会商,")
    added = (REPO / "cases" / "2024" / "HA-2024-001.yaml").read_text("utf-8")
    (warm / "cases" / "2026").mkdir(exist_ok=True)
    (warm / "cases" / "2026" / "HA-2026-009.yaml").write_text(
        added.replace("HA-2024-001", "HA-2026-009").replace("2024-", "2026-").replace("title: ", "title: 新增：", 1),
        "utf-8")
    (warm / "cases" / "2023" / "YC-2023-001.yaml").unlink()
    after_edit = build(warm)
    cold = tmp_path_factory.mktemp("cold")
    for name in ("mkdocs.yml", "organisation.yaml", "register.jsonl", "content", "cases"):
        source = warm / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, cold / name)
    build(cold)
    return warm, cold, first, unchanged, after_edit


def test_a_rebuild_without_changes_renders_nothing(warm_and_cold):
    _, _, first, unchanged, _ = warm_and_cold
    assert first.rendered > 100 and first.frames_rendered
    assert unchanged.rendered == 0 and not unchanged.frames_rendered


def test_an_edit_rerenders_only_what_depends_on_it(warm_and_cold):
    _, _, first, _, after_edit = warm_and_cold
    assert 0 < after_edit.rendered < first.rendered


def test_warm_rebuild_equals_a_cold_build(warm_and_cold):
    warm, cold, *_ = warm_and_cold
    warm_files, cold_files = site_files(warm), site_files(cold)
    assert sorted(warm_files) == sorted(cold_files)
    different = [path for path in warm_files if warm_files[path] != cold_files[path]]
    assert different == []


def test_the_build_state_after_the_edits_equals_a_cold_builds(warm_and_cold):
    """Records saved bucket by bucket over three builds hold what one cold build saves (validate's keys are file
    times and inodes, the site record's meta names its folder and build: those differ by nature)."""
    import pickle

    from generator.infra.buildstate import BuildState

    warm, cold, *_ = warm_and_cold
    states = [BuildState(root / "build" / "cache") for root in (warm, cold)]
    assert set(states[0]._heads) == set(states[1]._heads) >= {"validate", "pii", "analysis", "similar-internal"}
    for stage in states[1]._heads:
        code = pickle.loads(states[1]._heads[stage])[0]
        warm_record, cold_record = (state.record(stage, code) for state in states)
        assert warm_record.code == code and warm_record.values == cold_record.values, stage
        if stage != "validate":
            assert warm_record.keys == cold_record.keys, stage
        if not stage.startswith(("validate", "site-")):
            assert warm_record.meta == cold_record.meta, stage


def test_the_edit_shows_everywhere_and_the_old_text_nowhere(warm_and_cold):
    warm, *_ = warm_and_cold
    site = warm / "site"
    stale = [path for path, data in site_files(warm).items() if OLD_TITLE.encode() in data]
    assert stale == []
    for page in ["cases/CZ-2025-001.html", "cases/index.html", "browse/region/常州市.html", "browse/year/2025.html",
                 "browse/keyword/联席会商.html"]:
        assert NEW_TITLE in (site / page).read_text("utf-8"), page
    assert not (site / "browse" / "keyword" / "联席会议.html").exists() or \
        "CZ-2025-001" not in (site / "browse" / "keyword" / "联席会议.html").read_text("utf-8")
    linked_from = [path for path, data in site_files(warm).items()
                   if path.startswith("cases/CZ-") is False and path.startswith("cases/") and b"CZ-2025-001.html" in data]
    assert linked_from, "some case lists the edited case as similar"
    assert all(NEW_TITLE.encode() in site_files(warm)[path] for path in linked_from)


def test_added_and_removed_cases(warm_and_cold):
    warm, *_ = warm_and_cold
    site = warm / "site"
    assert (site / "cases" / "HA-2026-009.html").is_file()
    assert not (site / "cases" / "YC-2023-001.html").exists()
    everything = b"".join(site_files(warm).values())
    assert b"YC-2023-001" not in everything
    home = (site / "index.html").read_text("utf-8")
    assert "收录案例 <strong>17</strong> 件" in home  # one added, one removed


def search_answers(root: Path, query: str) -> tuple:
    """What a search shows: the results in order, and each facet's counts (the planner's files)."""
    found = query_site(root / "site" / "search", query, top=1000)
    return [item["location"] for item in found.items], found.facets


def test_search_answers_match_a_cold_build(warm_and_cold):
    warm, cold, *_ = warm_and_cold
    for query in ["联席会商", "测试标题", "挂案", "减刑假释", "检察建议", "联席会议"]:
        assert plan_query(warm / "site" / "search", query)[1] == plan_query(cold / "site" / "search", query)[1], query
        assert search_answers(warm, query) == search_answers(cold, query), query  # typical: a facet changed
    assert "cases/CZ-2025-001.html" in plan_query(warm / "site" / "search", "测试标题")[1]
    removed = (REPO / "cases" / "2023" / "YC-2023-001.yaml").read_text("utf-8")
    assert not any("YC-2023-001" in p.read_text("utf-8") for p in (warm / "site" / "search").rglob("*.js")), removed[:0]


def cold_copy(warm: Path, cold: Path) -> Path:
    cold.mkdir(parents=True)
    for name in ("mkdocs.yml", "organisation.yaml", "register.jsonl", "content", "cases"):
        source = warm / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, cold / name)
    build(cold)
    return cold


def test_an_edit_of_page_only_text_plans_no_listing(tmp_path, monkeypatch):
    """Listings, their filter data and the planner's facets are kept from the last build without being planned
    while no case's listed fields change; a listing page the previous site lacks is planned and made after all.
    Either way the site is the one a cold build makes."""
    import generator.site.build as site_module
    from generator.siteindex.planfiles import PLAN_DIR

    warm = sample_project(tmp_path / "warm")
    build(warm)
    planned = []
    real_plans, real_home = site_module.listing_plans, site_module.dashboard_block
    monkeypatch.setattr(site_module, "listing_plans", lambda *a, **k: planned.append(1) or real_plans(*a, **k))
    monkeypatch.setattr(site_module, "dashboard_block", lambda *a, **k: planned.append(2) or real_home(*a, **k))
    plan_files = (warm / "site" / "search" / PLAN_DIR / "facets.js").stat().st_ino
    edit(warm, "summary: 常州市建立", "summary: 改过的导语：常州市建立")
    report = build(warm)
    assert planned == [] and report.rendered >= 1
    assert (warm / "site" / "search" / PLAN_DIR / "facets.js").stat().st_ino == plan_files  # kept (a link)
    assert "改过的导语" in (warm / "site" / "cases" / "CZ-2025-001.html").read_text("utf-8")
    (warm / "site" / "browse" / "region" / "常州市.html").unlink()  # gone from the previous site: made again
    (warm / "site" / "cases" / "CZ-2024-001.html").unlink()
    edit(warm, "summary: 改过的导语", "summary: 再次改过的导语")
    build(warm)
    assert planned == [1] and (warm / "site" / "cases" / "CZ-2024-001.html").is_file()
    assert not [p for p in warm.iterdir() if ".tmp-" in p.name or ".old-" in p.name]  # the previous site is gone
    cold = cold_copy(warm, tmp_path / "cold")
    warm_files, cold_files = site_files(warm), site_files(cold)
    assert sorted(warm_files) == sorted(cold_files)
    assert [path for path in warm_files if warm_files[path] != cold_files[path]] == []
    for query in ["再次改过的导语", "联席会议", "挂案"]:
        assert search_answers(warm, query) == search_answers(cold, query), query


# --- what an independent review found ---------------------------------------------------

def test_editions_built_into_one_folder_never_share_pages(tmp_path):
    from generator.core.edition import PUBLIC

    root = sample_project(tmp_path / "p")
    shared = tmp_path / "shared-site"
    project = Project.at(root)
    for edition in (PUBLIC, None, PUBLIC):
        kwargs = {"edition": edition} if edition else {}
        report = build_site(project, as_of=AS_OF, site_dir=shared, quiet=True, say=lambda m: None, **kwargs)
    assert report.rendered > 100  # nothing reused from the internal build in between
    pages = b"".join(p.read_bytes() for p in shared.rglob("*.html"))
    assert "内部资料".encode() not in pages and b"CZ-2025-002" not in pages  # CZ-2025-002 is an internal case


def test_interrupted_after_the_swap_the_next_build_starts_afresh(tmp_path, monkeypatch):
    import generator.site.build as site_module

    root = sample_project(tmp_path / "p")
    build(root)
    edit(root, OLD_TITLE, NEW_TITLE)

    real_replace_dir = site_module.replace_dir

    def power_cut(new, target, **kwargs):  # right after the new site is swapped in, before its record is kept
        real_replace_dir(new, target, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(site_module, "replace_dir", power_cut)
    with pytest.raises(KeyboardInterrupt):
        build(root)
    monkeypatch.undo()
    edit(root, NEW_TITLE, OLD_TITLE)
    build(root)
    assert OLD_TITLE in (root / "site" / "cases" / "CZ-2025-001.html").read_text("utf-8")
    assert not any(NEW_TITLE.encode() in data for data in site_files(root).values())


def test_a_hand_written_page_at_a_generated_path_is_refused(tmp_path):
    from generator.core.problems import UserError

    root = sample_project(tmp_path / "p")
    build(root)
    cached = {p: p.read_bytes() for p in (root / "build" / "cache").rglob("static/**/*") if p.is_file()}
    (root / "content" / "cases").mkdir(exist_ok=True)
    (root / "content" / "cases" / "CZ-2025-001.md").write_text("# 手写\n", "utf-8")
    with pytest.raises(UserError, match="同名"):
        build(root)
    assert all(p.read_bytes() == data for p, data in cached.items())  # the previous frames are untouched


def test_a_hand_written_page_at_an_unchanged_listing_path_is_refused(tmp_path):
    """Unchanged pages are linked in another process: a clash found there fails the build just the same."""
    from generator.core.problems import UserError

    root = sample_project(tmp_path / "p")
    build(root)
    before = (root / "site" / "browse" / "region" / "常州市.html").read_bytes()
    (root / "content" / "browse" / "region").mkdir(parents=True)
    (root / "content" / "browse" / "region" / "常州市.md").write_text("# 手写\n", "utf-8")
    with pytest.raises(UserError, match="同名"):
        build(root)
    assert (root / "site" / "browse" / "region" / "常州市.html").read_bytes() == before
    assert not [p for p in root.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_the_book_follows_figures_of_cases_outside_it(tmp_path):
    import io
    import zipfile

    root = sample_project(tmp_path / "p")
    build(root)
    books = sorted((root / "site" / "compilation").glob("2024*.docx"))
    assert books
    edit(root, "梳理案件: 41", "梳理案件: 410987", "cases/2024/CZ-2024-001.yaml")  # not in the book itself
    build(root)
    xml = zipfile.ZipFile(io.BytesIO(books[0].read_bytes())).read("word/document.xml").decode("utf-8")
    assert "0987" in xml  # the foreword counts every case of the year


def test_a_damaged_segment_cache_is_replaced(tmp_path):
    root = sample_project(tmp_path / "p")
    build(root)
    for path in (root / "build" / "cache").glob("segments-*.sqlite"):
        path.write_bytes(b"this is not a database" * 100)
    for path in (root / "build" / "cache").glob("analysis-*.pickle"):
        path.unlink()
    build(root)
    assert "联席会议" in (root / "site" / "cases" / "CZ-2025-001.html").read_text("utf-8")
    import sqlite3

    for path in (root / "build" / "cache").glob("segments-*.sqlite"):
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM tokens").fetchone()[0] > 0


def test_the_build_leaves_the_command_line_index_to_the_command_line(tmp_path, monkeypatch):
    """The site build neither creates, updates nor deletes the Whoosh index; `jiandu index` brings it up to
    date after an edit and `jiandu search` answers from it (and rebuilds an index of another format)."""
    import generator.search.whoosh_index as search_module
    from conftest import jiandu_in_process
    from generator.search.whoosh_index import META_FILE, search, update_index
    from generator.text.segment_cache import SegmentCache

    root = sample_project(tmp_path / "p")
    project = Project.at(root)
    build(root)
    assert not (root / "build" / "index").exists()  # a first index is left to `jiandu index` / search
    update_index(project.index_dir, project.load_valid().cases, say=lambda m: None,
                 segments=SegmentCache(project.cache_dir))
    index_files = {p: p.read_bytes() for p in project.index_dir.rglob("*") if p.is_file()}
    edit(root, OLD_TITLE, NEW_TITLE)
    build(root)
    assert {p: p.read_bytes() for p in project.index_dir.rglob("*") if p.is_file()} == index_files
    assert search(project.index_dir, "测试标题") == []  # not updated by the build
    done = jiandu_in_process("index", "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert [hit.id for hit in search(project.index_dir, "测试标题")] == ["CZ-2025-001"]
    found = jiandu_in_process("search", "测试标题", "--root", str(root))
    assert found.returncode == 0 and "CZ-2025-001" in found.stdout
    monkeypatch.setattr(search_module, "INDEX_FORMAT", 999)  # an index of another format is rebuilt by the CLI
    build(root)
    assert (project.index_dir / META_FILE).exists()
    done = jiandu_in_process("index", "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert [hit.id for hit in search(project.index_dir, "测试标题")] == ["CZ-2025-001"]


def test_a_search_index_fallback_is_reported(tmp_path):
    """When the site index cannot be patched, the build rebuilds it whole and says why."""
    root = sample_project(tmp_path / "lib")
    build(root)
    edit(root, OLD_TITLE, NEW_TITLE)
    for bucket in (root / "build" / "cache").glob("site-search-*/scores/*.json"):
        bucket.unlink()
    said: list[str] = []
    report = build_site(Project.at(root), as_of=AS_OF, say=said.append)
    assert report.search_index.fallback and not report.search_index.incremental
    assert any("未能增量更新，已全部重建" in line and report.search_index.fallback in line for line in said), said
    assert plan_query(root / "site" / "search", NEW_TITLE)[1][0] == "cases/CZ-2025-001.html"
    said.clear()
    edit(root, NEW_TITLE, OLD_TITLE)
    report = build_site(Project.at(root), as_of=AS_OF, say=said.append)
    assert report.search_index.incremental and not any("未能增量更新" in line for line in said)


def test_the_ledger_downloads_follow_an_edited_finding_and_stay_otherwise(tmp_path):
    import io
    import zipfile

    root = sample_project(tmp_path / "p")
    build(root)
    docx = next((root / "site").rglob("整改台账.docx"))
    before = docx.stat().st_ino
    edit(root, "summary: ", "summary: 只改导语。", "cases/2024/CZ-2024-001.yaml")
    build(root)
    docx = next((root / "site").rglob("整改台账.docx"))
    assert docx.stat().st_ino == before  # linked from the last build, not made again
    text = (root / "cases/2024/CZ-2024-001.yaml").read_text("utf-8")
    problem = next(line for line in text.splitlines() if line.strip().startswith("problem:"))
    edit(root, problem, problem + "（经复查补充）", "cases/2024/CZ-2024-001.yaml")
    build(root)
    docx = next((root / "site").rglob("整改台账.docx"))
    xlsx = next((root / "site").rglob("整改台账.xlsx"))
    assert "经复查补充" in zipfile.ZipFile(io.BytesIO(docx.read_bytes())).read("word/document.xml").decode("utf-8")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.read_bytes())).worksheets[0]
    assert any("经复查补充" in str(cell.value) for row in sheet.iter_rows() for cell in row)
