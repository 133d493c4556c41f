"""整改落实跟踪台账: one row per finding, as .xlsx (openpyxl) or landscape .docx."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.core.enrich import BLUE, RED, YELLOW, FindingState, finding_states
from generator.text.chinese import cn_date
from generator.core.model import Case
from generator.core.problems import UserError
from generator.core.project import Project
from generator.text.textwidth import width
from generator.office.outputs import save_output

HEADERS = ["序号", "案例", "来源文书及文号", "问题", "整改要求", "责任单位", "整改期限", "状态", "销号日期", "标识"]
FLAG_FILLS = {RED: "FFC7CE", YELLOW: "FFEB9C", BLUE: "BDD7EE"}
SOURCE_KINDS = ("整改通知书", "督办通知", "监督建议书")


@dataclass(frozen=True)
class Row:
    number: int
    case: str
    source: str
    problem: str
    requirement: str
    unit: str
    deadline: date
    status: str
    closed_on: date | None
    flag: str


def rows(cases: list[Case], as_of: date, *, issued: dict | None = None, year: int | None = None,
         unit: str | None = None) -> list[Row]:
    states = [s for s in finding_states(cases, as_of)
              if (year is None or s.case.year == year) and (unit is None or s.finding.unit == unit)]
    states.sort(key=lambda s: (s.case.date, s.case.id, s.finding.id))
    return [_ledger_row(number, state, (issued or {}).get(state.case.id, ())) for number, state in enumerate(states, 1)]


def _ledger_row(number: int, state: FindingState, entries) -> Row:
    documents = [f"{e.kind}（{e.doc_number}）" for e in entries
                 if e.kind in SOURCE_KINDS and e.addressee == state.finding.unit]
    return Row(number=number, case=f"{state.case.id} {state.case.title}", source="；".join(documents) or "—",
               problem=state.finding.problem, requirement=state.finding.requirement, unit=state.finding.unit,
               deadline=state.finding.deadline, status=state.status_text, closed_on=state.finding.closed_on,
               flag=state.flag or "")


def _cells(row: Row) -> list:
    return [row.number, row.case, row.source, row.problem, row.requirement, row.unit, row.deadline, row.status,
            row.closed_on, row.flag]


def xlsx_bytes(ledger: list[Row], title: str, as_of: date | None = None) -> bytes:
    """The ledger as a workbook, streamed row by row (openpyxl's write-only mode: a third of the time at
    15,000 findings, and the sheet never held in memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("整改台账")
    for index, header in enumerate(HEADERS, 1):
        longest = max([width(header)] + [width(str(_cells(r)[index - 1] or "")) for r in ledger])
        sheet.column_dimensions[get_column_letter(index)].width = 12 if index in (7, 9) else min(max(longest + 2, 8), 48)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{len(ledger) + 1}"
    sheet.oddHeader.center.text = title
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top = Alignment(vertical="top", wrap_text=True)
    fills = {flag: PatternFill("solid", fgColor=colour) for flag, colour in FLAG_FILLS.items()}

    def cell(value, **style):
        made = WriteOnlyCell(sheet, value)
        if made.data_type == "f":  # case text such as "=HYPERLINK(…)" must not become a live formula
            made.data_type = "s"
        for name, setting in style.items():
            setattr(made, name, setting)
        return made

    sheet.append([cell(header, font=Font(bold=True, name="黑体"), alignment=centred) for header in HEADERS])
    for row in ledger:
        cells = [cell(value, alignment=top) for value in _cells(row)]
        for column in (6, 8):
            cells[column].number_format = "yyyy-mm-dd"
        if row.flag:
            cells[9].fill = fills[row.flag]
        sheet.append(cells)
    notes = book.create_sheet("说明")
    notes.column_dimensions["A"].width = 80
    for line in (title, f"统计截至 {(as_of or date.today()).isoformat()}（“状态”中的剩余或超期天数按此日期计算）",
                 "标识：红＝超期 30 天以上；黄＝超期 30 天以内；蓝＝7 天内到期"):
        notes.append([line])
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(ledger: list[Row], title: str, as_of: date) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from generator.office.layout import add_page_numbers, package_bytes, set_font
    from generator.office.profile import profile

    p = profile()
    document = Document()
    _landscape(document.sections[0], p)
    set_font(document.styles["Normal"], p["body"]["font"], 10.5)
    add_page_numbers(document, p)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(heading.add_run(title), p["title"]["font"], p["title"]["size_pt"])
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(note.add_run(f"统计截至 {cn_date(as_of)}　共 {len(ledger)} 项"), p["body"]["font"], 12)
    plain, flagged = _docx_ledger_table(document, p)
    data = package_bytes(document)
    return _with_rows(data, "".join(_ledger_tr_xml(plain, flagged, row) for row in ledger))


def _landscape(section, p: dict) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(p["page"]["height_mm"]), Mm(p["page"]["width_mm"])
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.footer_distance = Mm(10.5)  # the 14 pt page-number line centred 7 mm below the table area (7.5)


def _docx_ledger_table(document, p: dict) -> tuple[list[str], list[str]]:
    """The table with its header row (repeated on every page), and the XML of a styled data row, plain and with
    its flag cell shaded, as pieces between which the cell contents go (_ledger_tr_xml).

    The rows are written as text into document.xml (_with_rows): 15,000 findings as lxml elements took
    minutes through python-docx's cell styling and ~700 MB as copied elements."""
    from copy import deepcopy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from generator.office.layout import set_font

    table = document.add_table(rows=2, cols=len(HEADERS))
    table.style = "Table Grid"
    header_row, prototype = table.rows
    for row in (header_row, prototype):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row never splits across pages
    header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
    for cell, text in zip(header_row.cells, HEADERS):
        set_font(cell.paragraphs[0].add_run(text), p["headings"]["level1_font"], 10.5)
    for index, cell in enumerate(prototype.cells):
        set_font(cell.paragraphs[0].add_run(f"{_SLOT}{index}{_SLOT}"), p["body"]["font"], 10.5)
    table.autofit = False
    widths = [14, 32, 28, 41, 41, 24, 20, 25, 18, 14]  # mm, within the 257 mm between the margins;
    # 序号 and 标识 hold two 10.5 pt characters plus the cell margins (2 × 1.9 mm)
    for column, millimetres in zip(table.columns, widths):
        column.width = Mm(millimetres)  # the grid LibreOffice lays out by
        for cell in column.cells:
            cell.width = Mm(millimetres)
    plain = prototype._tr
    plain.getparent().remove(plain)
    flagged = deepcopy(plain)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), _FILL_SLOT)
    flagged.tc_lst[-1].get_or_add_tcPr().append(shading)  # after w:tcW, as the schema orders them
    return _row_pieces(plain), _row_pieces(flagged)


_SLOT = "\ue001"  # private-use character around a cell number in the prototype row
_FILL_SLOT = "FFFFFE"


def _row_pieces(tr) -> list[str]:
    """The row's XML without namespace declarations (document.xml's root holds them), split at each cell's
    <w:t>slot</w:t>: pieces[i] comes before cell i's content."""
    from lxml import etree

    xml = etree.tostring(tr, encoding="unicode")
    xml = re.sub(r'^(<w:tr)(?: xmlns:\w+="[^"]*")+', r"\1", xml)
    return re.split(f"<w:t>{_SLOT}\\d+{_SLOT}</w:t>", xml)


def _ledger_tr_xml(plain: list[str], flagged: list[str], row: Row) -> str:
    values = [str(row.number), row.case, row.source, row.problem, row.requirement, row.unit,
              cn_date(row.deadline), row.status, cn_date(row.closed_on) if row.closed_on else "", row.flag]
    pieces = flagged if row.flag else plain
    parts = [pieces[0]]
    for text, after in zip(values, pieces[1:]):
        parts += [_run_content_xml(text), after]
    xml = "".join(parts)
    return xml.replace(_FILL_SLOT, FLAG_FILLS[row.flag]) if row.flag else xml


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile("([\t\r\n])")


def _run_content_xml(text: str) -> str:
    """What python-docx's run.text setter writes into a run: w:t for text (xml:space="preserve" when it has outer
    spaces), w:tab for a tab, w:br for a line break."""
    from xml.sax.saxutils import escape

    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible")  # as lxml refuses them
    parts = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(parts)


def _with_rows(data: bytes, rows_xml: str) -> bytes:
    """The package with the data rows put at the end of its one table."""
    import zipfile

    from generator.office.layout import rewrite_zip

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    at = xml.rindex("</w:tbl>")
    return rewrite_zip(data, {"word/document.xml": (xml[:at] + rows_xml + xml[at:]).encode("utf-8")})


@dataclass(frozen=True)
class LedgerFile:
    title: str
    path: Path
    rows: int
    as_of: date


def export_ledger(project: Project, out: Path, *, fmt: str | None = None, year: int | None = None,
                  unit: str | None = None, as_of: date | None = None, force: bool = False) -> LedgerFile:
    """`jiandu ledger`: the rows of the valid cases (with the documents issued for them) written to out, as .xlsx
    or .docx (fmt, else out's extension). out is protected as every --out is (Project.write_output)."""
    from generator.office.register import entries_by_case

    as_of = as_of or date.today()
    ledger = rows(project.load_valid().cases, as_of, issued=entries_by_case(project.root), year=year, unit=unit)
    scope = "".join(filter(None, [f"{year}年" if year else "", unit or ""]))
    title = f"{scope}整改落实跟踪台账"
    fmt_given = fmt
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "docx") or (fmt_given and out.suffix.lower() not in ("", f".{fmt}")):
        raise UserError(f"输出文件 {out} 的扩展名与格式不符：请用 .xlsx 或 .docx（或用 --format 指定）")
    data = xlsx_bytes(ledger, title, as_of) if fmt == "xlsx" else docx_bytes(ledger, title, as_of)
    save_output(project, out, data, force=force)
    return LedgerFile(title, out, len(ledger), as_of)
