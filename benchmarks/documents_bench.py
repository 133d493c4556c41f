"""Formal-quality notices per second: a batch of N 整改通知书 on both cores.

    python benchmarks/documents_bench.py 1000
"""

from __future__ import annotations

import sys
import time
from datetime import date
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.office.documents import compose, render  # noqa: E402
from generator.office.settings import load_settings  # noqa: E402
from generator.core.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DAY = date(2026, 11, 23)
_state = {}


def _setup():
    settings = load_settings(REPO)
    case = next(c for c in Project.at(REPO).load_valid().cases if c.id == "CZ-2026-001")
    _state["composition"] = compose(REPO, case, "整改通知书", settings, day=DAY, to="市市场监督管理局",
                                   deadline=date(2026, 12, 31), formal=True)
    _state["settings"] = settings


def _one(number: int) -> int:
    return len(render(_state["composition"], _state["settings"], number=f"常政法监〔2026〕{number}号", day=DAY))


def main(count: int) -> None:
    _setup()
    _one(0)  # warm up: templates, fonts, python-docx's default package
    started = time.perf_counter()
    for number in range(1, min(count, 200) + 1):
        _one(number)
    single = min(count, 200) / (time.perf_counter() - started)
    started = time.perf_counter()
    with get_context("fork").Pool(2) as pool:
        sizes = pool.map(_one, range(1, count + 1), chunksize=25)
    seconds = time.perf_counter() - started
    print("| 指标（2 核机器） | 结果 |\n|---|---|")
    print(f"| 单进程 | {single:.0f} 份/秒 |")
    print(f"| 两个进程，{count} 份 | {count / seconds:.0f} 份/秒（{seconds:.1f} 秒，平均 {sum(sizes) / len(sizes) / 1024:.0f} KB/份） |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
