"""Compile time for a year of N generated replicable cases (the book, and with the LibreOffice pass).

    python benchmarks/compile_bench.py 500
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate  # noqa: E402
from generator.office.compilation import build_book, compile_book  # noqa: E402
from generator.core.edition import INTERNAL  # noqa: E402
from generator.core.project import Project  # noqa: E402


def main(count: int) -> None:
    root = Path(f"/tmp/jiandu-compile-{count}")
    if not (root / "cases").is_dir():
        generate(count, root, years=(2025,), replicable_share=1.0)
    library = Project.at(root).load_valid()
    options = dict(year=2025, title="2025年度汇编", issuer="常州市委政法委员会", day=date(2026, 1, 15),
                   area_order=list(library.taxonomy.categories), edition=INTERNAL)
    started = time.perf_counter()
    data, headings = build_book(library.cases, **options)
    book_seconds = time.perf_counter() - started
    started = time.perf_counter()
    final = compile_book(library.cases, **options)
    full_seconds = time.perf_counter() - started
    print(f"| 指标（{count} 件案例，一个年度，2 核机器） | 结果 |\n|---|---|")
    print(f"| 生成 .docx（目录页码待 Word 更新） | {book_seconds:.1f} s（{len(data) / 1e6:.1f} MB，{len(headings)} 个目录条目） |")
    print(f"| 含 LibreOffice 排版取页码、再生成（`jiandu compile`） | {full_seconds:.1f} s（{len(final) / 1e6:.1f} MB） |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
