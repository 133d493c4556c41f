"""GB/T 9704-2012 layout for Word documents: one profile, small building blocks.

Every number comes from data/layout-gbt9704.yaml (with the clause it comes
from). Chinese fonts are set on w:eastAsia as well as w:ascii/w:hAnsi:
python-docx's font.name alone leaves Chinese text in the theme font.
"""

from __future__ import annotations

import copy
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.text.paragraph import Paragraph
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from generator.office.profile import profile
from generator.text.chinese import cn_date

TYPE_AREA_MM = 156  # 5.2.1 版心宽度


def twips(points: float) -> int:
    return round(points * 20)


# --- ECMA-376 order of property children (Word drops children out of schema order) -------

SCHEMA_ORDER = {
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
            "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
            "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"),
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
              "tblCaption", "tblDescription"),
    "tcPr": ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"),
    "sectPr": ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"),
    "pBdr": ("top", "left", "bottom", "right", "between", "bar"),
    "tblBorders": ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV"),
    "tcBorders": ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "tl2br", "tr2bl"),
}


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def child(parent, name: str):
    """parent's w:name child, created at its schema position if missing."""
    found = parent.find(qn(f"w:{name}"))
    if found is not None:
        return found
    element = OxmlElement(f"w:{name}")
    order = SCHEMA_ORDER[_local(parent)]
    rank = order.index(name)
    for index, existing in enumerate(parent):
        local = _local(existing)
        if local in order and order.index(local) > rank:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


# --- fonts and paragraphs ------------------------------------------------------------

AMBIGUOUS = "“”‘’—…·－"  # East Asian width "A": Word takes the w:hAnsi font unless the run hints eastAsia


def set_font(run_or_style, name: str, size_pt: float, color: str | None = None, bold: bool = False,
             spacing_pt: float | None = None) -> None:
    font = run_or_style.font
    font.name = name
    font.size = Pt(size_pt)
    font.bold = bold
    if color:
        font.color.rgb = RGBColor.from_string(color)
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = child(rpr, "rFonts")
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)  # a theme font wins over the named one in Word
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    if spacing_pt is not None:
        child(rpr, "spacing").set(qn("w:val"), str(twips(spacing_pt)))


def east_asian_language(rpr) -> None:
    """Chinese for every script: LibreOffice and Word pick glyphs (and theme fonts) by language."""
    lang = child(rpr, "lang")
    for attribute in ("w:val", "w:eastAsia"):
        lang.set(qn(attribute), "zh-CN")


def _exact_lines(paragraph_format, pitch_pt: float) -> None:
    paragraph_format.line_spacing = Pt(pitch_pt)
    paragraph_format.line_spacing_rule = 4  # WD_LINE_SPACING.EXACTLY
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _border(paragraph, side: str, width_pt: float, color: str, style: str = "single") -> None:
    line = child(child(paragraph._p.get_or_add_pPr(), "pBdr"), side)
    line.set(qn("w:val"), style)
    line.set(qn("w:sz"), str(round(width_pt * 8)))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)


def _right_tab(paragraph, position_twips: int) -> None:
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(position_twips))
    child(paragraph._p.get_or_add_pPr(), "tabs").append(tab)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HINT = ' w:hint="eastAsia"'
ALIGN_VALUES = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right",
                WD_ALIGN_PARAGRAPH.LEFT: "left", WD_ALIGN_PARAGRAPH.JUSTIFY: "both"}


@lru_cache(maxsize=64)
def _rpr_prototype(font: str | None, size_pt: float | None, color: str | None, spacing: float | None,
                   hint: bool):
    """Run properties in schema order, built once and copied: python-docx's setters are slow."""
    parts = []
    if font or hint:
        names = "".join(f' w:{a}="{font}"' for a in ("ascii", "hAnsi", "eastAsia", "cs")) if font else ""
        parts.append(f'<w:rFonts{names}{HINT if hint else ""}/>')
    if font:
        parts.append('<w:b w:val="0"/>')
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if spacing is not None:
        parts.append(f'<w:spacing w:val="{twips(spacing)}"/>')
    if size_pt:
        parts.append(f'<w:sz w:val="{round(size_pt * 2)}"/>')
    return parse_xml(f'<w:rPr xmlns:w="{W_NS}">{"".join(parts)}</w:rPr>') if parts else None


@lru_cache(maxsize=64)
def _ppr_prototype(align: str | None, first_line_twips: int, pitch_twips: int | None):
    parts = []
    if pitch_twips:
        parts.append(f'<w:spacing w:before="0" w:after="0" w:line="{pitch_twips}" w:lineRule="exact"/>')
    if first_line_twips:
        parts.append(f'<w:ind w:firstLine="{first_line_twips}"/>')
    if align:
        parts.append(f'<w:jc w:val="{align}"/>')
    return parse_xml(f'<w:pPr xmlns:w="{W_NS}">{"".join(parts)}</w:pPr>')


def _append_run(p_element, text: str, rpr) -> None:
    run = p_element.makeelement(qn("w:r"), {})
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    if text == "\t":
        run.append(run.makeelement(qn("w:tab"), {}))
    else:
        node = run.makeelement(qn("w:t"), {})
        node.text = text
        if text != text.strip():
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(node)
    p_element.append(run)


def _styled_run(paragraph, text: str, font: str, size_pt: float, color: str | None = None, spacing: float | None = None):
    """Runs for text in one font; ambiguous-width punctuation gets its own run hinted East Asian."""
    for piece in re.findall(f"[{AMBIGUOUS}]+|[^{AMBIGUOUS}]+", text):
        _append_run(paragraph._p, piece, _rpr_prototype(font, size_pt, color, spacing, piece[0] in AMBIGUOUS))


def _text_runs(paragraph, text: str) -> None:
    """Body text in the Normal style's font; ambiguous-width punctuation hinted East Asian."""
    for piece in re.findall(f"[{AMBIGUOUS}]+|[^{AMBIGUOUS}]+", text):
        _append_run(paragraph._p, piece, _rpr_prototype(None, None, None, None, piece[0] in AMBIGUOUS))


# --- line model: every line has an exact height, so the page layout can be predicted ------

NO_LINE_START = set("，。、；：？！）》」』】〕”’…—%·")
NO_LINE_END = set("（《「『【〔“‘")


def text_units(ch: str) -> float:
    """Width in em: CJK, full-width forms and ambiguous punctuation 1, other characters ½."""
    if ch == "\u3000" or ord(ch) >= 0x2E80 or ch in AMBIGUOUS:
        return 1.0
    return 0.5


def count_lines(text: str, capacity: float, first_indent: float = 0.0) -> int:
    """Lines a paragraph takes when characters of text_units() fill capacity em per line,
    with the usual Chinese line-breaking rules (no closing mark at a line start)."""
    lines, used = 1, first_indent
    for index, ch in enumerate(text):
        width = text_units(ch)
        if used + width > capacity + 1e-6:
            lines += 1
            # a closing mark cannot start a line: the previous character moves down with it
            used = (text_units(text[index - 1]) if ch in NO_LINE_START and index else 0) + width
        else:
            used += width
    return lines


@dataclass
class FlowBlock:
    """One paragraph (or table row) in the flow: lines of an exact height."""
    lines: int
    pitch: float
    break_before: bool = False  # the word processor moves it to a new page (keep-with-next)


def place(blocks: list[FlowBlock], page_pt: float, start_pt: float = 0.0) -> list[tuple[int, float, int, float]]:
    """(first page, top, last page, bottom) in points from the type-area top for each block, as a word
    processor breaks pages: a line that does not fit goes to the next page. start_pt: where page 1 starts."""
    page, y, out = 0, start_pt, []
    for block in blocks:
        if block.break_before and y > 0:
            page, y = page + 1, 0.0
        first = top = None
        for _ in range(block.lines):
            if y + block.pitch > page_pt + 0.01:
                page, y = page + 1, 0.0
            if first is None:
                first, top = page, y
            y += block.pitch
        out.append((page if first is None else first, y if top is None else top, page, y))
    return out


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


def add_page_numbers(doc, p: dict) -> None:
    """Page numbers “— N —” in 4号宋体, odd pages right and even pages left, 空一字 (7.5)."""
    number = p["page_number"]
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in ((section.footer, number["odd_align"]), (section.even_page_footer, number["even_align"])):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
        _exact_lines(paragraph.paragraph_format, number["size_pt"])
        indent = Pt(number["size_pt"])  # 空一字
        if align == "right":
            paragraph.paragraph_format.right_indent = indent
        else:
            paragraph.paragraph_format.left_indent = indent
        before, after = number["format"].split("{page}")
        _styled_run(paragraph, before, number["font"], number["size_pt"])
        _field(paragraph, "PAGE", number["font"], number["size_pt"])
        _styled_run(paragraph, after, number["font"], number["size_pt"])


@dataclass
class Letterhead:
    issuer: str
    number: str  # 发文字号, or "" for a draft
    letter: bool  # 信函格式
    signer: str = ""  # 签发人 of an upward document (上行文)


def _line_drawing(shape_id: int, x_mm: float, y_mm: float, length_mm: float, width_pt: float, color: str):
    """A horizontal line anchored to the page (DrawingML shape: Word, WPS and LibreOffice place it alike)."""
    emu = 36000
    xml = (
        f'<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        f'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{shape_id}" '
        f'behindDoc="1" locked="1" layoutInCell="1" allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{round(x_mm * emu)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{round(y_mm * emu)}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{round(length_mm * emu)}" cy="0"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapNone/><wp:docPr id="{shape_id}" name="rule{shape_id}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvCnPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{round(length_mm * emu)}" cy="0"/>'
        f'</a:xfrm><a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
        f'<a:ln w="{round(width_pt * 12700)}" cmpd="sng"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln>'
        f'</wps:spPr><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>')
    from docx.oxml import parse_xml

    return parse_xml(xml)


class OfficialDocument:
    """Building blocks composed per document kind; save() gives deterministic bytes.

    Every paragraph has an exact line height, so the layout is known without a word processor:
    the flow is recorded block by block and the 版记 is pushed to the foot of the last page by
    blank lines (7.4.1), and the 署名 never opens a page on its own (7.3.5.5).

    The page set-up, styles and footers are built once per process and format
    and reused: a new document resets the base's body and first-page header to
    their pristine copies. So one document per format is built at a time
    (render() builds and saves in one go).
    """

    def __init__(self, letter: bool, shared: bool = True):
        """shared=False: a document of its own, for callers that change styles or settings (the book)."""
        base = _base(letter) if shared else _fresh(letter)
        self.p, self.letter, self.doc = base.p, base.letter, base.doc
        self.fixed = base.fixed if shared else {}
        self.flow: list[FlowBlock] = []
        self.signature_blanks: list = []
        self.last_body: list = []  # the last body paragraph and its block index
        for element, pristine in base.pristine:
            for item in list(element):
                element.remove(item)
            for item in pristine:
                element.append(copy.deepcopy(item))

    def _setup(self, letter: bool) -> None:
        self.p = profile()
        self.letter = letter
        self.doc = Document()
        self._page_setup()
        self._base_style()
        self._page_numbers()
        if letter:
            self._letter_rules()
        section = self.doc.sections[0]
        for part in (section.first_page_footer, section.first_page_header, section.header, section.even_page_header):
            # an empty header or footer line in the body pitch would eat into the type area
            _exact_lines(part.paragraphs[0].paragraph_format, self.p["page_number"]["size_pt"])

    # --- page -------------------------------------------------------------------------
    @property
    def pitch(self) -> float:
        return self.p["body"]["line_pitch_pt"]

    @property
    def page_pt(self) -> float:
        page = self.p["page"]
        return (page["height_mm"] - page["top_mm"] - page["bottom_mm"]) * 72 / 25.4

    @property
    def start_pt(self) -> float:
        """Where the body starts on page 1: the letter format's header reaches below the top margin."""
        return self.page_pt - (int(self.page_pt // self.pitch) - 1) * self.pitch if self.letter else 0.0

    def _page_setup(self) -> None:
        page = self.p["page"]
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(page["width_mm"]), Mm(page["height_mm"])
        section.top_margin, section.bottom_margin = Mm(page["top_mm"]), Mm(page["bottom_mm"])
        section.left_margin, section.right_margin = Mm(page["left_mm"]), Mm(page["right_mm"])
        section.footer_distance = Mm(page["footer_mm"])
        section.header_distance = Mm(self._letter_header_mm() if self.letter else 15)
        self.doc.settings.odd_and_even_pages_header_footer = True
        section.different_first_page_header_footer = self.letter and not self.p["letter"]["first_page_number"]
        theme_lang = self.doc.settings.element.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            theme_lang.set(qn("w:eastAsia"), "zh-CN")

    def _letter_header_mm(self) -> float:
        """Header distance that puts the top of the 标志 glyphs 30 mm below the page edge. The line is exactly
        as high as the font; the ideographs then start about 0.125–0.15 em above the line top (measured with
        LibreOffice), and the header ends below the top margin, so page 1 holds one line less."""
        return self.p["letter"]["masthead_top_mm"] + 0.125 * self.p["letter"]["masthead_size_pt"] * 25.4 / 72

    def _base_style(self) -> None:
        body = self.p["body"]
        style = self.doc.styles["Normal"]
        set_font(style, body["font"], body["size_pt"], spacing_pt=body["char_spacing_pt"])
        east_asian_language(style.element.get_or_add_rPr())
        _exact_lines(style.paragraph_format, body["line_pitch_pt"])
        style.paragraph_format.widow_control = False  # a full page carries all 22 lines

    def _page_numbers(self) -> None:
        add_page_numbers(self.doc, self.p)

    def _letter_rules(self) -> None:
        """The two red double rules of the 信函格式 (10.1), drawn on page 1 from its header."""
        letter, mast = self.p["letter"], self.p["masthead"]
        page = self.p["page"]
        header = self.doc.sections[0].first_page_header.paragraphs[0]
        x = (page["width_mm"] - letter["rule_length_mm"]) / 2
        glyph_bottom = letter["masthead_top_mm"] + letter["masthead_size_pt"] * 25.4 / 72
        thick, thin = letter["thick_pt"] * 25.4 / 72, letter["thin_pt"] * 25.4 / 72
        gap = letter["pair_gap_mm"]
        top = glyph_bottom + letter["rule_gap_mm"]
        centre = page["height_mm"] - letter["rule_bottom_mm"]
        lines = [(top + thick / 2, letter["thick_pt"]), (top + thick + gap + thin / 2, letter["thin_pt"]),
                 (centre - gap / 2 - thin / 2, letter["thin_pt"]), (centre + gap / 2 + thick / 2, letter["thick_pt"])]
        for shape_id, (y, width) in enumerate(lines, 1):
            run = header.add_run()
            run._r.append(_line_drawing(shape_id, x, y, letter["rule_length_mm"], width, mast["rule_color"]))


    # --- blocks -----------------------------------------------------------------------
    def _paragraph(self, text: str = "", align=None, indent_chars: int = 0, font: str | None = None,
                   size: float | None = None, color: str | None = None, pitch: float | None = None,
                   lines: int | None = None):
        body = self.p["body"]
        element = self.doc.element.body.makeelement(qn("w:p"), {})
        first_line = twips(body["size_pt"] * indent_chars) if indent_chars else 0
        element.append(copy.deepcopy(_ppr_prototype(ALIGN_VALUES.get(align), first_line,
                                                     twips(pitch) if pitch is not None else None)))
        self.doc.element.body.sectPr.addprevious(element)
        paragraph = Paragraph(element, self.doc._body)
        if text and font is None and size is None and color is None:
            _text_runs(paragraph, text)  # body text: font, size and spacing come from the Normal style
        elif text:
            _styled_run(paragraph, text, font or body["font"], size or body["size_pt"], color, body["char_spacing_pt"])
        if lines is None:
            per_line = body["chars_per_line"] * body["size_pt"] / (size or body["size_pt"])
            lines = count_lines(text, per_line, indent_chars) if text else 1
        self.flow.append(FlowBlock(lines, pitch or self.pitch))
        return paragraph

    def masthead(self, head: Letterhead):
        mast = self.p["masthead"]
        if self.letter:
            header = self.doc.sections[0].first_page_header.paragraphs[0]
            header.alignment = WD_ALIGN_PARAGRAPH.CENTER
            size = self.p["letter"]["masthead_size_pt"]
            _exact_lines(header.paragraph_format, size)
            _styled_run(header, head.issuer, mast["font"], size, mast["color"])
            self._paragraph()  # the first line of page 1 lies under the double rule
            number = self._paragraph(head.number, WD_ALIGN_PARAGRAPH.RIGHT)
            for _ in range(self.p["letter"]["title_gap_lines"]):
                self._paragraph()
            return number
        top_pt = mast["top_mm"] * 72 / 25.4
        spacer = self._paragraph(pitch=top_pt - 0.04 * mast["size_pt"])
        spacer.paragraph_format.keep_with_next = True
        self._paragraph(head.issuer, WD_ALIGN_PARAGRAPH.CENTER, font=mast["font"], size=mast["size_pt"],
                        color=mast["color"], pitch=mast["size_pt"] * 1.25, lines=1)
        self._paragraph()
        self._paragraph()
        if head.signer:  # 上行文: 发文字号 居左空一字, 签发人 居右空一字 on one line (7.2.5, 7.2.6)
            body = self.p["body"]
            number = self._paragraph(lines=1)  # no indents: the red rule under it spans the type area
            _text_runs(number, "\u3000" + head.number)
            _append_run(number._p, "\t", None)
            _text_runs(number, "签发人：")
            _styled_run(number, head.signer, mast["signer_font"], body["size_pt"], spacing=body["char_spacing_pt"])
            _right_tab(number, Mm(TYPE_AREA_MM).twips - twips(2 * body["size_pt"]))
        else:
            number = self._paragraph(head.number, WD_ALIGN_PARAGRAPH.CENTER)
        _border(number, "bottom", mast["rule_width_pt"], mast["rule_color"])
        self._paragraph()
        return number

    def title(self, text: str | list[str]) -> None:
        """The title, broken by hand into the given lines (7.3.1), then one empty line."""
        title = self.p["title"]
        lines = [text] if isinstance(text, str) else list(text)
        paragraph = self._paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, lines=len(lines))
        for index, line in enumerate(lines):
            if index:
                paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:br/></w:r>'))
            _styled_run(paragraph, line, title["font"], title["size_pt"], spacing=self.p["body"]["char_spacing_pt"])
        self._paragraph()

    def addressee(self, text: str) -> None:
        self._paragraph(text if text.endswith("：") else text + "：")

    def numbered_heading(self, level: int, text: str) -> None:
        fonts = self.p["headings"]
        font = {1: fonts["level1_font"], 2: fonts["level2_font"]}.get(level, fonts["level3_font"])
        self.last_body = [self._paragraph(text, indent_chars=2, font=font), len(self.flow) - 1]

    def body(self, text: str) -> None:
        paragraph = self._paragraph(text, indent_chars=self.p["body"]["first_line_indent_chars"])
        self.last_body = [paragraph, len(self.flow) - 1]

    def blocks(self, markup: str) -> None:
        """Body from template output: '# ' → 一、 level, '## ' → （一）, '### ' → 1., else a paragraph."""
        for line in markup.splitlines():
            line = line.strip()
            if not line:
                continue
            match = re.match(r"^(#{1,3})\s+(.*)$", line)
            if match:
                self.numbered_heading(len(match.group(1)), match.group(2))
            elif line.startswith("附件："):  # 附件说明: 正文下空一行左空二字 (7.3.4)
                self._paragraph()
                self.body(line)
            else:
                self.body(line)

    def signature(self, issuer: str, day: date) -> None:
        """署名 centred over the 成文日期, which stands 右空四字 (7.3.5.1); never alone on a page (7.3.5.5)."""
        body = self.p["body"]
        char = body["size_pt"] + body["char_spacing_pt"]
        date_text = cn_date(day)
        right = self.p["signature"]["date_right_chars"]
        name_right = right + (sum(map(text_units, date_text)) - sum(map(text_units, issuer))) / 2
        blanks = self.p["signature"]["blank_lines"]
        # fewer empty lines, then the last body paragraph moves along, if the 署名 would open a page
        while True:
            chain = [FlowBlock(1, self.pitch)] * (blanks + 2)
            placed = place(self.flow + chain, self.page_pt, self.start_pt)
            body_end = placed[len(self.flow) - 1][2]
            together = placed[-2][0] == placed[-1][2] == body_end  # 署名 and date on the body's last page
            if together or blanks == 0:
                break
            blanks -= 1
        separated = not together
        if separated and self.last_body and self.flow[self.last_body[1]].lines < 12:
            # the last body paragraph moves along as a whole: keep-lines-together and keep-with-next are
            # honoured alike by Word, WPS and LibreOffice (with keep-with-next alone they move different lines)
            paragraph, index = self.last_body
            paragraph.paragraph_format.keep_together = True
            paragraph.paragraph_format.keep_with_next = True
            block = self.flow[index]
            self.flow[index] = FlowBlock(block.lines, block.pitch, break_before=True)
            blanks = self.p["signature"]["blank_lines"]
        self.signature_blanks = []
        for _ in range(blanks):
            blank = self._paragraph()
            blank.paragraph_format.keep_with_next = True
            self.signature_blanks.append((blank, len(self.flow) - 1))
        name = self._paragraph(issuer, WD_ALIGN_PARAGRAPH.RIGHT, lines=1)
        name.paragraph_format.right_indent = Pt(max(name_right, 0) * char)
        name.paragraph_format.keep_with_next = True
        stamp = self._paragraph(date_text, WD_ALIGN_PARAGRAPH.RIGHT, lines=1)
        stamp.paragraph_format.right_indent = Pt(right * char)

    def imprint(self, copy_to: list[str], printed_by: str, printed_on: date) -> None:
        """版记 at the foot of the last page, in one piece (7.4.1): 抄送 (7.4.2) and, in the ordinary format,
        印发机关和印发日期 (7.4.3) between rules; the letter format prints 抄送 only, without rules (10.1)."""
        imprint = self.p["imprint"]
        size, indent = imprint["size_pt"], imprint["indent_chars"] * imprint["size_pt"]
        copy_line = "抄送：" + "，".join(copy_to) + "。" if copy_to else ""
        capacity = (Mm(TYPE_AREA_MM).pt - 2 * indent) / size
        rows = ([copy_line] if copy_line else []) + ([] if self.letter else [""])
        row_lines = [count_lines(text, capacity) if text else 1 for text in rows]
        if not rows:
            return
        # LibreOffice adds the rules' widths to the rows' heights
        height = sum(row_lines) * self.pitch + (0 if self.letter else imprint["rule_width_pt"] * (4 + len(rows) - 1) + 1)
        self._push_to_the_foot(height - 0.01)  # rounding: a line that exactly fits, fits
        if self.letter:
            paragraph = self._paragraph(lines=row_lines[0])
            paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Pt(indent)
            paragraph.paragraph_format.keep_together = True
            _styled_run(paragraph, copy_line, imprint["font"], size)
            return
        self._imprint_table(rows, printed_by, printed_on)

    def _push_to_the_foot(self, height: float) -> None:
        """Blank lines so that a block of height ends at the foot of this page, or else of the next one."""
        free = self.page_pt - place(self.flow, self.page_pt, self.start_pt)[-1][3]
        while free < height and self.signature_blanks:  # closer to the 署名 rather than a page of its own
            blank, index = self.signature_blanks.pop()
            blank._p.getparent().remove(blank._p)
            del self.flow[index]
            free = self.page_pt - place(self.flow, self.page_pt, self.start_pt)[-1][3]
        if free < height:  # the rest of this page stays empty; the 版记 goes to the foot of the next one
            fill = int(free // self.pitch) + int((self.page_pt - height) // self.pitch)
        else:
            fill = int((free - height) // self.pitch)
        for _ in range(fill):
            self._paragraph()

    def _imprint_table(self, rows: list[str], printed_by: str, printed_on: date) -> None:
        """The ordinary format's 版记: one row each, thick rules first and last, thin ones between (7.4.1)."""
        imprint = self.p["imprint"]
        size, indent = imprint["size_pt"], imprint["indent_chars"] * imprint["size_pt"]
        table = self.doc.add_table(rows=len(rows), cols=1)
        properties = table._tbl.tblPr
        width = child(properties, "tblW")
        width.set(qn("w:w"), str(Mm(TYPE_AREA_MM).twips))
        width.set(qn("w:type"), "dxa")
        borders = child(properties, "tblBorders")
        thick, thin = round(imprint["rule_width_pt"] * 2 * 8), round(imprint["rule_width_pt"] * 8)
        for side, weight in (("top", thick), ("left", 0), ("bottom", thick), ("right", 0), ("insideH", thin),
                             ("insideV", 0)):
            line = child(borders, side)
            line.set(qn("w:val"), "single" if weight else "nil")
            if weight:
                line.set(qn("w:sz"), str(weight))
                line.set(qn("w:color"), "000000")
        for row, text in zip(table.rows, rows):
            row_properties = row._tr.get_or_add_trPr()
            row_properties.append(OxmlElement("w:cantSplit"))
            paragraph = row.cells[0].paragraphs[0]
            paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Pt(indent)
            paragraph.paragraph_format.keep_with_next = True
            _exact_lines(paragraph.paragraph_format, self.pitch)
            if text:
                _styled_run(paragraph, text, imprint["font"], size)
            else:  # 印发机关 左空一字, 印发日期 右空一字 (7.4.3)
                _styled_run(paragraph, printed_by, imprint["font"], size)
                _append_run(paragraph._p, "\t", None)
                _styled_run(paragraph, f"{cn_date(printed_on)}印发", imprint["font"], size)
                _right_tab(paragraph, Mm(TYPE_AREA_MM).twips - twips(2 * indent))
        # a document cannot end with a table: the paragraph after it is 1 pt high, so it stays on the page
        end = self.doc.add_paragraph()
        _exact_lines(end.paragraph_format, 1)
        mark = OxmlElement("w:sz")
        mark.set(qn("w:val"), "2")
        child(end._p.get_or_add_pPr(), "rPr").append(mark)

    # --- output ------------------------------------------------------------------------
    def to_docx(self, when: date) -> bytes:
        """Deterministic bytes: fixed zip timestamps and entry order, properties set from the document date."""
        stamp = datetime(when.year, when.month, when.day)
        properties = self.doc.core_properties
        properties.created = properties.modified = stamp
        properties.last_printed = stamp
        properties.author = properties.last_modified_by = "jiandu"
        properties.revision = 1
        return package_bytes(self.doc, self.fixed)


def _fresh(letter: bool) -> "OfficialDocument":
    base = object.__new__(OfficialDocument)
    base._setup(letter)
    base.pristine = []
    return base


@lru_cache(maxsize=2)
def _base(letter: bool) -> "OfficialDocument":
    base = _fresh(letter)
    changing = [base.doc.element.body, base.doc.sections[0].first_page_header._element,
                base.doc.settings.element]
    base.pristine = [(element, [copy.deepcopy(item) for item in element]) for element in changing]
    # parts that are the same in every document of this format (styles, theme, footers, settings ...)
    varying = {base.doc.part.partname.membername, "docProps/core.xml",
               base.doc.sections[0].first_page_header.part.partname.membername}
    base.fixed = {name: blob for name, blob in package_entries(base.doc, {}) if name.endswith(".xml")
                  and not name.endswith(".rels") and name not in varying}
    return base


def rewrite_zip(data: bytes, replacements: dict[str, bytes]) -> bytes:
    """The same package with some parts replaced, in the same order, with the same fixed timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(name, replacements.get(name, source.read(name))) for name in source.namelist()]
    return _zip(entries)


def package_bytes(doc, fixed: dict | None = None) -> bytes:
    """The .docx zip written directly from the package parts, in a fixed order with fixed timestamps
    (python-docx's own writer stamps the current time, so the same document would differ byte-wise).
    fixed: bytes of entries known not to have changed (serialising them again is the slow part)."""
    return _zip(package_entries(doc, fixed or {}), frozenset(fixed or ()))


def package_entries(doc, fixed: dict) -> list[tuple[str, bytes]]:
    from docx.opc.pkgwriter import _ContentTypesItem

    package = doc.part.package
    parts = list(package.parts)
    entries = [("[Content_Types].xml", fixed.get("[Content_Types].xml") or _ContentTypesItem.from_parts(parts).blob),
               ("_rels/.rels", package.rels.xml)]
    for part in parts:
        name = part.partname.membername
        entries.append((name, fixed[name] if name in fixed else part.blob))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    return entries


_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, time 00:00: fixed so equal documents are equal bytes


@lru_cache(maxsize=256)
def _deflated(blob: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate) of one entry; the parts every document shares are compressed once."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return zlib.crc32(blob), packer.compress(blob) + packer.flush()


def _zip(entries: list[tuple[str, bytes]], shared: frozenset = frozenset()) -> bytes:
    """A deflated zip with fixed timestamps; entries named in shared are compressed once per process."""
    out, directory = io.BytesIO(), []
    for name, blob in entries:
        crc, data = _deflated(blob) if name in shared else _deflated.__wrapped__(blob)
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, _DOS_DATE, crc, len(data), len(blob),
                              len(encoded), 0))
        out.write(encoded)
        out.write(data)
        directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, 20, 0x800, 8, 0, _DOS_DATE, crc,
                                     len(data), len(blob), len(encoded), 0, 0, 0, 0, 0o644 << 16, offset) + encoded)
    start = out.tell()
    for record in directory:
        out.write(record)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), out.tell() - start,
                          start, 0))
    return out.getvalue()
