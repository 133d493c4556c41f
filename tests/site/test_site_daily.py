"""Pages staff use every day: statute pages, paginated listings, keyword cloud, chart links,
the filterable ledger with its downloads, the compilation by area, issued documents linked."""

import dataclasses
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from conftest import AS_OF, valid_text
from conftest import make_case

from generator.site.pages import (
    PAGE_SIZE,
    DIMENSIONS,
    all_cases_pages,
    case_page,
    compilation_page,
    dashboard_block,
    dimension_index,
    group_by,
    ledger_pages,
    statute_name,
)
from generator.core.project import Project
from generator.site.build import LEDGER_DOWNLOADS, build_site
from generator.core.taxonomy import load_taxonomy


def many(count: int):
    base = make_case(valid_text())
    return [dataclasses.replace(base, id=f"CZ-2020-{n:04d}", date=base.date - timedelta(days=n)) for n in range(count)]


def test_statute_name_is_the_cited_law():
    assert statute_name("《中华人民共和国刑事诉讼法》第二百八十六条") == "《中华人民共和国刑事诉讼法》"
    assert statute_name("  两高三部《关于规范量刑程序若干问题的意见》") == "《关于规范量刑程序若干问题的意见》"
    assert statute_name("宪法第一百三十四条") == "宪法第一百三十四条"


def test_case_page_summary_first_print_button_and_statute_links():
    case = make_case(valid_text())
    body = case_page(case, AS_OF).body
    assert body.index("jiandu-summary") < body.index('class="jiandu-meta"')
    assert f'data-jiandu-case="{case.id}"' in body and "data-jiandu-print" in body
    legal = re.search(r'<ul class="jiandu-legal">.*?</ul>', body, re.S).group(0)
    assert legal.count('href="../browse/statute/') == len(case.legal_basis)


def test_issued_documents_linked_only_when_given_files():
    from generator.office.register import Entry

    case = make_case(valid_text())
    entry = Entry(1, "常政法监", 2025, 1, "常政法监〔2025〕1号", "整改通知书", case.id, "市中级人民法院", "2025-07-01",
                  "0" * 64, "0" * 64)
    plain = case_page(case, AS_OF, issued=[entry]).body
    linked = case_page(case, AS_OF, issued=[entry], issued_files={entry.doc_number: "documents/1-通知.docx"}).body
    assert "常政法监〔2025〕1号" in plain and "documents/" not in plain
    assert 'href="../documents/1-%E9%80%9A%E7%9F%A5.docx" download>常政法监〔2025〕1号</a>' in linked


def test_listings_are_paginated_and_carry_dates_for_sorting():
    cases = many(PAGE_SIZE * 2 + 5)
    pages = all_cases_pages(cases)
    assert [p.path for p in pages] == ["cases/index.html", "cases/index.p2.html", "cases/index.p3.html"]
    rows = [page.body.count("<tr data-date=") for page in pages]
    assert rows == [PAGE_SIZE, PAGE_SIZE, 5]
    assert 'href="index.p2.html" rel="next"' in pages[0].body and 'href="index.p2.html" rel="prev"' in pages[2].body
    assert 'aria-current="page" href="index.p3.html"' in pages[2].body
    dates = re.findall(r'data-date="([\d-]+)"', "".join(p.body for p in pages))
    assert dates == sorted(dates, reverse=True)  # newest first, across pages
    assert 'data-jiandu-sort="desc"' in pages[0].body


def test_keyword_index_groups_and_sizes_by_use():
    taxonomy = load_taxonomy()
    cases = many(3)
    cases[0] = dataclasses.replace(cases[0], keywords=["共同词", "独有甲"])
    cases[1] = dataclasses.replace(cases[1], keywords=["共同词", "独有乙"])
    cases[2] = dataclasses.replace(cases[2], keywords=["共同词"])
    keyword = next(d for d in DIMENSIONS if d.key == "keyword")
    body = dimension_index(keyword, group_by(cases, keyword), taxonomy).body
    shared, single = body.split('id="single"')
    assert 'class="jiandu-size-4"' in shared and "共同词" in shared and "3 件" in shared
    assert "独有甲" in single and "独有乙" in single and "jiandu-count" not in single


def test_dashboard_bars_link_to_their_listings():
    home = dashboard_block(many(2), load_taxonomy(), AS_OF)
    area = re.search(r'<svg[^>]*id="chart-area".*?</svg>', home, re.S).group(0)
    assert 'href="browse/area/' in area and 'role="group"' in area
    assert 'href="ledger.html?status=' in home and 'href="browse/year/2025.html"' in home


def test_ledger_page_filters_sorts_and_downloads():
    cases = [make_case(valid_text())]
    [page] = ledger_pages(cases, date(2025, 9, 15), {}, dict(LEDGER_DOWNLOADS))
    rows = re.findall(r"<tr data-rank=\"\d+\" data-deadline=\"([\d-]+)\"[^>]*data-open=\"(\d)\" data-overdue=\"(\d)\"",
                      page.body)
    assert len(rows) == len(cases[0].findings)
    opened = [r for r in rows if r[1] == "1"]
    assert rows[:len(opened)] == opened  # open findings first, the nearest deadline first
    assert [r[0] for r in opened] == sorted(r[0] for r in opened)
    assert ("1", "1") in {(r[1], r[2]) for r in rows}  # one open, overdue finding on this day
    for name in ("status", "flag", "unit", "order"):
        assert f'<select name="{name}">' in page.body
    assert "size: A4 landscape" in page.body
    assert 'href="%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.xlsx" download' in page.body


def test_a_long_ledger_is_split_into_pages():
    from generator.site.pages import LEDGER_PAGE_SIZE

    cases = many(LEDGER_PAGE_SIZE // 2 + 1)  # two findings each
    pages = ledger_pages(cases, AS_OF, {})
    total = sum(len(c.findings) for c in cases)
    assert [p.path for p in pages][:2] == ["ledger.html", "ledger.p2.html"]
    assert sum(p.body.count("<tr data-rank=") for p in pages) == total
    assert all(p.body.count("<tr data-rank=") <= LEDGER_PAGE_SIZE for p in pages)
    assert 'rel="next"' in pages[0].body and "筛选只作用于本页" in pages[0].body


def test_compilation_page_grouped_by_area_in_taxonomy_order():
    taxonomy = load_taxonomy()
    areas = list(taxonomy.categories)
    cases = many(3)
    cases = [dataclasses.replace(c, category=areas[2 - i]) for i, c in enumerate(cases)]
    body = compilation_page(2025, cases, "书.docx", "书", areas, "书.pdf").body
    headings = re.findall(r'<h2 id="area-\d+">[一二三]、(.+?)（', body)
    assert headings == [a for a in areas if a in {c.category for c in cases}]
    assert 'href="%E4%B9%A6.pdf" download' in body


def test_build_writes_ledger_files_and_links_issued_documents(library):
    from openpyxl import load_workbook

    from generator.core.edition import PUBLIC
    from generator.office.register import issue

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    issued = package.getvalue()
    issue(library, code="常政法监", year=2025, kind="整改通知书", case="CZ-2025-001", addressee="市中级人民法院",
          day="2025-07-01", render=lambda number: issued, out_dir=library / "documents")
    build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda message: None)
    site = library / "site"
    book = load_workbook(io.BytesIO((site / "整改台账.xlsx").read_bytes()))
    assert book.active.max_row == 1 + sum(len(c.findings) for c in Project.at(library).load_valid().cases)
    assert (site / "整改台账.docx").stat().st_size > 5000
    page = (site / "cases" / "CZ-2025-001.html").read_text("utf-8")
    link = re.search(r'href="\.\./(documents/[^"]+)" download>常政法监〔2025〕1号', page).group(1)
    from urllib.parse import unquote

    assert (site / unquote(link)).read_bytes() == issued
    assert (site / "browse" / "statute" / "index.html").is_file()

    build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda message: None, edition=PUBLIC)
    public = library / "site-public"
    assert not (public / "整改台账.xlsx").exists() and not (public / "documents").exists()


@pytest.mark.office
def test_build_with_pdf_adds_book_pdf_with_page_numbers(library):
    import subprocess

    build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda message: None, book_pdf=True)
    folder = library / "site" / "compilation"
    pdfs = list(folder.glob("*.pdf"))
    assert len(pdfs) == 1
    text = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"言\.{3,}\s*[1-9]\d*\n", text)  # the foreword's page number in the contents
    assert "\u2063" not in text  # no placeholder left
    page = (folder / "2025.html").read_text("utf-8")
    assert re.search(r'href="[^"]+\.pdf" download', page)


def test_listing_filter_data_holds_every_case_of_the_edition():
    import json

    from generator.site.pages import DATA_CHUNK, case_data_scripts

    cases = many(DATA_CHUNK + 3)
    cases[0] = dataclasses.replace(cases[0], title="标题</script><script>alert(1)</script>")
    scripts = case_data_scripts(cases)
    assert [path for path, _ in scripts] == ["data/cases-0.js", "data/cases-1.js"]
    records = []
    for _, script in scripts:
        assert "<" not in script.split("\n", 1)[1]  # no markup can close a script element
        records += json.loads(script[script.index("jianduCaseData, ") + len("jianduCaseData, "):script.rindex(");")])
    assert [r[0] for r in records] == [c.id for c in cases]
    assert records[0][1] == "标题</script><script>alert(1)</script>"
    page = all_cases_pages(cases)[0].body
    assert 'id="jiandu-list-filter"' in page and 'data-chunks="2"' in page and "data-jiandu-static" in page
