"""Annual compilation: selection, editions, grouping and order, Markdown → Word, TOC field, rendering."""

import io
import re
from datetime import date

import pytest
from conftest import sample_cases
from docx import Document
from docx.oxml.ns import qn

from generator.office.compilation import book_cases, build_book, compile_book, heading_pages
from generator.core.edition import INTERNAL, PUBLIC
from generator.core.problems import LibraryError
from generator.core.taxonomy import load_taxonomy

AREAS = list(load_taxonomy().categories)
DAY = date(2025, 1, 15)


def book(year=2024, edition=INTERNAL, typical=False):
    data, headings = build_book(sample_cases(), year=year, title=f"{year}年度汇编", issuer="常州市委政法委员会", day=DAY,
                                area_order=AREAS, edition=edition, include_typical=typical)
    return data, headings, Document(io.BytesIO(data))


def test_selection_rules():
    cases = sample_cases()
    internal = book_cases(cases, 2025, INTERNAL)
    assert internal and all(c.year == 2025 and c.replicable for c in internal)
    assert "JMS-2025-001" in {c.id for c in internal}  # 内部 and replicable
    assert "JMS-2025-001" not in {c.id for c in book_cases(cases, 2025, PUBLIC)}
    with_typical = book_cases(cases, 2023, INTERNAL, include_typical=True)
    assert {c.id for c in book_cases(cases, 2023, INTERNAL)} < {c.id for c in with_typical}


def test_public_book_has_no_internal_text():
    internal_case = next(c for c in sample_cases() if c.id == "JMS-2025-001")
    _, _, document = book(2025, PUBLIC)
    text = "\n".join(p.text for p in document.paragraphs)
    assert internal_case.title not in text and internal_case.summary[:20] not in text
    assert internal_case.title in "\n".join(p.text for p in book(2025, INTERNAL)[2].paragraphs)


def test_grouping_and_order_follow_the_taxonomy():
    _, headings, _ = book(2024)
    areas = [h.text[2:] for h in headings if h.level == 1 and "、" in h.text]
    assert areas == [a for a in AREAS if a in areas] and areas == ["司法公正", "执法规范", "办案效率"]
    assert headings[0].text == "前\u3000\u3000言"
    cases_under_first_area = [h.text for h in headings[2:] if h.level == 2][:1]
    assert cases_under_first_area == ["（一）立功情节认定专项评查推动公检法出台证据指引"]


def test_markdown_becomes_word_paragraphs_and_lists():
    _, _, document = book(2024)
    texts = [p.text for p in document.paragraphs]
    assert not any("**" in t for t in texts)
    bold = [run.text for p in document.paragraphs for run in p.runs if run.bold]
    assert "建账到件。" in bold
    items = [t for t in texts if t.startswith(("（1）建账到件", "（2）分类攻坚"))]  # below the 1. sections
    assert len(items) == 2  # each list item its own paragraph


def test_contents_is_a_toc_field_and_cases_start_new_pages():
    data, _, document = book(2024)
    instructions = [e.text for e in document.element.body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instructions)
    case_headings = [p for p in document.paragraphs if p.style.name == "Heading 2"]
    area_headings = [p for p in document.paragraphs if p.style.name == "Heading 1" and "、" in p.text]
    assert all(p.paragraph_format.page_break_before for p in area_headings)
    firsts = {p.text for p in case_headings if p._p.getprevious() is not None
              and p._p.getprevious().xpath("string(.)") in {a.text for a in area_headings}}
    assert all(p.paragraph_format.page_break_before or p.text in firsts for p in case_headings)
    assert "updateFields" in document.settings.element.xml
    assert data == book(2024)[0]  # deterministic


def test_public_compilation_runs_the_pii_gate():
    case = sample_cases()[0]
    planted = case.__class__(**{**case.__dict__, "summary": "联系13912345678", "replicable": True})
    with pytest.raises(LibraryError):
        compile_book([planted], year=planted.year, title="t", issuer="i", day=DAY, area_order=AREAS, edition=PUBLIC)


@pytest.mark.office
def test_rendered_contents_have_page_numbers_and_cases_start_pages(tmp_path):
    import subprocess

    from generator.office.pdf import to_pdf

    data = compile_book(sample_cases(), year=2024, title="2024年度汇编", issuer="常州市委政法委员会", day=DAY,
                        area_order=AREAS, edition=INTERNAL)
    path = tmp_path / "book.docx"
    path.write_bytes(data)
    document = Document(io.BytesIO(data))
    entries = [p.text for p in document.paragraphs if p.style.name.startswith("TOC")]
    assert entries and not any(e.endswith("…") for e in entries)
    pdf = to_pdf(path)
    _, headings, _ = book(2024)
    pages = heading_pages(pdf, headings)
    assert set(pages) == {h.text for h in headings}
    case_pages = [int(pages[h.text]) for h in headings if h.level == 2]
    assert len(set(case_pages)) == len(case_pages)  # each case on its own page
    for entry, heading in zip(entries, headings):
        assert entry.endswith(pages[heading.text])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    contents = text.split("\f")[1]
    numbered = [line for line in contents.splitlines() if re.search(r"\.{3,}\s*\d+\s*$", line)]
    assert [re.search(r"(\d+)\s*$", line).group(1) for line in numbered] == [pages[h.text] for h in headings]
