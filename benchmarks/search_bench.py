"""Search benchmark on a generated corpus.

    python benchmarks/search_bench.py 10000          # corpus in /tmp/jiandu-bench-10000 (generated if missing)
    python benchmarks/search_bench.py 1000 /tmp/me   # corpus in a folder of one's own

Prints: full index time (update_index alone, segmenting and analysing in this process; and as
`jiandu index` does it: analysis.analyse_cases in two processes first, then update_index reusing it), incremental update of 10 edited cases, query latency
p50/p95 over a mix of queries, and `jiandu search` cold start end to end.
"""

from __future__ import annotations

import dataclasses
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate  # noqa: E402
from generator.search.analysis import analyse_cases  # noqa: E402
from generator.core.project import Project  # noqa: E402
from generator.search.whoosh_index import Filters, SearchSession, search, update_index  # noqa: E402
from generator.text.segment_cache import SegmentCache  # noqa: E402

QUERIES = ["挂案", "检察建议", "人民检察院 检察建议", "减刑假释", "檢察建議", "犯罪记录封存", "员额法官", "联席会议",
           "涉法涉诉信访", "行刑衔接", "执法监督", "线索移送 闭环", "政法委", "未成年人", "超期羁押", "营商环境"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# What the query planner adds: metadata, synonyms, soft matching, common words.
PLANNER_QUERIES = ["常州 检察建议", "2024年 挂案", "两院 履职评议", "典型案例 挂牌督办", "监督", "工作 案件",
                   "市公安局 整改", "两法衔接"]


def main(count: int, root: Path | None = None) -> None:
    root = root or Path(f"/tmp/jiandu-bench-{count}")
    if not (root / "cases").is_dir():
        generate(count, root)
    started = time.perf_counter()
    cases = Project.at(root).load_valid().cases
    load_seconds = time.perf_counter() - started
    index_dir = root / "index"
    started = time.perf_counter()
    update_index(index_dir, cases, rebuild=True, say=lambda message: None)
    full_seconds = time.perf_counter() - started
    started = time.perf_counter()
    segments = SegmentCache(None)
    update_index(root / "index-cli", cases, rebuild=True, say=lambda message: None, segments=segments,
                 analysis=analyse_cases(cases, segments))
    cli_seconds = time.perf_counter() - started

    edited = [dataclasses.replace(case, summary=case.summary + "（已修订）") for case in cases[:10]] + cases[10:]
    started = time.perf_counter()
    report = update_index(index_dir, edited, say=lambda message: None)
    incremental_seconds = time.perf_counter() - started
    assert report.updated == 10, report

    latencies = []
    with SearchSession(index_dir) as session:  # an open index, as in a site build or a service
        session.search("预热")
        for _ in range(3):
            for query in QUERIES:
                began = time.perf_counter()
                session.search(query, limit=10)
                latencies.append((time.perf_counter() - began) * 1000)
        planner = []
        for _ in range(3):
            for query in PLANNER_QUERIES:
                began = time.perf_counter()
                session.search(query, limit=10)
                planner.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        session.search("检察建议", filters=Filters(region="常州市", year=2024), limit=10)
        filtered_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    search(index_dir, "检察建议", limit=10)
    open_and_search_ms = (time.perf_counter() - began) * 1000

    cold = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator.cli", "search", "检察建议", "--root", str(root),
                        "--index-dir", str(index_dir)], check=True, capture_output=True)
        cold.append(time.perf_counter() - began)

    print(f"| 指标（{count} 件案例，2 核） | 结果 |")
    print("|---|---|")
    print(f"| 读取并校验案例 | {load_seconds:.1f} s |")
    print(f"| 全量建索引 | {full_seconds:.1f} s（{count / full_seconds:.0f} 件/秒） |")
    print(f"| 全量建索引，同 `jiandu index`（两进程分析，再写索引） | {cli_seconds:.1f} s |")
    print(f"| 修改 10 件后增量更新 | {incremental_seconds:.2f} s |")
    print(f"| 查询延迟 p50 / p95（索引已打开，{len(latencies)} 次，{len(QUERIES)} 种查询） | "
          f"{statistics.median(latencies):.1f} ms / {percentile(latencies, 0.95):.1f} ms |")
    print(f"| 查询延迟 p50 / p95（地区、年份、同义词、常用词等 {len(PLANNER_QUERIES)} 种查询 × 3） | "
          f"{statistics.median(planner):.1f} ms / {percentile(planner, 0.95):.1f} ms |")
    print(f"| 全部查询 p95 | {percentile(latencies + planner, 0.95):.1f} ms |")
    print(f"| 带过滤条件的查询 | {filtered_ms:.1f} ms |")
    print(f"| 打开索引并查询一次（进程内） | {open_and_search_ms:.1f} ms |")
    print(f"| `jiandu search` 冷启动（进程启动到输出，5 次中位数） | {statistics.median(cold):.2f} s |")
    print(f"| 索引大小 | {sum(p.stat().st_size for p in index_dir.iterdir()) / 1e6:.1f} MB |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, Path(sys.argv[2]) if len(sys.argv) > 2 else None)
