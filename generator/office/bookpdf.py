"""The site's compilation downloads in their final form: page numbers in the contents, and a PDF.

Used by the site build when LibreOffice and pdftotext are installed. All books of a
build go through LibreOffice together — one start for the layout pass (where each
heading falls), one for the PDFs of the finished books — because starting
LibreOffice costs more than converting a book.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.core.problems import UserError


def can_make_pdf() -> bool:
    return bool((shutil.which("soffice") or shutil.which("libreoffice")) and shutil.which("pdftotext"))


def _convert_all(docx_files: list[Path], out_dir: Path) -> list[Path]:
    from generator.office.pdf import FONTS_CONF, libreoffice

    with tempfile.TemporaryDirectory() as profile_dir:
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))
        command = [libreoffice(), f"-env:UserInstallation=file://{profile_dir}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(out_dir), *map(str, docx_files)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    produced = [out_dir / (path.stem + ".pdf") for path in docx_files]
    if result.returncode != 0 or not all(path.is_file() for path in produced):
        raise UserError(f"LibreOffice 生成汇编 PDF 失败：{(result.stderr or result.stdout).strip()[:300]}")
    return produced


def finish_books(drafts: list[tuple[bytes, list]]) -> list[tuple[bytes, bytes]]:
    """(draft .docx, its headings) of each book → (.docx with the contents' page numbers, .pdf)."""
    from generator.office.compilation import fill_page_numbers, heading_pages

    if not drafts:
        return []
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        (work_dir / "draft").mkdir()
        (work_dir / "final").mkdir()
        names = [work_dir / "draft" / f"book{index}.docx" for index in range(len(drafts))]
        for path, (data, _) in zip(names, drafts):
            path.write_bytes(data)
        finals = []
        for pdf, (data, headings) in zip(_convert_all(names, work_dir / "draft"), drafts):
            pages = heading_pages(pdf, headings)
            if len(pages) != len(headings):
                missing = "、".join(h.text for h in headings if h.text not in pages)[:200]
                raise UserError(f"无法从排版结果中确定汇编中这些标题的页码：{missing}")
            finals.append(fill_page_numbers(data, [pages[h.text] for h in headings]))
        final_names = [work_dir / "final" / path.name for path in names]
        for path, data in zip(final_names, finals):
            path.write_bytes(data)
        pdfs = [path.read_bytes() for path in _convert_all(final_names, work_dir / "final")]
    return list(zip(finals, pdfs))
