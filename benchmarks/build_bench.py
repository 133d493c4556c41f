"""Site build benchmark on a generated corpus: cold, warm, sizes, memory, browser.

    python benchmarks/build_bench.py 1000 10000        # one column per size
    python benchmarks/build_bench.py 200 --no-browser  # quick (CI)

For each N, in /tmp/jiandu-build-bench-N (generated if missing; the bundled
mkdocs.yml and content/ are copied in):

- segment once: the time to segment every text of the corpus once, with both
  cores and no cache — the floor the cold build is compared with;
- cold build (no caches, no previous site), rebuild with nothing changed,
  rebuild after editing one case, after adding one case (each `jiandu build`
  in its own process; peak RSS is the largest of that process and its workers);
- site size, the search index (raw and gzip), bytes a query reads (over the
  judged queries, from plan_query), the Whoosh index time from the segment cache;
- `build --pdf` (books laid out by LibreOffice) once over the whole library, then after editing a book's case;
- with the browser: bytes downloaded until the first result and the time from
  page load to the first result in headless Chromium over http, and a query
  answered from file://.

Prints a Markdown table (median of --repeat runs for the warm builds).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import generate_corpus, generate_varied  # noqa: E402

CORPORA = {"samples": generate_corpus.generate, "varied": generate_varied.generate}

AS_OF = "2026-11-23"
QUERIES = ["挂案", "检察建议", "人民检察院 检察建议", "减刑假释", "檢察建議", "犯罪记录封存", "员额法官", "联席会议",
           "涉法涉诉信访", "行刑衔接", "执法监督", "线索移送", "政法委", "未成年人", "超期羁押", "检察建", "2025",
           "监督", "常州 2024年 检察建议"]
_RUN = """
import json, resource, sys, time
sys.argv = ["jiandu"] + sys.argv[1:]
from generator.cli.main import main
started = time.perf_counter()
code = main()
seconds = time.perf_counter() - started
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print("BENCH " + json.dumps({"code": code, "seconds": seconds, "peak_kb": peak}), file=sys.stderr)
"""


def prepare(count: int, fresh: bool, root: Path | None = None, corpus: str = "samples") -> Path:
    root = root or Path(f"/tmp/jiandu-build-bench-{corpus}-{count}")
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
    if not (root / "cases").is_dir():
        print(f"生成 {count} 件案例……", file=sys.stderr)
        CORPORA[corpus](count, root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "organisation.yaml", root / "organisation.yaml")
    shutil.rmtree(root / "content", ignore_errors=True)
    shutil.copytree(REPO / "content", root / "content")
    return root


def run(root: Path, *args: str) -> dict:
    """One jiandu command in its own process: seconds, peak RSS, stage timings."""
    result = subprocess.run([sys.executable, "-c", _RUN, *args, "--root", str(root)],
                            capture_output=True, text=True, cwd=REPO)
    stats, timings = {}, {}
    for line in result.stderr.splitlines():
        if line.startswith("BENCH "):
            stats = json.loads(line[6:])
        elif line.startswith("{"):
            timings = json.loads(line)
    if result.returncode or stats.get("code"):
        sys.exit(f"jiandu {' '.join(args)} 失败：\n{result.stdout}\n{result.stderr}")
    return {**stats, "timings": timings}


def build(root: Path, *extra: str) -> dict:
    return run(root, "build", "--as-of", AS_OF, "-q", "--timings", *extra)


def book_case_index(root: Path) -> int:
    """The position (in edit_one's order) of the first case that goes into a compilation book (else the first)."""
    paths = sorted((root / "cases").rglob("*.yaml"))
    return next((i for i, path in enumerate(paths) if "replicable: true" in path.read_text("utf-8")), 0)


def segment_once(root: Path) -> float:
    """Every text of the corpus segmented once, both cores, no cache (in a fresh process)."""
    code = ("import sys, time; from generator.core.project import Project; from generator.search.fields import case_document, "
            "TEXT_FIELDS; from generator.text.segment_cache import SegmentCache; from generator.text.dictionary import jieba_ready; "
            f"cases = Project.at({str(root)!r}).load_valid().cases; "
            "texts = [d[f] for d in map(case_document, cases) for f in TEXT_FIELDS]; jieba_ready(); "
            "t = time.perf_counter(); SegmentCache(None).ensure(texts); print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                cwd=REPO).stdout.strip())


def edit_one(root: Path, round_: int) -> None:
    path = sorted((root / "cases").rglob("*.yaml"))[round_]
    text = path.read_text("utf-8")
    path.write_text(text.replace("summary: ", f"summary: 第{round_}次修改。", 1), "utf-8")


def add_one(root: Path, round_: int) -> None:
    source = sorted((root / "cases").rglob("*.yaml"))[0]
    case_id = source.stem
    serial = 9000 + len(list(source.parent.glob(f"{case_id.rsplit('-', 1)[0]}-9*.yaml")))
    new_id = f"{case_id.rsplit('-', 1)[0]}-{serial}"
    target = source.with_name(f"{new_id}.yaml")
    target.write_text(source.read_text("utf-8").replace(case_id, new_id), "utf-8")


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def gzip_bytes(paths) -> int:
    return sum(len(gzip.compress(Path(p).read_bytes(), 6)) for p in paths)


def query_costs(site: Path) -> dict:
    from generator.siteindex.query import plan_query

    from generator.siteindex.query import query_site

    raw, packed, page_raw, page_packed = [], [], [], []
    for query in QUERIES:
        files, _ = plan_query(site / "search", query)
        unique = list(dict.fromkeys(files))
        raw.append(sum(p.stat().st_size for p in unique))
        packed.append(gzip_bytes(unique))
        # the search page: the same query with facet counts over every result and the rows shown
        unique = list(dict.fromkeys(query_site(site / "search", query).files))
        page_raw.append(sum(p.stat().st_size for p in unique))
        page_packed.append(gzip_bytes(unique))
    return {"median_raw": statistics.median(raw), "max_raw": max(raw), "median_gzip": statistics.median(packed),
            "max_gzip": max(packed), "page_median_gzip": statistics.median(page_packed),
            "page_max_gzip": max(page_packed), "page_max_raw": max(page_raw)}


def browser_first_result(site: Path) -> dict:
    """Load the home page over http, type a query, wait for the first result: time and bytes."""
    from tools.browser import chromium_page, serve_directory

    with serve_directory(site) as base, chromium_page() as (page, outside):
        fetched: list[str] = []
        page.on("requestfinished", lambda request: fetched.append(request.url))
        started = time.perf_counter()
        page.goto(base + "index.html")
        page.wait_for_load_state("load")
        loaded = time.perf_counter()
        box = page.locator("input.md-search__input")
        box.click()
        box.fill("检察建议")
        box.press("End")  # material reacts to keyup
        page.wait_for_selector(".md-search-result__item", timeout=30000)
        seconds = time.perf_counter() - loaded
        navigation = time.perf_counter() - started
        paths = [site / url[len(base):].split("?")[0].split("#")[0] for url in fetched if url.startswith(base)]
        paths = [p for p in dict.fromkeys(paths) if p.is_file()]
        assert outside == [], outside
    return {"seconds": seconds, "navigation": navigation, "raw": sum(p.stat().st_size for p in paths),
            "gzip": gzip_bytes(paths), "files": len(paths)}


def file_url_works(site: Path) -> bool:
    from tools.browser import chromium_page

    with chromium_page() as (page, outside):
        page.goto((site / "index.html").as_uri())
        box = page.locator("input.md-search__input")
        box.click()
        box.fill("检察建议")
        box.press("End")
        page.wait_for_selector(".md-search-result__item", timeout=60000)
        return outside == [] and page.locator(".md-search-result__item").count() > 0


def bench(count: int, repeat: int, browser: bool, fresh: bool, root: Path | None = None,
          corpus: str = "samples", query_only: bool = False, with_pdf: bool = True) -> dict:
    root = prepare(count, fresh, root, corpus)
    for folder in ("site", "build"):
        shutil.rmtree(root / folder, ignore_errors=True)
    if query_only:  # one cold build, then what each query downloads: no rebuild rounds
        figures = {"cold": build(root)}
        return _index_figures(root / "site", figures)
    figures: dict = {"segment_once": segment_once(root)}
    figures["cold"] = build(root)
    figures["unchanged"] = [build(root) for _ in range(repeat)]
    edits, adds = [], []
    for round_ in range(repeat):
        edit_one(root, round_)
        edits.append(build(root))
        add_one(root, round_)
        adds.append(build(root))
    figures["edit"], figures["add"] = edits, adds
    if with_pdf:  # `build --pdf`: every year's book laid out by LibreOffice, then again after editing a book's case
        figures["pdf"] = build(root, "--pdf")
        edit_one(root, book_case_index(root))
        figures["pdf_edit"] = build(root, "--pdf")
    site = root / "site"
    _index_figures(site, figures)
    pages = sorted(((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")), reverse=True)
    figures["largest_pages"] = pages[:3]
    figures["pages_over_1mb"] = sum(1 for size, _ in pages if size > 1_000_000)
    figures["whoosh"] = run(root, "index", "--rebuild")["seconds"]
    if browser:
        figures["browser"] = browser_first_result(site)
        figures["file_url"] = file_url_works(site)
    return figures


def _index_figures(site: Path, figures: dict) -> dict:
    figures["site"] = folder_bytes(site)
    index_files = [p for folder in ("jiandu", "jiandu-x") for p in (site / "search" / folder).rglob("*.js")]
    figures["index"] = {"raw": sum(p.stat().st_size for p in index_files), "gzip": gzip_bytes(index_files),
                        "files": len(index_files)}
    figures["query"] = query_costs(site)
    return figures


def query_table(results: dict[int, dict]) -> str:
    """The --query-only figures: per-query downloads, for the material search box and the search page."""
    lines = ["| | " + " | ".join(f"{n:,} 件" for n in sorted(results)) + " |", "|---|" + "---|" * len(results)]
    rows = [("冷构建", lambda f: f"{f['cold']['seconds']:.1f} s"),
            ("站内检索索引（原始 / gzip）", lambda f: f"{f['index']['raw'] / 2**20:.1f} / {f['index']['gzip'] / 2**20:.2f} MB，"
                                           f"{f['index']['files']:,} 个文件"),
            ("每次检索读取（中位数 / 最大，gzip）",
             lambda f: f"{f['query']['median_gzip'] / 1024:.0f} / {f['query']['max_gzip'] / 1024:.0f} KB"),
            ("检索页每次读取，含分面计数（中位数 / 最大，gzip）",
             lambda f: f"{f['query']['page_median_gzip'] / 1024:.0f} / {f['query']['page_max_gzip'] / 1024:.0f} KB")]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(results[n]) for n in sorted(results)) + " |")
    return "\n".join(lines)


def _median(runs: list[dict], key: str = "seconds") -> float:
    return statistics.median(run[key] for run in runs)


def table(results: dict[int, dict]) -> str:
    sizes = sorted(results)
    mb = 1024 * 1024

    def row(label, value):
        return f"| {label} | " + " | ".join(value(results[n]) for n in sizes) + " |"

    lines = ["| | " + " | ".join(f"{n:,} 件" for n in sizes) + " |", "|---|" + "---|" * len(sizes),
             row("分词一次（两核，无缓存）", lambda f: f"{f['segment_once']:.1f} s"),
             row("冷构建", lambda f: f"{f['cold']['seconds']:.1f} s"),
             row("冷构建 ÷ 分词一次", lambda f: f"{f['cold']['seconds'] / f['segment_once']:.2f}"),
             row("无改动重建（中位数）", lambda f: f"{_median(f['unchanged']):.2f} s"),
             row("改一件后重建（中位数）", lambda f: f"{_median(f['edit']):.2f} s"),
             row("加一件后重建（中位数）", lambda f: f"{_median(f['add']):.2f} s"),
             row("改一件后重建（各次）", lambda f: "、".join(f"{run['seconds']:.2f}" for run in f["edit"]) + " s"),
             row("最大的 HTML 页面（超过 1 MB 的页数）", lambda f: "，".join(
                 f"{path} {size / 1024:.0f} KB" for size, path in f["largest_pages"]) + f"（{f['pages_over_1mb']} 页）"),
             row("峰值内存（冷构建）", lambda f: f"{f['cold']['peak_kb'] / 1024:.0f} MiB"),
             row("网站大小", lambda f: f"{f['site'][0] / mb:.0f} MB，{f['site'][1]:,} 个文件"),
             row("站内检索索引（原始 / gzip）",
                 lambda f: f"{f['index']['raw'] / mb:.1f} / {f['index']['gzip'] / mb:.2f} MB，{f['index']['files']:,} 个文件"),
             row("每次检索读取（中位数 / 最大，gzip）",
                 lambda f: f"{f['query']['median_gzip'] / 1024:.0f} / {f['query']['max_gzip'] / 1024:.0f} KB"),
             row("检索页每次读取，含分面计数（中位数 / 最大，gzip）",
                 lambda f: f"{f['query']['page_median_gzip'] / 1024:.0f} / {f['query']['page_max_gzip'] / 1024:.0f} KB"),
             row("Whoosh 索引（分词已缓存）", lambda f: f"{f['whoosh']:.1f} s")]
    if all("pdf" in results[n] for n in sizes):
        lines += [row("build --pdf：首次排版全部汇编（其余沿用）",
                      lambda f: f"{f['pdf']['seconds']:.1f} s（其中 books {f['pdf']['timings'].get('books', 0):.1f} s）"),
                  row("build --pdf：改一件收入汇编的案例后",
                      lambda f: f"{f['pdf_edit']['seconds']:.1f} s（其中 books {f['pdf_edit']['timings'].get('books', 0):.1f} s）")]
    if all("browser" in results[n] for n in sizes):
        lines += [row("浏览器：页面载入后到首个结果（含打字）", lambda f: f"{f['browser']['seconds']:.2f} s"),
                  row("浏览器：首个结果前下载（gzip）",
                      lambda f: f"{f['browser']['gzip'] / 1024:.0f} KB（原始 {f['browser']['raw'] / 1024:.0f} KB）"),
                  row("file:// 打开可检索", lambda f: "是" if f["file_url"] else "否")]
    stages = sorted({name for n in sizes for name in results[n]["cold"]["timings"]},
                    key=lambda name: list(results[sizes[0]]["cold"]["timings"]).index(name)
                    if name in results[sizes[0]]["cold"]["timings"] else 99)
    lines.append(row("冷构建各阶段", lambda f: "，".join(f"{name} {f['cold']['timings'].get(name, 0):.1f}"
                                                      for name in stages)))
    lines.append(row("改一件各阶段", lambda f: "，".join(f"{name} {f['edit'][0]['timings'].get(name, 0):.2f}"
                                                      for name in stages)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="网站构建性能测试（生成的案例库）")
    parser.add_argument("sizes", type=int, nargs="+", help="案例数量，如 1000 10000")
    parser.add_argument("--repeat", type=int, default=3, help="增量构建各重复几次，取中位数（默认 3）")
    parser.add_argument("--no-browser", action="store_true", help="不做浏览器测量")
    parser.add_argument("--fresh", action="store_true", help="重新生成案例库")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="samples",
                        help="语料：samples 由示例案例的句子拼成，varied 由词表和句式组合、词汇随规模增长（默认 samples）")
    parser.add_argument("--root", type=Path, help="案例库放在此目录下（ROOT/N），默认 /tmp/jiandu-build-bench-语料-N")
    parser.add_argument("--query-only", action="store_true",
                        help="只做一次冷构建，测每次检索的下载量（不做重建、Whoosh 和浏览器测量）")
    parser.add_argument("--no-pdf-rounds", action="store_true", help="不测 build --pdf（汇编排版）")
    args = parser.parse_args()
    results = {}
    for count in args.sizes:
        results[count] = bench(count, args.repeat, not args.no_browser, args.fresh,
                               args.root / str(count) if args.root else None, corpus=args.corpus,
                               query_only=args.query_only, with_pdf=not args.no_pdf_rounds)
        Path("/tmp/jiandu-build-bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    print(query_table(results) if args.query_only else table(results))
    print(json.dumps({n: figures["query"] for n, figures in results.items()}))


if __name__ == "__main__":
    main()
