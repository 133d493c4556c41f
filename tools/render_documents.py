"""Render the first page of each document kind to PNG for the docs (LibreOffice + pdftoppm).

    python tools/render_documents.py        # writes docs/documents/*.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.documents import compose, load_settings, render, to_pdf  # noqa: E402
from generator.project import Project  # noqa: E402

SAMPLES = [("整改通知书", "CZ-2026-001", {"to": "市市场监督管理局"}, "常政法监〔2026〕1号"),
           ("监督建议书", "CZ-2026-001", {"to": "市司法局"}, "常政法建〔2026〕1号"),
           ("督办通知", "HA-2026-001", {}, "常政法督〔2026〕1号"),
           ("线索移送函", "JMS-2026-001", {"clue_id": "X3"}, "常政法移〔2026〕1号"),
           ("监督报告", "JMS-2024-002", {}, "常政法报〔2024〕1号")]


def main() -> None:
    out_dir = REPO / "docs" / "documents"
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = load_settings(REPO)
    cases = {case.id: case for case in Project.at(REPO).load_valid().cases}
    day = date(2026, 11, 23)
    with tempfile.TemporaryDirectory() as work:
        for kind, case_id, options, number in SAMPLES:
            docx = Path(work) / f"{kind}.docx"
            docx.write_bytes(render(compose(REPO, cases[case_id], kind, settings, day=day, **options), settings,
                                    number=number, day=day))
            pdf = to_pdf(docx)
            for page in (1, 2):
                subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                                str(pdf), str(out_dir / f"{kind}-{page}")], check=True)
            print(f"{kind}: {out_dir / (kind + '-1.png')}")


if __name__ == "__main__":
    main()
