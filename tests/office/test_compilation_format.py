"""Issue 14: the book's headings resolve to 黑体/楷体 in Word, list items do not clash with section
numbers, the internal cover says 内部资料, the foreword's figures carry units and agree."""

import io
import re
import zipfile
from datetime import date

from conftest import sample_cases
from docx import Document
from docx.oxml.ns import qn

from generator.office.compilation import build_book, figure_unit
from generator.core.edition import INTERNAL, PUBLIC
from generator.core.taxonomy import load_taxonomy

DAY = date(2026, 11, 23)


def book(year, edition=INTERNAL):
    areas = list(load_taxonomy().categories)
    data, _ = build_book(sample_cases(), year=year, title=f"{year}年度汇编", issuer="常州市委政法委员会", day=DAY,
                         area_order=areas, edition=edition)
    return data


def test_heading_styles_name_their_fonts_without_theme_fonts():
    data = book(2024)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()
    document = Document(io.BytesIO(data))
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体_GB2312")):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font
        assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")], fonts.attrib
    assert 'w:eastAsia="ja-JP"' not in settings and 'w:eastAsia="zh-CN"' in settings
    assert styles  # read as a whole package


def test_list_items_take_the_level_below_the_numbered_sections():
    texts = [p.text for p in Document(io.BytesIO(book(2024))).paragraphs]
    sections = [t for t in texts if re.match(r"^\d+\. ", t)]
    items = [t for t in texts if re.match(r"^（\d+）", t)]
    assert sections and items
    assert not [t for t in texts if re.match(r"^\d+\.\S", t)]  # no 1.xxx list item beside 1. 基本情况


def test_internal_cover_says_internal_and_public_does_not():
    internal = [p.text for p in Document(io.BytesIO(book(2024))).paragraphs][:8]
    public = [p.text for p in Document(io.BytesIO(book(2024, PUBLIC))).paragraphs][:8]
    assert "内部资料" in internal and "内部资料" not in public


def test_foreword_figures_have_units_and_do_not_repeat_record_counts():
    texts = [p.text for p in Document(io.BytesIO(book(2026))).paragraphs]
    line = next(t for t in texts if t.startswith("各案例报告的主要数字合计"))
    assert "移送线索" not in line and "整改问题" not in line
    for item in line.removeprefix("各案例报告的主要数字合计：").rstrip("。").split("，"):
        assert re.fullmatch(r"\D+\d+(件|条|个|项|名|人|场次|次|家)", item), item
    assert figure_unit("移送线索") == "条" and figure_unit("评查案件") == "件"
