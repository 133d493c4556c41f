"""The 整改落实跟踪台账, read back from .xlsx (openpyxl) and .docx."""

import io
from datetime import date

from conftest import sample_cases
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from generator.office.ledger import FLAG_FILLS, HEADERS, docx_bytes, rows, xlsx_bytes
from generator.office.register import Entry

AS_OF = date(2026, 11, 23)
ISSUED = {"CZ-2026-001": [Entry(1, "常政法监", 2026, 1, "常政法监〔2026〕1号", "整改通知书", "CZ-2026-001",
                                "市市场监督管理局", "2026-11-16", "x", "0")]}


def test_rows_and_filters():
    ledger = rows(sample_cases(), AS_OF, issued=ISSUED)
    assert len(ledger) == 22 and [r.number for r in ledger] == list(range(1, 23))
    flagged = {r.case.split()[0] + r.problem[:4]: r.flag for r in ledger if r.flag}
    assert sorted(flagged.values()) == ["红", "红", "蓝", "黄"]
    source = next(r for r in ledger if r.unit == "市市场监督管理局")
    assert source.source == "整改通知书（常政法监〔2026〕1号）"
    assert all(r.unit == "市公安局" for r in rows(sample_cases(), AS_OF, unit="市公安局"))
    assert {r.case[:11] for r in rows(sample_cases(), AS_OF, year=2026)} <= {"CZ-2026-001", "HA-2026-001", "JMS-2026-00"}


def test_xlsx_read_back():
    book = load_workbook(io.BytesIO(xlsx_bytes(rows(sample_cases(), AS_OF, issued=ISSUED), "整改落实跟踪台账")))
    sheet = book.active
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:J{sheet.max_row}"
    assert sheet.max_row == 23
    deadline = sheet.cell(2, 7)
    assert deadline.is_date and deadline.value.date() == rows(sample_cases(), AS_OF)[0].deadline
    red = [r for r in range(2, 24) if sheet.cell(r, 10).value == "红"]
    assert red and all(sheet.cell(r, 10).fill.fgColor.rgb.endswith("FFC7CE") for r in red)
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width


def test_docx_read_back():
    document = Document(io.BytesIO(docx_bytes(rows(sample_cases(), AS_OF), "整改落实跟踪台账", AS_OF)))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADERS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert len(table.rows) == 23
    first = table.rows[1].cells[3].paragraphs[0].runs[0]
    assert first._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert "统计截至 2026年11月23日" in "".join(p.text for p in document.paragraphs)


def test_formula_like_text_stays_text():
    from dataclasses import replace

    first = next(c for c in sample_cases() if c.findings)
    hostile = replace(first, findings=(replace(first.findings[0], problem='=HYPERLINK("http://evil","点击")'),))
    sheet = load_workbook(io.BytesIO(xlsx_bytes(rows([hostile], AS_OF), "t"))).active
    cell = sheet.cell(2, 4)
    assert cell.value == '=HYPERLINK("http://evil","点击")' and cell.data_type == "s"


def test_docx_columns_have_their_own_widths_and_xlsx_states_the_date():
    document = Document(io.BytesIO(docx_bytes(rows(sample_cases(), AS_OF), "t", AS_OF)))
    grid = [int(col.get(qn("w:w"))) for col in document.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[0] < grid[3] and sum(grid) <= 257 * 57
    book = load_workbook(io.BytesIO(xlsx_bytes(rows(sample_cases(), AS_OF), "t", AS_OF)))
    assert "统计截至 2026-11-23" in book["说明"]["A2"].value


def test_docx_rows_keep_their_styling_flags_and_line_breaks():
    """Rows are copies of a styled prototype row: each one must still carry what python-docx would have set."""
    from dataclasses import replace

    ledger = rows(sample_cases(), AS_OF)
    ledger[0] = replace(ledger[0], problem="第一行\n第二行\t缩进 <&> ")
    table = Document(io.BytesIO(docx_bytes(ledger, "t", AS_OF))).tables[0]
    body = table.rows[1:]
    assert [r.cells[0].text for r in body] == [str(n) for n in range(1, len(ledger) + 1)]
    assert body[0].cells[3].text == "第一行\n第二行\t缩进 <&> "
    assert body[0].cells[3]._tc.find(".//" + qn("w:br")) is not None
    for row, source in zip(body, ledger):
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        assert [c.text for c in row.cells][4:6] == [source.requirement, source.unit]
        widths = [c._tc.tcPr.find(qn("w:tcW")) for c in row.cells]
        assert all(w is not None for w in widths)
        shading = row.cells[-1]._tc.tcPr.find(qn("w:shd"))
        if source.flag:  # after w:tcW, as the schema orders a cell's properties
            assert shading.get(qn("w:fill")) == FLAG_FILLS[source.flag]
            assert list(row.cells[-1]._tc.tcPr).index(shading) > list(row.cells[-1]._tc.tcPr).index(widths[-1])
        else:
            assert shading is None
        fonts = row.cells[2].paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
