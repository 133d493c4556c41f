"""Whole-site build with MkDocs: structure, search index, offline use, atomic replacement."""

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import AS_OF, HOSTILE_CASE

from generator.core.problems import LibraryError, UserError
from generator.core.project import Project
from generator.site.build import build_site


def event_handler_attributes(html_text: str) -> list[str]:
    """Attributes named on… on real tags, as a browser would parse them."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(f"{tag}.{name}" for name, _ in attrs if name.lower().startswith("on"))

    Collector().feed(html_text)
    return found


def build(root: Path, **kwargs):
    return build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda message: None, **kwargs)


def test_every_case_has_a_page_and_none_is_in_the_nav(sample_site):
    site = sample_site / "site"
    case_ids = [p.stem for p in (sample_site / "cases").rglob("*.yaml")]
    assert len(case_ids) >= 14
    for case_id in case_ids:
        assert (site / "cases" / f"{case_id}.html").is_file()
    home = (site / "index.html").read_text("utf-8")
    nav_links = re.findall(r'<a href="([^"]+)" class="md-(?:nav|tabs)__link', home)
    assert "cases/index.html" in nav_links and "browse/area/index.html" in nav_links
    assert len(nav_links) < 30
    assert not any(case_id in link for link in nav_links for case_id in case_ids)


def test_browse_pages_for_every_dimension(sample_site):
    browse = sample_site / "site" / "browse"
    for dimension in ["area", "mechanism", "year", "region", "unit", "keyword"]:
        assert (browse / dimension / "index.html").is_file()
    for area in ["司法公正", "执法规范", "办案效率", "司法改革", "队伍建设"]:
        assert (browse / "area" / f"{area}.html").is_file()
    keywords = (browse / "keyword" / "index.html").read_text("utf-8")
    assert "挂案" in keywords and (browse / "keyword" / "挂案.html").is_file()


def test_site_search_finds_domain_words_and_hand_written_pages(sample_site):
    from generator.siteindex.query import plan_query

    search_dir = sample_site / "site" / "search"
    for word, case_id in [("挂案", "JMS-2024-002"), ("员额法官", "CZ-2025-002"), ("减刑假释", "JMS-2025-001"),
                          ("一案双查", "CZ-2025-002")]:
        files, locations = plan_query(search_dir, word)
        assert f"cases/{case_id}.html" in locations[:5], (word, locations)
        assert files and all(path.is_file() for path in files)
    assert "mechanisms.html" in plan_query(search_dir, "工作机制")[1]  # a hand-written page
    stub = json.loads((search_dir / "search_index.json").read_text("utf-8"))
    assert stub["docs"] == []  # material's whole-site index is not built
    assert (search_dir / "search_index.js").read_text("utf-8").startswith("var __index = ")


def test_nothing_is_fetched_from_outside(sample_site):
    fetched = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="((?:https?:)?//[^"]+)"')
    for page in (sample_site / "site").rglob("*.html"):
        text = page.read_text("utf-8")
        assert not fetched.findall(text), page
        assert "unpkg.com" not in text and "fonts.googleapis" not in text
    home = (sample_site / "site" / "index.html").read_text("utf-8")
    assert 'src="assets/javascripts/iframe-worker-shim.js"' in home


def test_failed_validation_leaves_previous_site_intact(library):
    build(library)
    index = library / "site" / "index.html"
    before = index.read_bytes()
    (library / "cases" / "2025" / "CZ-2025-002.yaml").write_text("id: CZ-2025-002\ntitle: [未闭合\n", "utf-8")
    with pytest.raises(LibraryError) as failure:
        build(library)
    assert any(p.file == "cases/2025/CZ-2025-002.yaml" for p in failure.value.problems)
    assert index.read_bytes() == before
    assert not [p for p in library.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_failed_mkdocs_build_leaves_previous_site_intact(library):
    build(library)
    before = sorted(p.relative_to(library) for p in (library / "site").rglob("*"))
    config = yaml.safe_load((library / "mkdocs.yml").read_text("utf-8"))
    config["theme"]["name"] = "no-such-theme"
    (library / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    with pytest.raises(UserError):
        build(library)
    assert sorted(p.relative_to(library) for p in (library / "site").rglob("*")) == before


def test_rebuild_replaces_the_site(library):
    build(library)
    (library / "cases" / "2024" / "HA-2024-002.yaml").unlink()
    report = build(library)
    assert report.cases == 1
    assert not (library / "site" / "cases" / "HA-2024-002.html").exists()


def test_hostile_case_renders_as_text(library):
    (library / "cases" / "2025" / "CZ-2025-009.yaml").write_text(HOSTILE_CASE, "utf-8")
    build(library)
    for page in (library / "site").rglob("*.html"):
        text = page.read_text("utf-8")
        assert "<script>alert" not in text and 'href="javascript:' not in text.lower(), page
        assert not event_handler_attributes(text), page
    case_page = (library / "site" / "cases" / "CZ-2025-009.html").read_text("utf-8")
    assert "正文&lt;script&gt;alert('background')&lt;/script&gt;" in case_page


@pytest.mark.parametrize("target", ["cases", "content", ".", ".."])
def test_refuses_to_build_over_project_folders(library, target):
    before = sorted(p.relative_to(library) for p in library.rglob("*"))
    with pytest.raises(UserError, match="不能把网站输出到"):
        build(library, site_dir=library / target)
    assert sorted(p.relative_to(library) for p in library.rglob("*")) == before


def test_refuses_to_replace_a_folder_it_did_not_build(library, tmp_path):
    other = tmp_path / "papers"
    other.mkdir()
    (other / "report.docx").write_text("重要文件", "utf-8")
    with pytest.raises(UserError, match="不是 jiandu 生成的网站"):
        build(library, site_dir=other)
    assert (other / "report.docx").read_text("utf-8") == "重要文件"
    build(library, site_dir=tmp_path / "fresh")
    build(library, site_dir=tmp_path / "fresh")
    assert (tmp_path / "fresh" / ".jiandu-site").is_file()


def test_value_named_index_does_not_replace_the_browse_index(library):
    path = library / "cases" / "2024" / "HA-2024-002.yaml"
    path.write_text(path.read_text("utf-8").replace("region: 淮安市", "region: index"), "utf-8")
    build(library)
    index = (library / "site" / "browse" / "region" / "index.html").read_text("utf-8")
    assert "常州市" in index and "index" in index


def test_issued_documents_are_listed_on_their_case_page(library):
    from generator.office.register import issue

    issue(library, code="常政法监", year=2025, kind="整改通知书", case="CZ-2025-001", addressee="市中级人民法院",
          day="2025-07-01", render=lambda number: b"docx", out_dir=library / "documents")
    build(library)
    page = (library / "site" / "cases" / "CZ-2025-001.html").read_text("utf-8")
    assert "已印发文书" in page and "常政法监〔2025〕1号" in page and "2025年7月1日" in page
    assert "已印发文书" not in (library / "site" / "cases" / "HA-2024-002.html").read_text("utf-8")


def test_case_pages_list_similar_cases_from_the_index(sample_site):
    page = (sample_site / "site" / "cases" / "JMS-2024-002.html").read_text("utf-8")
    similar = re.search(r'<ul class="jiandu-similar".*?</ul>', page, re.S).group(0)
    links = re.findall(r'href="\.\./cases/([A-Z]+-\d{4}-\d{3,4})\.html"', similar)
    assert 1 <= len(links) <= 5 and "JMS-2024-002" not in links
    assert all((sample_site / "site" / "cases" / f"{case_id}.html").is_file() for case_id in links)
    assert "共同关键词" in similar


def _site_record(library):
    from generator.infra.buildstate import BuildState

    record = BuildState(library / "build" / "cache").record("site-internal", "")
    return record.keys, record.meta


def test_failure_in_the_middle_of_a_build_leaves_everything_intact(library, monkeypatch):
    import generator.site.build as site_module

    build(library)
    before = {p.relative_to(library): p.read_bytes() for p in (library / "site").rglob("*") if p.is_file()}
    state_before = _site_record(library)
    assert state_before[0]
    real_write_page = site_module.write_page
    written = []

    def write_then_fail(path, html):
        real_write_page(path, html)
        written.append(path)
        if len(written) == 3:
            raise RuntimeError("断电")

    monkeypatch.setattr(site_module, "write_page", write_then_fail)
    path = library / "cases" / "2025" / "CZ-2025-001.yaml"
    path.write_text(path.read_text("utf-8").replace("人大与政法委联合监督涉企案件办理", "改过的标题用于测试"), "utf-8")
    with pytest.raises(RuntimeError):
        build(library)
    after = {p.relative_to(library): p.read_bytes() for p in (library / "site").rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in library.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert state_before == _site_record(library)
    monkeypatch.undo()
    build(library)
    assert "改过的标题用于测试" in (library / "site" / "cases" / "CZ-2025-001.html").read_text("utf-8")


def test_dashboard_charts_carry_the_right_numbers(sample_site):
    from conftest import sample_cases

    from generator.core.stats import compute

    stats = compute(sample_cases(), AS_OF)
    home = (sample_site / "site" / "index.html").read_text("utf-8")
    assert "数据截至 2026年11月23日" in home
    for chart_id, expected in (("chart-area", stats.by_area), ("chart-status", stats.findings_by_status),
                               ("chart-year", {f"{y}年": n for y, n in stats.by_year.items()})):
        svg = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', home, re.S).group(0)
        bars = dict(re.findall(r'data-label="([^"]+)" data-value="(\d+)"', svg))
        assert {k: int(v) for k, v in bars.items()} == expected
        for label, value in expected.items():
            assert f">{label}</text>" in svg and f">{value}</text>" in svg  # text kept as text
    assert f'<div class="jiandu-figure-value">{stats.findings}</div>' in home


def test_ledger_and_clue_pages(sample_site):
    ledger = (sample_site / "site" / "ledger.html").read_text("utf-8")
    assert ledger.count("jiandu-flag-red") >= 2 + 1  # two red rows plus the legend
    assert '<option value="市中级人民法院">' in ledger and 'data-unit="市中级人民法院"' in ledger
    clues = (sample_site / "site" / "clues.html").read_text("utf-8")
    assert clues.count('class="jiandu-clue"') == 15
    assert clues.count('<li class="done">结果反馈</li>') == 11


def test_compilation_section_with_downloads(sample_site):
    index = (sample_site / "site" / "compilation" / "index.html").read_text("utf-8")
    assert 'href="2024.html"' in index and "2024年度可复制可推广经验汇编" in index
    page = (sample_site / "site" / "compilation" / "2024.html").read_text("utf-8")
    links = re.findall(r'href="([^"]+\.docx)" download', page)
    assert len(links) == 1
    from urllib.parse import unquote

    book = sample_site / "site" / "compilation" / unquote(links[0])
    assert book.is_file() and book.stat().st_size > 10_000
    assert "JMS-2024-002.html" in page
