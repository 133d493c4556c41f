"""Search quality on the held-out judged library (tests/fixtures/heldout), for any checkout of the code.

    python3 benchmarks/search_quality.py                       # this checkout: CLI, site (Chromium), anchor
    python3 benchmarks/search_quality.py --code /tmp/old --only cli site   # another checkout (e.g. before a change)
    python3 benchmarks/search_quality.py --python-site         # site ranked by the Python mirror (no browser)

The library is copied to /tmp/jiandu-quality-<label>/ and built there with the given checkout's
`python3 -m generator.cli` (public edition for the site; `jiandu index` for the CLI). The anchor is a
plain mkdocs-material site (its default search plugin) built from the same public cases as Markdown
pages. Prints recall@5 and MRR on the tuning and held-out halves, overall and per query style, and the
queries that miss; --json FILE writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "tests"))

import heldout  # noqa: E402

CLI_RANKER = """
import json, sys
from pathlib import Path
from generator.search.whoosh_index import SearchSession
queries = json.loads(sys.stdin.read())
ranked = {}
with SearchSession(Path(sys.argv[1])) as session:
    for query in queries:
        try:
            ranked[query] = [hit.id for hit in session.search(query, limit=5)]
        except Exception as exc:
            ranked[query] = []
print(json.dumps(ranked, ensure_ascii=False))
"""

SITE_RANKER = """
import json, sys
from pathlib import Path
from generator.siteindex.query import plan_query
queries = json.loads(sys.stdin.read())
ranked = {q: [loc.rsplit('/', 1)[-1][:-5] for loc in plan_query(Path(sys.argv[1]), q)[1] if loc.startswith('cases/')]
          for q in queries}
print(json.dumps(ranked, ensure_ascii=False))
"""


def _run(code: Path, *args: str, stdin: str | None = None) -> str:
    env = dict(os.environ, PYTHONPATH=str(code), NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, *args], cwd=code, env=env, input=stdin, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(args[:3])}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def project(code: Path, label: str) -> Path:
    root = Path(f"/tmp/jiandu-quality-{label}")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copy(code / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(code / "content", root / "content")
    shutil.copytree(heldout.CASES, root / "cases")
    return root


def cli_ranked(code: Path, root: Path, queries: list[str]) -> dict[str, list[str]]:
    _run(code, "-m", "generator.cli", "index", "--root", str(root))
    return json.loads(_run(code, "-c", CLI_RANKER, str(root / "build" / "index"), stdin=json.dumps(queries)))


def site_dir(code: Path, root: Path) -> Path:
    _run(code, "-m", "generator.cli", "build", "--root", str(root), "--edition", "public", "-q",
         "--as-of", "2026-11-23")
    return root / "site-public"


def browser_ranked(site: Path, queries: list[str]) -> dict[str, list[str]]:
    from tools.browser import chromium_page, search_result_pages, serve_directory

    ranked = {}
    with chromium_page() as (page, _), serve_directory(site) as base:
        page.goto(base + "index.html")
        for query in queries:
            urls = search_result_pages(page, query)
            ranked[query] = [url.rsplit("/", 1)[-1][:-5] for url in urls if "/cases/" in url and url.endswith(".html")]
    return ranked


def anchor_site(label: str) -> Path:
    root = Path(f"/tmp/jiandu-quality-{label}-anchor")
    shutil.rmtree(root, ignore_errors=True)
    heldout.write_anchor_project(root)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")], check=True,
                   env=env, capture_output=True)
    return root / "site"


def report(name: str, ranked: dict[str, list[str]], tuning: list[dict], held: list[dict], out: dict) -> None:
    out[name] = {"tuning": heldout.quality(tuning, ranked), "held-out": heldout.quality(held, ranked),
                 "misses": heldout.misses(tuning, ranked)}  # tuning half only: the held-out half is not read
    for half in ("tuning", "held-out"):
        q = out[name][half]
        styles = "  ".join(f"{s} {v['recall']:.2f}/{v['mrr']:.2f}" for s, v in q["styles"].items())
        print(f"{name:8} {half:9} n={q['n']:3} recall@5 {q['recall']:.3f}  MRR {q['mrr']:.3f}   [{styles}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=HERE, help="the checkout to measure (default: this one)")
    parser.add_argument("--label", default="current")
    parser.add_argument("--only", nargs="+", choices=["cli", "site", "anchor"], default=["cli", "site", "anchor"])
    parser.add_argument("--python-site", action="store_true", help="rank the site with the Python mirror")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--misses", action="store_true", help="print the tuning-half queries that miss")
    args = parser.parse_args()
    tuning, held = heldout.split()
    queries = [item["query"] for item in tuning + held]
    out: dict = {}
    code = args.code.resolve()
    if "cli" in args.only or "site" in args.only:
        root = project(code, args.label)
    if "cli" in args.only:
        report("cli", cli_ranked(code, root, queries), tuning, held, out)
    if "site" in args.only:
        site = site_dir(code, root)
        if args.python_site:
            ranked = json.loads(_run(code, "-c", SITE_RANKER, str(site / "search"), stdin=json.dumps(queries)))
        else:
            ranked = browser_ranked(site, queries + [item["query"] for item in heldout.leak_queries()])
            leaks = {item["query"]: sorted(set(ranked[item["query"]]) & heldout.internal_ids())
                     for item in heldout.leak_queries()}
            out["site-leaks"] = {q: ids for q, ids in leaks.items() if ids}
            print("site leaks of 内部 cases:", out["site-leaks"] or "none")
        report("site", ranked, tuning, held, out)
    if "anchor" in args.only:
        report("anchor", browser_ranked(anchor_site(args.label), queries), tuning, held, out)
    if args.misses:
        for name in ("cli", "site", "anchor"):
            for line in out.get(name, {}).get("misses", []):
                print(f"  {name} miss  {line}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
