"""Documents opened by LibreOffice: full pages carry 22 lines of at most 28 characters, page numbers present."""

import shutil
import subprocess
import unicodedata
from datetime import date

import pytest
from conftest import REPO, sample_cases

from generator.office.documents import compose, render
from generator.office.pdf import to_pdf
from generator.office.settings import load_settings

pytestmark = pytest.mark.office
DAY = date(2026, 11, 23)


def width(line: str) -> float:
    """Characters a line holds; a closing mark hanging past the right edge (标点悬挂) takes no cell."""
    text = line.strip()
    units = sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text if ch != " ")
    return units - 1 if units > 28 and text[-1:] in "，。、；：？！）”》" else units


def pdf_pages(pdf) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


@pytest.mark.parametrize("kind, case_id, options", [
    ("监督报告", "JMS-2024-002", {}), ("监督报告", "CZ-2026-001", {}),
    ("整改通知书", "CZ-2026-001", {"to": "市市场监督管理局"}), ("线索移送函", "JMS-2026-001", {"clue_id": "X3"}),
])
def test_libreoffice_render(tmp_path, kind, case_id, options):
    settings = load_settings(REPO)
    case = next(c for c in sample_cases() if c.id == case_id)
    docx = tmp_path / f"{kind}.docx"
    docx.write_bytes(render(compose(REPO, case, kind, settings, day=DAY, **options), settings,
                            number="常政法监〔2026〕9号", day=DAY))
    pages = pdf_pages(to_pdf(docx))
    assert pages
    for number, lines in enumerate(pages, 1):
        assert max(width(line) for line in lines) <= 28, [l for l in lines if width(l) > 28]
        footer = lines[-1].strip().replace(" ", "")
        if kind != "监督报告" and number == 1:
            assert footer != "—1—"  # letter format: no page number on the first page
        else:
            assert footer == f"—{number}—"
    for lines in pages[1:-1]:  # full body pages
        assert len(lines) - 1 == 22


def test_pdf_without_libreoffice_is_a_clear_message(tmp_path, monkeypatch):
    from generator.core.problems import UserError

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="未安装 LibreOffice"):
        to_pdf(tmp_path / "x.docx")
