"""Page generation: case pages, browse pages, escaping of untrusted text."""

import re
from datetime import date

from conftest import HOSTILE_CASE, make_case, valid_text

from generator.site.pages import browse_href, case_page, listing_pages, slug
from generator.text.safetext import is_safe_url, markdown_to_html
from generator.core.taxonomy import load_taxonomy


def test_case_page_has_every_section_in_order():
    page = case_page(make_case(valid_text()), date(2025, 9, 15))
    headings = ["基本情况", "主要做法", "工作成效", "经验启示", "统计数字", "发现问题与整改", "线索移送", "法律政策依据"]
    positions = [page.body.index(f">{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert [text for _, text in page.toc] == headings
    assert page.title == "人大与政法委联合监督涉企案件办理" and page.path == "cases/CZ-2025-001.html"
    assert "<strong>成立联合监督组</strong>" in page.body and "<ol>" in page.body
    assert 'href="../browse/keyword/' in page.body  # keywords link to their browse pages


def test_finding_status_and_overdue_badge():
    case = make_case(valid_text())
    before = case_page(case, date(2025, 8, 31)).body
    after = case_page(case, date(2025, 9, 15)).body
    assert "超期" not in before
    assert "整改中 <span class=\"jiandu-badge jiandu-overdue\">超期 15 天</span>" in after
    assert "已销号（2025年10月8日）" in after


def test_meta_links_to_browse_pages():
    page = case_page(make_case(valid_text()), date(2025, 9, 1)).body
    assert 'href="../browse/area/执法规范.html"' in page.replace("%E6%89%A7%E6%B3%95%E8%A7%84%E8%8C%83", "执法规范")
    assert 'href="../browse/unit/' in page and 'href="../browse/mechanism/' in page


def test_hostile_text_is_escaped_and_links_inert():
    page = case_page(make_case(HOSTILE_CASE, "cases/CZ-2025-009.yaml"), date(2025, 9, 1)).body
    assert "<script" not in page and "<iframe" not in page and "<img" not in page and "<svg" not in page
    assert "onmouseover=alert" not in page.replace("onmouseover=alert(&#x27;unit&#x27;)", "")
    assert "&lt;script&gt;alert(&#x27;summary&#x27;)&lt;/script&gt;" in page
    assert "javascript:" not in page.lower()
    anchors = re.findall(r"<a[^>]*>(?:点我|再点)</a>", page)
    assert len(anchors) == 2 and not any("href" in a for a in anchors)
    assert "example.com/x.png" not in page


def test_safe_urls():
    assert is_safe_url("https://example.com/a") and is_safe_url("../cases/a.html") and is_safe_url("mailto:a@b.cn")
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "vbscript:x"]:
        assert not is_safe_url(bad), bad


def test_markdown_keeps_structure():
    html = markdown_to_html("第一段\n\n- 甲\n- **乙**\n\n第二段")
    assert html.count("<p>") == 2 and "<ul>" in html and "<strong>乙</strong>" in html


def test_slug_of_unsafe_value_cannot_escape_the_folder():
    assert slug("市公安局") == "市公安局"
    for value in ["../../etc", "a/b", "市公安局<b>", ".hidden", "x" * 80]:
        assert "/" not in slug(value) and not slug(value).startswith(".") and slug(value).startswith("v-")
    assert browse_href("unit", "a/b", "cases").startswith("../browse/unit/v-")


def test_listing_pages_cover_every_dimension():
    case = make_case(valid_text())
    pages = {page.path: page for page in listing_pages([case], load_taxonomy(), date(2025, 9, 1), {})}
    assert {"ledger.html", "clues.html", "cases/index.html", "browse/index.html"} <= set(pages)
    for dimension, value in [("area", "执法规范"), ("mechanism", "信息共享"), ("year", "2025"),
                             ("region", "常州市"), ("unit", "市中级人民法院"), ("keyword", "涉企案件")]:
        page = pages[f"browse/{dimension}/{value}.html"]
        assert "CZ-2025-001.html" in page.body, page.path
        assert f"browse/{dimension}/index.html" in pages


def test_wrapped_chinese_lines_join_without_a_space():
    html = markdown_to_html("联合监督组\n同步调查。\n\n第二段 English\nwords")
    assert "联合监督组同步调查。" in html and "English\nwords" in html


def test_headings_in_case_text_sit_below_page_sections_and_code_keeps_lines():
    html = markdown_to_html("# 大标题\n\n## 小标题\n\n    代码第一行\n    代码第二行\n")
    assert "<h3>大标题</h3>" in html and "<h4>小标题</h4>" in html and "<h1>" not in html
    assert "代码第一行\n代码第二行" in html


def test_markdown_tables_become_one_line_per_row_in_word():
    from generator.text.safetext import markdown_paragraphs

    assert markdown_paragraphs("| 项目 | 数量 |\n|---|---|\n| 评查 | 30 |") == ["项目\u3000数量", "评查\u300030"]


def test_page_only_texts_show_on_no_other_page():
    """A build plans the listing, browse, ledger, clue, compilation and home pages again only when
    listed_fields change: each of those pages is the same whatever the PAGE_ONLY_FIELDS hold."""
    from dataclasses import replace

    from conftest import sample_cases

    from generator.site.pages import PAGE_ONLY_FIELDS, compilation_page, dashboard_block, listed_fields

    cases = sample_cases()
    taxonomy = load_taxonomy()
    as_of = date(2025, 9, 1)
    issued = {}

    def other_pages(chosen):
        pages = [(page.path, page.title, page.body, page.toc) for page in
                 listing_pages(chosen, taxonomy, as_of, issued, {"下载": "a.xlsx"})]
        book = [case for case in chosen if case.replicable]
        pages.append(compilation_page(2025, book, "b.docx", "汇编", list(taxonomy.categories), "b.pdf"))
        return pages, dashboard_block(chosen, taxonomy, as_of)

    changed = [replace(case, **{name: f"改写的{name}文字" for name in PAGE_ONLY_FIELDS}) for case in cases]
    assert other_pages(changed) == other_pages(cases)
    assert [listed_fields(case) for case in changed] == [listed_fields(case) for case in cases]
    for name in PAGE_ONLY_FIELDS:  # each is shown on the case's own page
        assert f"改写的{name}文字" in case_page(changed[0], as_of).body, name
    assert {"title", "keywords", "findings", "clues", "typical"} & PAGE_ONLY_FIELDS == set()
