"""Benchmark generator.siteindex.writer.write_site_search (full and incremental) on a generated corpus.

    python3 benchmarks/generate_corpus.py 10000 /tmp/c10k     # once
    python3 benchmarks/siteindex_bench.py /tmp/c10k           # SearchDocs cached in /tmp/si (first run ~60 s)

Each incremental step builds into a new site folder whose search/jiandu is hard links to the previous
one (as the site build does), with the build state in <BENCH_ROOT>/state. BENCH_ROOT defaults to /tmp/si/run.
"""

import hashlib
import json
import os
import pickle
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.siteindex.casedocs import search_docs_for_cases
from generator.siteindex.full import build_files
from generator.siteindex.model import SearchDoc
from generator.siteindex.scoring import term_scores
from generator.siteindex.shards import INDEX_DIR
from generator.siteindex.state import pack_state_scores
from generator.siteindex.writer import write_site_search

CACHE = Path("/tmp/si")
ROOT = Path(os.environ.get("BENCH_ROOT", "/tmp/si/run"))
STATE = ROOT / "state"


def load_docs(corpus: str) -> list[SearchDoc]:
    """The corpus's SearchDocs with fields (cached)."""
    cached = CACHE / "docs10k.pkl"
    if not cached.exists():
        from generator.core.project import Project

        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(pickle.dumps(search_docs_for_cases(Project.at(corpus).load_valid().cases)))
    return pickle.loads(cached.read_bytes())


def keyed(doc: SearchDoc) -> SearchDoc:
    """As the build passes docs: scores precomputed, a content key, no fields."""
    scores = term_scores(doc)
    key = hashlib.sha1(repr((doc.title, doc.text, pack_state_scores(scores))).encode()).hexdigest()
    return SearchDoc(doc.location, doc.title, doc.text, {}, scores, key)


class Sites:
    def __init__(self):
        self.generation = 0

    def path(self, generation: int) -> Path:
        return ROOT / f"site{generation}" / "search"

    def next(self) -> Path:
        """A new site whose search/jiandu is hard links to the previous one's."""
        old, new = self.path(self.generation), self.path(self.generation + 1)
        for path in (old / INDEX_DIR).rglob("*"):
            if path.is_file():
                target = new / path.relative_to(old)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, target)
        self.generation += 1
        return new


def timed(label: str, search_dir: Path, docs: list[SearchDoc]) -> None:
    os.sync()
    time.sleep(0.5)
    start, cpu = time.perf_counter(), time.process_time()
    report = write_site_search(search_dir, docs, state_dir=STATE)
    print(f"{label:28s} {time.perf_counter() - start:6.3f} s (cpu {time.process_time() - cpu:5.3f})  "
          f"written={report.written} removed={report.removed} files={report.files}", flush=True)


def main() -> None:
    raw = load_docs(sys.argv[1] if len(sys.argv) > 1 else "/tmp/c10k")
    start = time.perf_counter()
    docs = [keyed(doc) for doc in raw]
    print(f"{len(docs)} docs; term_scores for all: {time.perf_counter() - start:.1f} s (the build caches them)")
    shutil.rmtree(ROOT, ignore_errors=True)
    sites = Sites()
    timed("full build", sites.path(0), docs)
    timed("nothing changed", sites.next(), docs)
    edited = list(docs)
    doc = edited[1234]
    scores = dict(doc.scores)
    scores.pop(next(iter(scores)))
    edited[1234] = replace(doc, title=doc.title + "（修订）", scores=dict(scores, 新造词语甲=17), key=doc.key + "x")
    timed("one doc: title + 2 terms", sites.next(), edited)
    body = raw[2000].fields["body"]
    half = len(body) // 2
    rewritten = keyed(replace(raw[2000], fields=dict(raw[2000].fields,
                                                     body=body[:half] + ("新增一句话", "整改") + body[half + 5:])))
    changed = sum(1 for t in set(rewritten.scores) | set(docs[2000].scores)
                  if rewritten.scores.get(t) != docs[2000].scores.get(t))
    edited[2000] = rewritten
    timed(f"one doc: body ({changed} terms)", sites.next(), edited)
    other = replace(docs[3001], location=docs[3000].location, key="whole")
    changed = sum(1 for t in set(other.scores) | set(docs[3000].scores)
                  if other.scores.get(t) != docs[3000].scores.get(t))
    edited[3000] = other
    timed(f"one doc: all ({changed} terms)", sites.next(), edited)
    added = edited + [keyed(replace(raw[77], location="cases/NEW-2026-001.html", title="新增案例"))]
    timed("one doc added", sites.next(), added)
    removed = added[:500] + added[501:]
    timed("one doc removed", sites.next(), removed)
    many = [replace(d, key=d.key + "m", title=d.title + "!") for d in removed[:100]] + removed[100:]
    timed("100 titles edited", sites.next(), many)
    saved = json.loads((STATE / "state.json").read_bytes())
    start = time.perf_counter()
    json.loads((STATE / "state.json").read_bytes())
    print(f"state.json {(STATE / 'state.json').stat().st_size / 1e6:.1f} MB, loads in {time.perf_counter() - start:.3f} s;"
          f" scores/ {sum(p.stat().st_size for p in (STATE / 'scores').iterdir()) / 1e6:.0f} MB")
    start = time.perf_counter()
    files, _ = build_files(many, numbers={loc: entry[0] for loc, entry in saved["docs"].items()},
                           shards=saved["shards"])
    print(f"build_files in memory: {time.perf_counter() - start:.3f} s")
    folder = sites.path(sites.generation) / INDEX_DIR
    present = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    print("incremental files == full build with the same doc numbers:", present == files)


if __name__ == "__main__":
    main()
