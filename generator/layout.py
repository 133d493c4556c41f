"""GB/T 9704-2012 layout for Word documents: one profile, small building blocks.

Every number comes from data/layout-gbt9704.yaml (with the clause it comes
from). Chinese fonts are set on w:eastAsia as well as w:ascii/w:hAnsi:
python-docx's font.name alone leaves Chinese text in the theme font.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import DATA_DIR
from .chinese import cn_date

PROFILE_FILE = DATA_DIR / "layout-gbt9704.yaml"
TYPE_AREA_MM = 156  # 5.2.2 版心宽度


@lru_cache(maxsize=1)
def profile() -> dict:
    """The layout numbers, as {section: {name: value}} (clauses stay in the YAML)."""
    data = yaml.safe_load(PROFILE_FILE.read_text("utf-8"))
    return {section: {name: item["value"] for name, item in items.items()} for section, items in data.items()}


def twips(points: float) -> int:
    return round(points * 20)


def doc_number(code: str, year: int, number: int) -> str:
    """发文字号 like 常政法监〔2025〕12号 (7.2.4): six-corner brackets, no 第, no padding."""
    left, right = profile()["masthead"]["number_brackets"]
    return f"{code}{left}{year}{right}{number}号"


# --- fonts and paragraphs ------------------------------------------------------------

def set_font(run_or_style, name: str, size_pt: float, color: str | None = None, bold: bool = False,
             spacing_pt: float | None = None) -> None:
    font = run_or_style.font
    font.name = name
    font.size = Pt(size_pt)
    font.bold = bold
    if color:
        font.color.rgb = RGBColor.from_string(color)
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    if spacing_pt is not None:
        spacing = rpr.find(qn("w:spacing"))
        if spacing is None:
            spacing = OxmlElement("w:spacing")
            rpr.append(spacing)
        spacing.set(qn("w:val"), str(twips(spacing_pt)))


def _exact_lines(paragraph_format, pitch_pt: float) -> None:
    paragraph_format.line_spacing = Pt(pitch_pt)
    paragraph_format.line_spacing_rule = 4  # WD_LINE_SPACING.EXACTLY
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _border(paragraph, side: str, width_pt: float, color: str, style: str = "single") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), style)
    line.set(qn("w:sz"), str(round(width_pt * 8)))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _run(paragraph, text: str, font: str, size_pt: float, color: str | None = None, spacing: float | None = None):
    run = paragraph.add_run(text)
    set_font(run, font, size_pt, color=color, spacing_pt=spacing)
    return run


@dataclass
class Letterhead:
    issuer: str
    number: str  # 发文字号, or "" for a draft
    letter: bool  # 信函格式


class OfficialDocument:
    """Building blocks composed per document kind; save() gives deterministic bytes.

    The page set-up, styles and footers are built once per process and format
    and reused: a new document resets the base's body and first-page header to
    their pristine copies. So one document per format is built at a time
    (render() builds and saves in one go).
    """

    def __init__(self, letter: bool):
        base = _base(letter)
        self.p, self.letter, self.doc = base.p, base.letter, base.doc
        for element, pristine in base.pristine:
            for child in list(element):
                element.remove(child)
            for child in pristine:
                element.append(copy.deepcopy(child))

    def _setup(self, letter: bool) -> None:
        self.p = profile()
        self.letter = letter
        self.doc = Document()
        self._page_setup()
        self._base_style()
        self._page_numbers()

    # --- page -------------------------------------------------------------------------
    def _page_setup(self) -> None:
        page = self.p["page"]
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(page["width_mm"]), Mm(page["height_mm"])
        section.top_margin, section.bottom_margin = Mm(page["top_mm"]), Mm(page["bottom_mm"])
        section.left_margin, section.right_margin = Mm(page["left_mm"]), Mm(page["right_mm"])
        section.footer_distance = Mm(page["footer_mm"])
        section.header_distance = Mm(self.p["letter"]["masthead_top_mm"] if self.letter else 15)
        self.doc.settings.odd_and_even_pages_header_footer = True
        section.different_first_page_header_footer = self.letter and not self.p["letter"]["first_page_number"]

    def _base_style(self) -> None:
        body = self.p["body"]
        style = self.doc.styles["Normal"]
        set_font(style, body["font"], body["size_pt"], spacing_pt=body["char_spacing_pt"])
        _exact_lines(style.paragraph_format, body["line_pitch_pt"])
        style.paragraph_format.widow_control = False  # a full page carries all 22 lines

    def _page_numbers(self) -> None:
        number = self.p["page_number"]
        section = self.doc.sections[0]
        for footer, align in ((section.footer, number["odd_align"]), (section.even_page_footer, number["even_align"])):
            paragraph = footer.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
            indent = Pt(number["size_pt"])  # 空一字
            if align == "right":
                paragraph.paragraph_format.right_indent = indent
            else:
                paragraph.paragraph_format.left_indent = indent
            before, after = number["format"].split("{page}")
            _run(paragraph, before, number["font"], number["size_pt"])
            self._field(paragraph, "PAGE", number["font"], number["size_pt"])
            _run(paragraph, after, number["font"], number["size_pt"])

    @staticmethod
    def _field(paragraph, instruction: str, font: str, size_pt: float) -> None:
        for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None), (None, "1"), ("end", None)):
            run = paragraph.add_run()
            set_font(run, font, size_pt)
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            elif text.strip() == instruction:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            else:
                element = OxmlElement("w:t")
                element.text = text
            run._r.append(element)

    # --- blocks -----------------------------------------------------------------------
    def _paragraph(self, text: str = "", align=None, indent_chars: int = 0, font: str | None = None,
                   size: float | None = None, color: str | None = None):
        body = self.p["body"]
        paragraph = self.doc.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent_chars:
            paragraph.paragraph_format.first_line_indent = Pt(body["size_pt"] * indent_chars)
        if text and font is None and size is None and color is None:
            paragraph.add_run(text)  # body text: font, size and spacing come from the Normal style
        elif text:
            _run(paragraph, text, font or body["font"], size or body["size_pt"], color, body["char_spacing_pt"])
        return paragraph

    def masthead(self, head: Letterhead) -> None:
        mast = self.p["masthead"]
        if self.letter:
            header = self.doc.sections[0].first_page_header.paragraphs[0]
            header.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(header, head.issuer, mast["font"], mast["size_pt"], mast["color"])
            _border(header, "bottom", 2.25, mast["rule_color"], "double")
            number = self._paragraph(head.number, WD_ALIGN_PARAGRAPH.RIGHT)
        else:
            self._paragraph(head.issuer, WD_ALIGN_PARAGRAPH.CENTER, font=mast["font"], size=mast["size_pt"],
                            color=mast["color"])
            self._paragraph()
            number = self._paragraph(head.number, WD_ALIGN_PARAGRAPH.CENTER)
            _border(number, "bottom", mast["rule_width_pt"], mast["rule_color"])
        self._paragraph()
        return number

    def title(self, text: str) -> None:
        title = self.p["title"]
        self._paragraph(text, WD_ALIGN_PARAGRAPH.CENTER, font=title["font"], size=title["size_pt"])
        self._paragraph()

    def addressee(self, text: str) -> None:
        self._paragraph(text if text.endswith("：") else text + "：")

    def heading(self, level: int, text: str) -> None:
        fonts = self.p["headings"]
        font = {1: fonts["level1_font"], 2: fonts["level2_font"]}.get(level, fonts["level3_font"])
        self._paragraph(text, indent_chars=2, font=font)

    def body(self, text: str) -> None:
        self._paragraph(text, indent_chars=self.p["body"]["first_line_indent_chars"])

    def blocks(self, markup: str) -> None:
        """Body from template output: '# ' → 一、 level, '## ' → （一）, '### ' → 1., else a paragraph."""
        for line in markup.splitlines():
            line = line.strip()
            if not line:
                continue
            match = re.match(r"^(#{1,3})\s+(.*)$", line)
            if match:
                self.heading(len(match.group(1)), match.group(2))
            else:
                self.body(line)

    def signature(self, issuer: str, day: date) -> None:
        size = self.p["body"]["size_pt"]
        self._paragraph()
        self._paragraph()
        for text in (issuer, cn_date(day)):
            paragraph = self._paragraph(text, WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.right_indent = Pt(size * 4)  # 右空四字 (7.3.5.2)

    def imprint(self, copy_to: list[str], printed_by: str, printed_on: date) -> None:
        """版记 (7.4): 抄送 and 印发机关 + 印发日期 between rules (thick outside, thin between).

        It follows the signature in the flow: LibreOffice ignores the bottom anchoring of
        Word frames and floating tables, so it is not pushed to the foot of the page.
        """
        imprint = self.p["imprint"]
        lines = ["抄送：" + "，".join(copy_to) + "。"] if copy_to else []
        lines.append(f"{printed_by}\u3000\u3000{cn_date(printed_on)}印发")
        self._paragraph()
        table = self.doc.add_table(rows=len(lines), cols=1)
        properties = table._tbl.tblPr
        width = OxmlElement("w:tblW")
        width.set(qn("w:w"), str(Mm(TYPE_AREA_MM).twips))
        width.set(qn("w:type"), "dxa")
        properties.append(width)
        borders = OxmlElement("w:tblBorders")
        thick, thin = round(imprint["rule_width_pt"] * 2 * 8), round(imprint["rule_width_pt"] * 8)
        for side, size in (("top", thick), ("left", 0), ("bottom", thick), ("right", 0), ("insideH", thin),
                           ("insideV", 0)):
            line = OxmlElement(f"w:{side}")
            line.set(qn("w:val"), "single" if size else "nil")
            if size:
                line.set(qn("w:sz"), str(size))
                line.set(qn("w:color"), "000000")
            borders.append(line)
        properties.append(borders)
        for row, text in zip(table.rows, lines):
            paragraph = row.cells[0].paragraphs[0]
            paragraph.paragraph_format.left_indent = Pt(imprint["size_pt"])
            _exact_lines(paragraph.paragraph_format, self.p["body"]["line_pitch_pt"])
            _run(paragraph, text, imprint["font"], imprint["size_pt"])

    # --- output ------------------------------------------------------------------------
    def save(self, when: date) -> bytes:
        """Deterministic bytes: fixed zip timestamps and entry order, properties set from the document date."""
        stamp = datetime(when.year, when.month, when.day)
        properties = self.doc.core_properties
        properties.created = properties.modified = stamp
        properties.last_printed = stamp
        properties.author = properties.last_modified_by = "jiandu"
        properties.revision = 1
        return package_bytes(self.doc)


@lru_cache(maxsize=2)
def _base(letter: bool) -> "OfficialDocument":
    base = object.__new__(OfficialDocument)
    base._setup(letter)
    changing = [base.doc.element.body, base.doc.sections[0].first_page_header._element,
                base.doc.settings.element]
    base.pristine = [(element, [copy.deepcopy(child) for child in element]) for element in changing]
    return base


def rewrite_zip(data: bytes, replacements: dict[str, bytes]) -> bytes:
    """The same package with some parts replaced, in the same order, with the same fixed timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(name, replacements.get(name, source.read(name))) for name in source.namelist()]
    return _zip(entries)


def package_bytes(doc) -> bytes:
    """The .docx zip written directly from the package parts, in a fixed order with fixed timestamps
    (python-docx's own writer stamps the current time, so the same document would differ byte-wise)."""
    from docx.opc.pkgwriter import _ContentTypesItem

    package = doc.part.package
    parts = list(package.parts)
    entries = [("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob), ("_rels/.rels", package.rels.xml)]
    for part in parts:
        entries.append((part.partname.membername, part.blob))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    return _zip(entries)


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, blob in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, blob)
    return out.getvalue()
