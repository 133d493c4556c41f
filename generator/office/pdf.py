"""Word to PDF with LibreOffice; the official font names are mapped to free fonts by data/fonts.conf."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator import PACKAGE_DIR
from generator.core.problems import UserError
from generator.infra.files import write_file

FONTS_CONF = PACKAGE_DIR / "data" / "fonts.conf"


def libreoffice() -> str:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise UserError("未安装 LibreOffice，无法生成 PDF（Debian：apt-get install libreoffice-writer-nogui）")
    return office


def to_pdf(docx: Path) -> Path:
    """Convert with LibreOffice; the official font names are mapped to free fonts by fonts.conf."""
    office = libreoffice()
    with tempfile.TemporaryDirectory() as profile_dir, tempfile.TemporaryDirectory() as out_dir:
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))
        command = [office, f"-env:UserInstallation=file://{profile_dir}", "--headless", "--convert-to", "pdf",
                   "--outdir", out_dir, str(docx)]
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            raise UserError(f"LibreOffice 转换 {docx} 超过 300 秒仍未完成，已停止") from None
        produced = Path(out_dir) / (docx.stem + ".pdf")
        if result.returncode != 0 or not produced.is_file():
            raise UserError(f"LibreOffice 转换失败：{(result.stderr or result.stdout).strip()[:300]}")
        target = docx.with_suffix(".pdf")
        write_file(target, produced.read_bytes())
    return target
