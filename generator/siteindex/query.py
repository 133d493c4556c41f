"""The site search in Python, exactly as generator/site/assets/jiandu-search-worker.js runs it
(change both together; browser tests compare them query by query), recording every file it reads.
Also `jiandu search`'s Source over the planner's index (same format)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from generator.search.queryplan import Ranked, parse, rank
from generator.siteindex.codec import decode_posting_arrays, posting_count, small_numbers
from generator.siteindex.planfiles import PLAN_DIR
from generator.siteindex.shards import INDEX_DIR, RESULTS, read_shard, shard_of


@lru_cache(maxsize=1)
def _site_t2s() -> dict[str, str]:
    from generator.siteindex.plugin import t2s_table

    return t2s_table()


def normalize_query(query: str) -> str:
    """What search-normalize.js does before the query reaches the worker."""
    table = _site_t2s()
    folded = "".join(f if len(f := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in query)
    return "".join(table.get(ch, ch) for ch in folded)


@dataclass
class QueryResult:
    files: list[Path]
    total: int
    items: list[dict]          # location, title, text, score, missing, meta (the worker's result rows, unescaped)
    words: list[str]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def locations(self) -> list[str]:
        return [item["location"] for item in self.items]


class ShardReader:
    """Index files by name (as the worker names them), each read once; files lists them in reading order."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.cache: dict[str, object] = {}
        self.files: list[Path] = []

    def fetch(self, name: str):
        if name not in self.cache:
            path = Path(os.path.normpath(self.index_dir / f"{name}.js"))  # ../jiandu-x/… for the planner's files
            self.files.append(path)
            self.cache[name] = read_shard(path)
        return self.cache[name]


class TermShard:
    def __init__(self, data: dict):
        self.words: list[str] = data["w"]
        self.entries: dict[str, object] = dict(zip(data["w"], data["p"]))

    def df(self, term: str) -> int:
        entry = self.entries[term]
        return entry[0] if isinstance(entry, list) else posting_count(entry)


class ShardSource:
    """The sharded index as the query planner's Source (what the worker does, in Python)."""

    def __init__(self, reader: ShardReader, manifest: dict):
        self.reader, self.manifest, self.n = reader, manifest, manifest["n"]

    @classmethod
    def in_folder(cls, index_dir: Path) -> "ShardSource":
        reader = ShardReader(Path(index_dir))
        return cls(reader, reader.fetch("manifest"))

    def shard(self, term: str) -> TermShard:
        key = f"t/{shard_of(term, self.manifest['b'])}"
        if key not in self.reader.cache:
            self.reader.cache[key] = TermShard(self.reader.fetch(key))  # first load records the file
        return self.reader.cache[key]

    def has(self, term: str) -> bool:
        return term in self.shard(term).entries

    def expansions(self, prefix: str) -> list[str]:
        sh = self.shard(prefix)
        mark = self.manifest["mark"]
        found = [w for w in sh.words if len(w) > len(prefix) and w.startswith(prefix) and not w.endswith(mark)]
        found.sort(key=lambda w: -sh.df(w))
        return found[:self.manifest["expand"]]

    def frequency(self, term: str) -> int:
        shard = self.shard(term)
        return shard.df(term) if term in shard.entries else 0

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        entry = self.shard(term).entries.get(term)
        if entry is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        encoded = self.reader.fetch(entry[1]) if isinstance(entry, list) else entry
        return decode_posting_arrays(encoded)

    def row(self, doc: int) -> list:
        """A doc's row of its doc shard: [location, title, teaser, meta…]."""
        return self.reader.fetch(f"d/{doc // self.manifest['ds']}")[doc % self.manifest["ds"]]


def facet_rows(reader: ShardReader, data: dict, sort: str) -> list:
    """Every doc's row [date rank, values of each facet…] (None: no facets), from facets.js (data) and
    dates.js when sorting by date."""
    rows: list = [[0] for _ in range(data["n"])]
    for counts, values in data["c"]:
        flat, at = small_numbers(values), 0
        for row, count in zip(rows, small_numbers(counts)):
            found, last = [], 0
            for step in flat[at:at + count]:
                last += step
                found.append(last)
            row.append(found)
            at += count
    if sort == "date":
        for row, date in zip(rows, small_numbers(reader.fetch(f"../{PLAN_DIR}/dates"))):
            row[0] = date
    for doc in data["none"]:
        rows[doc] = None
    return rows


def query_site(search_dir: Path, query: str, *, normalized: bool = False, top: int | None = None,
               filters: dict[str, list[str]] | None = None, sort: str = "relevance") -> QueryResult:
    """Run a query exactly as the browser worker does, recording every file it reads.

    top: how many results to return (default: as many as the browser shows); filters: facet name →
    values a result must have (any of them); sort: "relevance" or "date" (newest first).
    """
    source = ShardSource.in_folder(Path(search_dir) / INDEX_DIR)
    reader, manifest = source.reader, source.manifest
    plan = reader.fetch(f"../{PLAN_DIR}/plan")
    text = (query if normalized else normalize_query(query)).lower()
    words = parse(text, source, plan["synonyms"])
    ranked = rank(words, source)
    facets: dict[str, list[tuple[str, int]]] = {}
    if ranked and (filters or sort == "date" or top is None):
        ranked, facets = narrow_results(reader, plan, ranked, filters or {}, sort)
    items = []
    for hit in ranked[:manifest["top"] if top is None else top]:
        location, title, teaser_text, *meta = source.row(hit.doc)
        items.append({"location": location, "title": title, "text": teaser_text, "score": hit.score,
                      "missing": hit.missing, "meta": meta})
    return QueryResult(reader.files, len(ranked), items, [word.word for word in words], facets)


def narrow_results(reader: ShardReader, plan: dict, ranked: list[Ranked], filters: dict[str, list[str]], sort: str):
    """Keep the results with the chosen facet values, count the values among them, sort by date if asked."""
    names = [name for name, _ in plan["facets"]]
    data = reader.fetch(f"../{PLAN_DIR}/facets")
    rows = facet_rows(reader, data, sort)
    chosen = {}
    for f, (name, values) in enumerate(zip(names, data["v"])):
        wanted = {values.index(v) for v in filters.get(name, ()) if v in values}
        if filters.get(name):
            chosen[f] = wanted

    def passes(row, skip: int) -> bool:
        return all(f == skip or set(row[f + 1]) & wanted for f, wanted in chosen.items())

    kept = [hit for hit in ranked if not chosen or (rows[hit.doc] is not None and passes(rows[hit.doc], -1))]
    counts = [dict() for _ in names]  # a facet's counts ignore its own filter: its other values stay choosable
    for hit in ranked:
        row = rows[hit.doc]
        if row is None:
            continue
        for f in range(len(names)):
            if passes(row, f):
                for v in row[f + 1]:
                    counts[f][v] = counts[f].get(v, 0) + 1
    facets = {name: sorted(((values[v], c) for v, c in counts[f].items()), key=lambda vc: (-vc[1], values.index(vc[0])))
              for f, (name, values) in enumerate(zip(names, data["v"]))}
    if sort == "date":
        kept.sort(key=lambda hit: (-(rows[hit.doc][0] if rows[hit.doc] else 0), hit.doc))
    return kept, facets


def plan_query(search_dir: Path, query: str) -> tuple[list[Path], list[str]]:
    """The files a browser reads for this query, in order, and the locations of the results shown."""
    result = query_site(search_dir, query, top=RESULTS)
    return result.files, result.locations
