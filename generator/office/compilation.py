"""可复制可推广经验汇编: one .docx book per year (cover, contents, foreword, cases by area).

The contents page is a real Word TOC field. Word refreshes it on opening;
for LibreOffice (which shows the field's stored result) the book is laid out
once, the page on which each heading starts is read from the PDF, and the
stored result's placeholders are replaced by those page numbers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from generator.core.edition import Edition
from generator.text.chinese import cn_date, cn_number
from generator.office.bookorder import book_cases, group_by_area
from generator.office.layout import OfficialDocument, set_font
from generator.core.model import Case
from generator.core.pii import scan_cases
from generator.core.problems import LibraryError, UserError
from generator.core.project import Project
from generator.text.safetext import markdown_blocks
from generator.core.stats import compute, percent
from generator.office.outputs import save_output

SECTIONS = (("导语", "summary"), ("基本情况", "background"), ("主要做法", "practice"), ("工作成效", "outcome"),
            ("经验启示", "insight"))


@dataclass
class Heading:
    level: int
    text: str


MARK = "\ue000"  # private-use character: where a template's text goes
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xml_text(text: str) -> str:
    """A run's text as WordprocessingML, as python-docx writes it: newline → w:br, tab → w:tab."""
    from xml.sax.saxutils import escape

    parts = re.split(r"(\n|\t)", text)
    out = []
    for part in parts:
        if part == "\n":
            out.append("<w:br/>")
        elif part == "\t":
            out.append("<w:tab/>")
        elif part:
            out.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return "".join(out)


class _Template:
    """A paragraph (or one run of it) python-docx made once with MARK as its text, split where texts go."""

    def __init__(self, element):
        from lxml import etree

        xml = etree.tostring(element, encoding="unicode")
        self.parts = re.split(rf"<w:t>{MARK}</w:t>", xml)
        if xml.count(MARK) != len(self.parts) - 1:
            raise RuntimeError("python-docx 生成的段落结构与预期不同，无法作为模板使用")

    def filled(self, *texts: str) -> str:
        out = [self.parts[0]]
        for text, part in zip(texts, self.parts[1:]):
            out.append(_xml_text(text))
            out.append(part)
        return "".join(out)


class Book:
    def __init__(self, title: str, issuer: str, day: date, internal: bool = False):
        self.document = OfficialDocument(letter=False, shared=False)  # its styles and settings change
        self.doc = self.document.doc
        self.p = self.document.p
        self.title, self.issuer, self.day = title, issuer, day
        self.internal = internal
        self.headings: list[Heading] = []
        self._style_ids: dict[str, str] = {}
        # The cases' paragraphs repeat a handful of shapes: python-docx makes each shape once
        # (a template), the thousands of paragraphs are filled in as XML text (about 40 times faster).
        self._templates: dict[tuple, _Template] = {}
        self._pending: list[str] = []
        self._heading_styles()
        self.doc.sections[0].different_first_page_header_footer = True  # no page number on the cover
        update = OxmlElement("w:updateFields")  # Word refreshes the contents (page numbers) on opening
        update.set(qn("w:val"), "true")
        self.doc.settings.element.append(update)

    def _heading_styles(self) -> None:
        fonts = self.p["headings"]
        for name, font in (("Heading 1", fonts["level1_font"]), ("Heading 2", fonts["level2_font"])):
            style = self.doc.styles[name]
            set_font(style, font, self.p["body"]["size_pt"], color="000000")
            style.font.bold = False
            style.font.italic = False
            fmt = style.paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.line_spacing = Pt(self.p["body"]["line_pitch_pt"])
            fmt.keep_with_next = True
        for name, indent in (("TOC 1", 0), ("TOC 2", 2)):
            try:
                style = self.doc.styles[name]
            except KeyError:
                style = self.doc.styles.add_style(name, 1)
            style.base_style = self.doc.styles["Normal"]
            style.paragraph_format.left_indent = Pt(self.p["body"]["size_pt"] * indent)

    def _styled_paragraph(self, name: str):
        # python-docx looks a style name up through every style each time (a fifth of the book's
        # build time); the id is looked up once.
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        paragraph = self.doc.add_paragraph()
        paragraph._p.style = self._style_ids[name]
        return paragraph

    def _break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def cover(self) -> None:
        mark = self.doc.add_paragraph()
        if self.internal:  # 内部资料 in the top left corner, like a 密级 mark
            set_font(mark.add_run("内部资料"), self.p["headings"]["level1_font"], self.p["body"]["size_pt"])
        for _ in range(4):
            self.doc.add_paragraph()
        title = self.p["title"]
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph.add_run(self.title), title["font"], 26)
        paragraph.paragraph_format.line_spacing = Pt(40)
        for _ in range(8):
            self.doc.add_paragraph()
        for text in (self.issuer, cn_date(self.day)):
            line = self.doc.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(line.add_run(text), self.p["body"]["font"], 16)
        self._break()

    def contents(self, entries: list[Heading]) -> None:
        heading = self.doc.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(heading.add_run("目\u3000\u3000录"), self.p["title"]["font"], self.p["title"]["size_pt"])
        self.doc.add_paragraph()
        width = self.doc.sections[0].page_width - self.doc.sections[0].left_margin - self.doc.sections[0].right_margin
        paragraphs = []
        for entry in entries:
            paragraph = self._styled_paragraph(f"TOC {entry.level}")
            paragraph.paragraph_format.tab_stops.add_tab_stop(width, alignment=2, leader=1)  # right, dots
            paragraph.add_run(f"{entry.text}\t{placeholder(len(paragraphs))}")
            paragraphs.append(paragraph)
        if not paragraphs:
            paragraphs.append(self.doc.add_paragraph("（本年度暂无收录案例）"))
        _wrap_in_toc_field(paragraphs[0], paragraphs[-1])
        self._break()

    def _template(self, key: tuple, make, run: bool = False) -> _Template:
        """The template of a paragraph shape (or of its first run), made once by `make` in the document
        and taken out of it again."""
        if key not in self._templates:
            self._flush()
            paragraph = make()
            self._templates[key] = _Template(paragraph.runs[0]._r if run else paragraph._p)
            paragraph._p.getparent().remove(paragraph._p)
        return self._templates[key]

    def _flush(self) -> None:
        """Append the paragraphs filled in as text to the document body (before its section properties)."""
        if not self._pending:
            return
        from lxml import etree

        body = self.doc.element.body
        wrapper = etree.fromstring(f'<w:body xmlns:w="{_W}">' + "".join(self._pending) + "</w:body>")
        anchor = body.find(qn("w:sectPr"))
        for element in list(wrapper):
            if anchor is not None:
                anchor.addprevious(element)
            else:
                body.append(element)
        self._pending.clear()  # in place: a caller may hold self._pending.append

    def book_heading(self, level: int, text: str, new_page: bool = False) -> None:
        def make():
            paragraph = self._styled_paragraph(f"Heading {level}")
            paragraph.paragraph_format.page_break_before = new_page
            if level == 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(MARK)
            return paragraph

        self._pending.append(self._template(("heading", level, new_page), make).filled(text))
        self.headings.append(Heading(level, text))

    def paragraph(self, text: str, indent: bool = True, align=None) -> None:
        def make():
            paragraph = self.doc.add_paragraph()
            if indent:
                paragraph.paragraph_format.first_line_indent = Pt(self.p["body"]["size_pt"] * 2)
            if align is not None:
                paragraph.alignment = align
            paragraph.add_run(MARK)
            return paragraph

        self._pending.append(self._template(("paragraph", indent, align), make).filled(text))

    def markdown(self, text: str) -> None:
        size = self.p["body"]["size_pt"]
        for block in markdown_blocks(text):
            def make(block=block):
                paragraph = self.doc.add_paragraph()
                if block.kind == "li":
                    paragraph.paragraph_format.left_indent = Pt(size * 2)
                    paragraph.paragraph_format.first_line_indent = Pt(-size * (1 if block.prefix == "·" else 2))
                else:
                    paragraph.paragraph_format.first_line_indent = Pt(size * 2)
                return paragraph

            shape = ("li", block.prefix == "·") if block.kind == "li" else ("p",)
            opening = self._template(("block",) + shape, make)
            prefix = block.prefix
            number = re.fullmatch(r"(\d+)[.．]\s*", prefix)
            if block.kind == "li" and number:
                prefix = f"（{number.group(1)}）"  # the sections are numbered 1., so list items take the next level
            runs = [self._xml_run(prefix, False)] if block.kind == "li" else []
            runs += [self._xml_run(run_text, bold) for run_text, bold in block.runs]
            self._pending.append(opening.filled().removesuffix("</w:p>") + "".join(runs) + "</w:p>")

    def _xml_run(self, text: str, bold: bool) -> str:
        def make():
            paragraph = self.doc.add_paragraph()
            run = paragraph.add_run(MARK)
            if bold:
                run.bold = True
            return paragraph

        return self._template(("run", bold), make, run=True).filled(text)

    def section_heading(self, number: int, text: str) -> None:
        fonts = self.p["headings"]

        def make():
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(self.p["body"]["size_pt"] * 2)
            set_font(paragraph.add_run(MARK), fonts["level3_font"], self.p["body"]["size_pt"])
            return paragraph

        self._pending.append(self._template(("section",), make).filled(f"{number}. {text}"))

    def book_docx(self) -> bytes:
        self._flush()
        return self.document.to_docx(self.day)


def placeholder(index: int) -> str:
    """A page-number stand-in about as wide as a real one, unique per contents entry."""
    return f"\u2063{index:03d}\u2063"


def fill_page_numbers(data: bytes, numbers: list[str]) -> bytes:
    """Put the laid-out page numbers into the contents' stored result, leaving everything else as it is."""
    import io
    import zipfile

    from generator.office.layout import rewrite_zip

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    for index, number in enumerate(numbers):
        xml = xml.replace(placeholder(index), number, 1)
    return rewrite_zip(data, {"word/document.xml": xml.encode("utf-8")})


def _wrap_in_toc_field(first, last) -> None:
    """Make the contents a TOC field whose stored result is the paragraphs in between."""
    begin = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "begin")
    begin.append(char)
    instruction = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = ' TOC \\o "1-2" \\h \\z \\u '
    instruction.append(text)
    separate = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "separate")
    separate.append(char)
    properties = first._p.find(qn("w:pPr"))
    position = 1 if properties is not None else 0
    for offset, run in enumerate((begin, instruction, separate)):
        first._p.insert(position + offset, run)
    end = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end.append(char)
    last._p.append(end)


RECORDED_FIGURES = {"移送线索", "整改问题", "发现问题", "办结线索"}
UNITS = (("线索", "条"), ("建议", "件"), ("案件", "件"), ("案", "件"), ("问题", "个"), ("制度", "项"), ("机制", "个"),
         ("代表", "名"), ("人", "人"), ("场", "场次"), ("执行", "场次"), ("次", "次"), ("单位", "个"), ("企业", "家"))


def figure_unit(name: str) -> str:
    """The measure word for a figure such as 评查案件 (件) or 移送线索 (条)."""
    return next((unit for key, unit in UNITS if name.endswith(key) or key in name), "项")


def foreword(book: Book, cases: list[Case], all_year: list[Case], year: int, as_of: date,
             area_order: list[str]) -> None:
    stats = compute(all_year, as_of, area_order=area_order)
    areas = "、".join(area for area, _ in group_by_area(cases, area_order)) or "—"
    book.book_heading(1, "前\u3000\u3000言", new_page=False)
    book.paragraph(f"本汇编收录{year}年度可复制可推广的执法司法监督经验{len(cases)}件，涉及{areas}等方面，"
                   "按监督内容分类编排，每件案例包括导语、基本情况、主要做法、工作成效和经验启示。")
    if stats.findings:
        book.paragraph(f"{year}年度案例中共发现问题{stats.findings}个，已整改销号{stats.signed_off}个，"
                       f"整改完成率{percent(stats.completion_rate)}，按期率{percent(stats.on_time_rate)}。")
    if stats.clues_referred:
        book.paragraph(f"案例中登记的线索移送记录{stats.clues_referred}条，已办结{stats.clues_closed}条。")
    # figures the cases report themselves; those counted from the records above are not repeated
    figures = [(k, v) for k, v in stats.figures.items() if k not in RECORDED_FIGURES][:8]
    if figures:
        book.paragraph("各案例报告的主要数字合计：" + "，".join(f"{k}{v}{figure_unit(k)}" for k, v in figures) + "。")
    book.paragraph("这些做法来自各地的工作实践，供各级党委政法委、人大常委会和检察机关在工作中参考借鉴。")


def build_book(cases: list[Case], *, year: int, title: str, issuer: str, day: date, area_order: list[str],
               edition: Edition, include_typical: bool = False) -> tuple[bytes, list[Heading]]:
    chosen = book_cases(cases, year, edition, include_typical)
    plan = _outline(chosen, area_order)
    book = Book(title, issuer, day, internal=not edition.is_public)
    book.cover()
    book.contents(plan)
    foreword(book, chosen, [c for c in edition.cases_in(cases) if c.year == year], year, day, area_order)
    for area_index, (area, members) in enumerate(group_by_area(chosen, area_order)):
        book.book_heading(1, f"{cn_number(area_index + 1)}、{area}", new_page=True)
        for case_index, case in enumerate(members):
            book.book_heading(2, f"（{cn_number(case_index + 1)}）{case.title}", new_page=case_index > 0)
            if case.subtitle:
                book.paragraph(case.subtitle, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            book.paragraph(f"{case.region}\u3000{cn_date(case.date)}\u3000{'、'.join(case.supervisors)}",
                           indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            for number, (label, name) in enumerate((s for s in SECTIONS if getattr(case, s[1])), 1):
                book.section_heading(number, label)
                book.markdown(getattr(case, name))
    return book.book_docx(), book.headings


def _outline(cases: list[Case], area_order: list[str]) -> list[Heading]:
    outline = [Heading(1, "前\u3000\u3000言")]
    for area_index, (area, members) in enumerate(group_by_area(cases, area_order)):
        outline.append(Heading(1, f"{cn_number(area_index + 1)}、{area}"))
        outline += [Heading(2, f"（{cn_number(i + 1)}）{case.title}") for i, case in enumerate(members)]
    return outline


def heading_pages(pdf: Path, headings: list[Heading]) -> dict[str, str]:
    """The page number on which each heading starts, read from the rendered PDF.

    Every area and every case starts on a new page, so a heading is looked for in
    the first lines of the pages after the contents, in order.
    """
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    tops = [_squash("".join([line for line in page.splitlines() if line.strip()][:4])) for page in text.split("\f")]
    found: dict[str, str] = {}
    page = 1  # the cover is page 1 (index 0); the contents follow
    for heading in headings:
        wanted = _squash(heading.text)[:10]
        while page < len(tops) and not tops[page].startswith(wanted) and wanted not in tops[page][:40]:
            page += 1
        if page < len(tops):
            found[heading.text] = str(page + 1)
    return found


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def compile_book(cases: list[Case], *, year: int, title: str, issuer: str, day: date, area_order: list[str],
                 edition: Edition, include_typical: bool = False, allowed_pii: set[str] = frozenset()) -> bytes:
    """The final book; with LibreOffice and pdftotext present, the contents carry real page numbers."""
    chosen = book_cases(cases, year, edition, include_typical)
    if edition.is_public:
        problems = scan_cases(chosen, allowed_pii)
        if any(problem.is_error for problem in problems):
            raise LibraryError(problems)
    options = dict(year=year, title=title, issuer=issuer, day=day, area_order=area_order, edition=edition,
                   include_typical=include_typical)
    data, headings = build_book(cases, **options)
    if not (shutil.which("soffice") and shutil.which("pdftotext")) or not chosen:
        return data
    from generator.office.pdf import to_pdf

    with tempfile.TemporaryDirectory() as work:
        draft = Path(work) / "book.docx"
        draft.write_bytes(data)
        pages = heading_pages(to_pdf(draft), headings)
    if len(pages) != len(headings):
        missing = "、".join(h.text for h in headings if h.text not in pages)[:200]
        raise UserError(f"无法从排版结果中确定这些标题的页码：{missing}")
    return fill_page_numbers(data, [pages[h.text] for h in headings])


@dataclass(frozen=True)
class CompiledBook:
    """A compilation written by compile_year. pdf_failure: the .docx stands, its PDF did not come about."""
    title: str
    path: Path
    cases: int
    public: bool
    pdf: Path | None = None
    pdf_failure: Exception | None = None


def compile_year(project: Project, year: int, *, edition: str = "internal", typical: bool = False,
                 day: date | None = None, out: Path | None = None, force: bool = False,
                 pdf: bool = False) -> CompiledBook:
    """`jiandu compile`: the year's book from the valid cases, written to out (default documents/书名.docx;
    an explicit out is protected as every --out is), and its PDF when asked for."""
    from generator.core.edition import edition_named
    from generator.core.pii import load_allow_list
    from generator.office.pdf import to_pdf
    from generator.office.settings import load_settings

    settings = load_settings(project.root)
    library = project.load_valid()
    chosen_edition = edition_named(edition)
    chosen = book_cases(library.cases, year, chosen_edition, typical)
    if not chosen:
        raise UserError(f"{year} 年没有可编入汇编的案例（标为可复制可推广的案例{'，或典型案例' if typical else ''}"
                        f"{'，且为公开案例' if chosen_edition.is_public else ''}）")
    title = settings.compilation_title.format(year=year)
    data = compile_book(library.cases, year=year, title=title, issuer=settings.issuer, day=day or date.today(),
                        area_order=list(library.taxonomy.categories), edition=chosen_edition,
                        include_typical=typical, allowed_pii=load_allow_list(project.root))
    suffix = "" if chosen_edition.is_public else "（内部）"
    path = out or project.root / "documents" / f"{title}{suffix}.docx"
    save_output(project, path, data, force=force or out is None)
    book = CompiledBook(title, path, len(chosen), chosen_edition.is_public)
    if not pdf:
        return book
    try:
        return replace(book, pdf=to_pdf(path))
    except (UserError, OSError) as exc:
        return replace(book, pdf_failure=exc)
