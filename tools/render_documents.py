"""Render the first and last page of each document kind to PNG for the docs (LibreOffice + pdftoppm).

    python tools/render_documents.py        # writes docs/documents/<kind>-first.png and -last.png

The documents are issued formally (as `jiandu doc` without --draft would) from the sample library,
each by the body that owns its case, with a fixed date so the pictures do not change with time.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.office.documents import compose, render  # noqa: E402
from generator.office.pdf import to_pdf  # noqa: E402
from generator.office.settings import load_settings  # noqa: E402
from generator.core.project import Project  # noqa: E402

DAY = date(2026, 11, 23)
SAMPLES = [("整改通知书", "CZ-2026-001", {"to": "市市场监督管理局", "deadline": date(2026, 12, 31)}, "常政法监〔2026〕2号", DAY),
           ("监督建议书", "CZ-2026-001", {"to": "市司法局"}, "常政法建〔2026〕1号", DAY),
           ("督办通知", "HA-2026-001", {"deadline": date(2026, 12, 31)}, "淮人常督〔2026〕2号", DAY),
           ("线索移送函", "JMS-2026-001", {"clue_id": "X3"}, "佳政法移〔2026〕2号", DAY),
           ("监督报告", "JMS-2024-002", {}, "佳政法报〔2024〕2号", date(2024, 10, 20))]


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> None:
    out_dir = REPO / "docs" / "documents"
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.png"):
        old.unlink()
    settings = load_settings(REPO)
    cases = {case.id: case for case in Project.at(REPO).load_valid().cases}
    with tempfile.TemporaryDirectory() as work:
        for kind, case_id, options, number, day in SAMPLES:
            body = settings.for_case(cases[case_id])
            docx = Path(work) / f"{kind}.docx"
            composition = compose(REPO, cases[case_id], kind, body, day=day, formal=True, **options)
            docx.write_bytes(render(composition, body, number=number, day=day))
            pdf = to_pdf(docx)
            last = pages(pdf)
            for name, page in (("first", 1), ("last", last)):
                subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                                str(pdf), str(out_dir / f"{kind}-{name}")], check=True)
            print(f"{kind}: {last} 页 -> {out_dir / (kind + '-first.png')}, {kind}-last.png")


if __name__ == "__main__":
    main()
