"""GB/T 9704 numbers read back from generated .docx files."""

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from generator.office.layout import OfficialDocument, Letterhead, cn_date
from generator.office.profile import profile

TWIPS_PER_MM = 56.7


def sample(letter: bool) -> bytes:
    document = OfficialDocument(letter=letter)
    document.masthead(Letterhead("常州市委政法委员会", "常政法监〔2025〕12号", letter))
    document.title("关于限期整改有关问题的通知")
    document.addressee("市公安局")
    document.blocks("正文第一段。\n# 一、存在的问题\n## （一）具体问题\n### 1. 细项\n正文第二段。")
    document.signature("常州市委政法委员会", date(2025, 6, 26))
    document.imprint(["市人民检察院"], "常州市委政法委员会办公室", date(2025, 6, 26))
    return document.to_docx(date(2025, 6, 26))


@pytest.fixture(scope="module", params=[False, True], ids=["ordinary", "letter"])
def docx(request):
    data = sample(request.param)
    return request.param, data, Document(io.BytesIO(data))


def test_page_geometry(docx):
    _, _, document = docx
    section = document.sections[0]
    assert abs(section.page_width.twips - 11906) <= 2 and abs(section.page_height.twips - 16838) <= 2
    assert abs(section.top_margin.mm - 37) <= 1 and abs(section.left_margin.mm - 28) <= 1
    type_width = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    type_height = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    assert abs(type_width - 156) <= 0.5 and abs(type_height - 225) <= 0.5


def test_body_style_fonts_pitch_and_spacing(docx):
    _, _, document = docx
    normal = document.styles["Normal"]
    rpr = normal.element.rPr
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size.pt == 16
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    assert int(rpr.find(qn("w:spacing")).get(qn("w:val"))) == -5  # −0.25 pt
    assert 22 * 28.95 <= 225 / 25.4 * 72 < 22 * 30


def _runs_with(document, text):
    return [run for p in document.paragraphs for run in p.runs if text in run.text]


def test_title_headings_and_masthead_fonts(docx):
    letter, _, document = docx
    def east_asia(run):
        return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    title = _runs_with(document, "关于限期整改")[0]
    assert east_asia(title) == "方正小标宋简体" and title.font.size.pt == 22
    assert east_asia(_runs_with(document, "一、存在的问题")[0]) == "黑体"
    assert east_asia(_runs_with(document, "（一）具体问题")[0]) == "楷体_GB2312"
    assert east_asia(_runs_with(document, "1. 细项")[0]) == "仿宋_GB2312"
    assert not any(run.font.bold for p in document.paragraphs for run in p.runs)
    if letter:
        header = document.sections[0].first_page_header.paragraphs[0]
        named = [run for run in header.runs if run.text]
        assert named[0].font.color.rgb.__str__() == "C00000"
        lines = header._p.findall(".//" + qn("w:drawing"))
        assert len(lines) == 4  # two red double rules: under the 标志 and at the foot of page 1 (10.1)
    else:
        assert str(_runs_with(document, "常州市委政法委员会")[0].font.color.rgb) == "C00000"
    number = _runs_with(document, "常政法监〔2025〕12号")
    assert number


def test_footer_page_numbers_odd_right_even_left(docx):
    letter, data, document = docx
    section = document.sections[0]
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()
    assert "evenAndOddHeaders" in settings
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # right, left
    assert "PAGE" in odd._p.xml and odd.text.startswith("— ") and odd.text.endswith(" —")
    assert odd.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert odd.runs[0].font.size.pt == 14
    assert section.different_first_page_header_footer == letter


def test_date_format():
    assert cn_date(date(2025, 6, 6)) == "2025年6月6日"


def test_imprint_has_copy_to_and_printer(docx):
    letter, _, document = docx
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    if letter:  # 信函格式: 版记 without 印发机关和印发日期 and without rules (10.1)
        assert cells == [] and document.paragraphs[-1].text == "抄送：市人民检察院。"
    else:
        assert cells == ["抄送：市人民检察院。", "常州市委政法委员会办公室\t2025年6月26日印发"]


def test_output_is_deterministic():
    assert sample(True) == sample(True)
    names = zipfile.ZipFile(io.BytesIO(sample(False))).infolist()
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in names)


def test_profile_names_its_clauses():
    import yaml

    from generator.office.profile import PROFILE_FILE

    raw = yaml.safe_load(PROFILE_FILE.read_text("utf-8"))
    assert all(item.get("clause") for section in raw.values() for item in section.values())
    assert profile()["page"]["top_mm"] == 37


def test_chinese_heading_numbers():
    from generator.text.chinese import cn_number

    assert [cn_number(n) for n in (1, 10, 11, 20, 21, 99)] == ["一", "十", "十一", "二十", "二十一", "九十九"]
