"""The site search index: small sharded files that the browser loads a few at a time.

mkdocs-material's own search downloads one index of the whole site (tens of MB at
10,000 cases). This index is split so that a query reads only a small part of it,
and every file is a script that registers itself, so it loads with importScripts
in a Web Worker and with a <script> tag in the file:// iframe worker shim:

    search/search_index.json, search_index.js   stubs for material's main thread (config only, no docs)
    search/jiandu/manifest.js    jianduShard("manifest", {v, n, b, ds, ...}): doc count, shard count,
                                 docs per doc shard, field names, stopwords and query constants
    search/jiandu/t/<k>.js       jianduShard("t/<k>", {w: [term, ...], p: [postings, ...]}): every term whose
                                 first character's code point % b == k (sorted), so one file has the
                                 vocabulary to segment a query at that character; p[i] is the term's
                                 postings as a string, or [df, "p/<name>"] when they are in a file of their own
    search/jiandu/p/<name>.js    jianduShard("p/<name>", "postings") for a term with many postings
    search/jiandu/d/<k>.js       jianduShard("d/<k>", [[location, title, teaser] | null, ...]): docs
                                 k*ds … k*ds+ds-1, read only for the results shown

The build state is kept outside the site (write_site_search's state_dir, e.g.
build/cache/site-search-internal/), never in it:

    state.json                   {format, params, shards, size, terms, slots, free: [unused numbers],
                                 docs: {location: [number, key]},
                                 files: {path in search/jiandu: [size, mtime_ns]}}
    scores/<k>.json              {location: packed term scores} for the docs numbered k*64 … k*64+63

When state.json matches the files in search/jiandu (same names, sizes and mtimes: e.g. hard links
to the previous build's files), an update processes only the docs whose key changed, new docs and
removed docs: it reads and rewrites just the term shards, large-postings files and doc shards they
touch. Anything else (no state, another format or parameters, a file changed or missing, enough
growth for another shard count) means a full build, which yields the same files as the updates
for the same doc numbers.

Postings are pairs (doc-number gap - 1, score) as variable-length base-32 digits: a character
from the first half of ALPHABET ends a number, one from the second half continues it. The
score of a term in a document is computed at build time (field-weighted BM25 term-frequency
saturation, length-normalised against a FIXED reference length per field, so it never depends
on other documents) and stored as an integer in 1/SCALE steps. The browser multiplies it by an
idf from the posting count and the doc count, in integer arithmetic so that plan_query here
ranks exactly as generator/site/assets/jiandu-search-worker.js does.

Files are replaced, never written in place (the site folder may hold hard links to the
previous build), and only when their content changed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np

from generator.infra.files import write_file
from generator.search.queryplan import EXACT_WEIGHT, EXPANSIONS, GRAM_LENGTH, GRAM_MARK, GRAM_WEIGHT, META_BOOSTS, META_LENGTH, \
    PREFIX_WEIGHT, STOP, SYNONYM_WEIGHT, Ranked, idf_q, needed, parse, rank
from generator.search.whoosh_index import FIELD_BOOSTS

FORMAT = 3                   # of the index files (the browser's side)
STATE_FORMAT = 1             # of the build state
SCORES_VERSION = 2           # of term_scores: a cache of SearchDoc.scores must depend on it
INDEX_DIR = "jiandu"
STATE_FILE = "state.json"
SCORES_DIR = "scores"
SCORES_PER_BUCKET = 64
FIELDS = ("title", "subtitle", "keywords", "summary", "body")
# Reference field lengths (terms), roughly the sample library's averages; fixed so that one
# document's postings never depend on the others.
REFERENCE_LENGTHS = {"title": 10, "subtitle": 16, "keywords": 12, "summary": 45, "body": 400}
K1, B = 1.2, 0.75
SCALE = 8                    # posting scores in 1/8 steps
DOCS_PER_SHARD = 8           # a result row costs its doc shard: small shards, small downloads
TEASER_CHARS = 120
LARGE_POSTINGS = 1024        # encoded postings longer than this get a file of their own
SHARD_BYTES = 6 * 1024       # aim for term shards about this size (a query reads several)
MAX_SHARDS = 4096
RESULTS = 10                 # results shown (material renders what it gets)
DEFAULT_SEPARATOR = r'[\s\u200b\u3000\-、。，．？！；：“”‘’（）《》,.:;!?()]+'

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_DIGIT = {ch: i for i, ch in enumerate(ALPHABET)}
CJK = "\u3400-\u9fff"
_RUNS = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")


@dataclass(frozen=True)
class SearchDoc:
    location: str                       # page URL relative to the site root, e.g. "cases/CZ-2025-001.html"
    title: str                          # plain text, untrusted
    text: str                           # plain teaser text, untrusted
    fields: dict[str, tuple[str, ...]]  # field name -> the field's index terms, in order
    scores: dict[str, int] | None = None  # term_scores(doc) precomputed (then fields is not used)
    key: str | None = None              # changes whenever title, text, meta or scores change (the caller's promise)
    meta: tuple[str, ...] = ()          # shown with a result: case id, date, region, category
    facets: dict | None = None          # facet name -> values (cases only), see write_facets


@dataclass
class SiteSearchReport:
    docs: int = 0
    terms: int = 0
    shards: int = 0
    files: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    total_bytes: int = 0
    written_files: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict, repr=False)  # location -> doc number

    def __str__(self) -> str:
        return (f"站内检索索引：{self.docs} 个页面，{self.terms} 个词，{self.files} 个文件"
                f"（写入 {self.written}，未变 {self.kept}，删除 {self.removed}），共 {self.total_bytes / 1024:.0f} KB")


# --- encoding ---------------------------------------------------------------------

_ALPHA = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_LUT = np.full(256, 255, dtype=np.uint8)
_LUT[_ALPHA] = np.arange(64, dtype=np.uint8)


def _encode_numbers(values: np.ndarray) -> tuple[str, np.ndarray]:
    """Non-negative integers → one ASCII string of base-32 digits, and where each number ends in it."""
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return "", np.zeros(0, dtype=np.int64)
    if int(values.min()) < 0:
        raise ValueError("negative number in postings")
    top = int(values.max())
    sizes = np.ones(len(values), dtype=np.int64)
    limit, longest = 32, 1
    while top >= limit:
        sizes += values >= limit
        limit <<= 5
        longest += 1
    ends = np.cumsum(sizes)
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    last = ends - 1
    out[last] = _ALPHA[values & 31]
    for j in range(1, longest):  # the continuation digits, j places before the last
        sel = np.flatnonzero(sizes > j)
        out[last[sel] - j] = _ALPHA[32 + ((values[sel] >> (5 * j)) & 31)]
    return out.tobytes().decode("ascii"), ends


def _decode_numbers(text: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The numbers of a digit string, and where each ends in it (None: every number is one digit)."""
    if not text:
        return np.zeros(0, dtype=np.int64), None
    digits = _LUT[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    if int(digits.max()) >= 64:
        raise ValueError("not a postings string")
    final = digits < 32
    values = (digits & 31).astype(np.int64)
    if final.all():
        return values, None
    if not final[-1]:
        raise ValueError("truncated postings string")
    # a number ending at digit t also has the digits t-1, t-2, … for as long as they are continuations
    total, chain, j = values.copy(), np.ones(len(values), dtype=bool), 1
    continued = ~final
    while True:
        chain[j:] &= continued[:-j]
        chain[:j] = False
        if not chain.any():
            break
        total[j:] += (values[:-j] << (5 * j)) * chain[j:]
        j += 1
    ends = np.flatnonzero(final)
    return total[ends], ends + 1


def _encode_arrays(docs: np.ndarray, scores: np.ndarray) -> str:
    numbers = np.empty(2 * len(docs), dtype=np.int64)
    numbers[0::2] = np.diff(docs, prepend=-1) - 1
    numbers[1::2] = scores
    return _encode_numbers(numbers)[0]


def _decode_arrays(text: str) -> tuple[np.ndarray, np.ndarray]:
    numbers = _decode_numbers(text)[0]
    if len(numbers) % 2:
        raise ValueError("odd postings string")
    return np.cumsum(numbers[0::2] + 1) - 1, numbers[1::2]


def encode_postings(postings: list[tuple[int, int]]) -> str:
    """[(doc number ascending, score)] → the compact string."""
    if not postings:
        return ""
    pairs = np.asarray(postings, dtype=np.int64).reshape(-1, 2)
    return _encode_arrays(pairs[:, 0], pairs[:, 1])


def decode_postings(text: str) -> list[tuple[int, int]]:
    docs, scores = _decode_arrays(text)
    return list(zip(docs.tolist(), scores.tolist()))


def posting_count(text: str) -> int:
    return sum(1 for ch in text if _DIGIT[ch] < 32) // 2


def js_text(value) -> str:
    """JSON for a .js file: UTF-8, no \\u escapes except U+2028/2029 (line ends in older JS)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("\u2028", "\\u2028") \
        .replace("\u2029", "\\u2029")


def shard_script(name: str, value) -> bytes:
    return f"jianduShard({js_text(name)},{js_text(value)});\n".encode()


def _large_script(name: str, encoded: str) -> bytes:
    """shard_script(name, encoded) for a postings string (no character needs escaping)."""
    return f'jianduShard("{name}","{encoded}");\n'.encode("ascii")


def _parse_large(data: bytes) -> str:
    head = data.index(b",")
    if data[head + 1:head + 2] != b'"' or not data.endswith(b'");\n'):
        raise ValueError("not a postings file")
    return data[head + 2:-4].decode("ascii")


def _replace(path: Path, data: bytes) -> None:
    """Write data to a new file at path (never into the existing file, which may be a hard link).

    The new file is complete under a temporary name before it takes path's place; unlinking the old
    name first (rather than renaming over it) spares ext4 a flush per file (auto_da_alloc).
    """
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        os.rename(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _parse_script(data: bytes):
    text = data.decode("utf-8")
    start, end = text.index(",") + 1, text.rindex(");")
    return json.loads(text[start:end])


def read_shard(path: Path):
    """The value a shard script registers."""
    return _parse_script(Path(path).read_bytes())


def stub_index(separator: str = DEFAULT_SEPARATOR) -> str:
    """What material's main thread loads as search_index.json: configuration, no documents."""
    config = {"lang": ["zh"], "separator": separator, "pipeline": [],
              "fields": {name: {"boost": FIELD_BOOSTS[name]} for name in FIELDS}}
    return json.dumps({"config": config, "docs": []}, ensure_ascii=False, separators=(",", ":"))


# --- scoring ----------------------------------------------------------------------

def term_scores(doc: SearchDoc) -> dict[str, int]:
    """Each index term's score in this document, in 1/SCALE steps (at least 1); doc.scores when given."""
    if doc.scores is not None:  # any mapping (the build passes scores unpacked on first use)
        return doc.scores if type(doc.scores) is dict else dict(doc.scores.items())
    total: dict[str, float] = {}
    for name, terms in doc.fields.items():
        weight = FIELD_BOOSTS.get(name, META_BOOSTS.get(name))
        if weight is None:
            raise ValueError(f"未知的检索字段：{name}")
        kept = [term for term in terms if term and term not in STOP]
        if not kept:
            continue
        reference = REFERENCE_LENGTHS.get(name, GRAM_LENGTH if name == "gram" else META_LENGTH)
        norm = K1 * (1 - B + B * len(kept) / reference)
        for term, tf in Counter(kept).items():
            total[term] = total.get(term, 0.0) + weight * tf * (K1 + 1) / (tf + norm)
    return {term: max(1, math.floor(score * SCALE + 0.5)) for term, score in total.items()}


def teaser(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEASER_CHARS else text[:TEASER_CHARS] + "…"


def shard_of(term: str, shards: int) -> int:
    """The term shard of a term: by its first character; bigram-field terms in shards of their own
    (numbers shards … 2·shards-1), read only when a query needs the bigram fallback."""
    return ord(term[0]) % shards + (shards if term.endswith(GRAM_MARK) else 0)


def _row(doc: SearchDoc) -> list[str]:
    return [doc.location, " ".join(doc.title.split()), teaser(doc.text), *doc.meta]


def _pack(scores: dict[str, int], code: str | None = None):
    """A doc's scores for the build state: one string (terms, then the scores as base-32 numbers), or
    the dict itself if a term holds a space or tab. code: the scores already encoded."""
    if not scores:
        return ""
    terms = " ".join(scores)
    if "\t" in terms or terms.count(" ") != len(scores) - 1 or "" in scores:
        return dict(scores)
    if code is None:
        code = _encode_numbers(np.fromiter(scores.values(), dtype=np.int64, count=len(scores)))[0]
    return terms + "\t" + code


def _unpack(packed) -> dict[str, int]:
    if isinstance(packed, dict):
        return {str(term): int(score) for term, score in packed.items()}
    terms, _, code = packed.partition("\t")
    if not terms:
        return {}
    return dict(zip(terms.split(" "), _decode_numbers(code)[0].tolist()))


def _content_key(doc: SearchDoc, scores: dict[str, int]) -> str:
    packed = _pack(scores)
    text = js_text([doc.title, doc.text, packed if isinstance(packed, str) else sorted(packed.items())])
    return "h:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _entry_size(term: str, entry) -> int:
    """A term's share of the term shards, in bytes (roughly): decides the shard count."""
    if isinstance(entry, list):
        return len(term.encode("utf-8")) + len(entry[1]) + 12
    return len(term.encode("utf-8")) + len(entry) + 6


# --- the full build ---------------------------------------------------------------

def _check_locations(locations: list[str]) -> None:
    if len(set(locations)) != len(locations):
        raise ValueError("检索文档的地址重复")


def _assign_numbers(locations: list[str], previous: dict) -> dict[str, int]:
    """Doc numbers: unchanged for docs already numbered, the lowest free numbers for new ones (in order)."""
    present = set(locations)
    numbers = {loc: num for loc, num in previous.items()
               if loc in present and type(num) is int and num >= 0}
    if len(set(numbers.values())) != len(numbers):
        numbers = {}
    used, free = set(numbers.values()), 0
    for loc in locations:
        if loc not in numbers:
            while free in used:
                free += 1
            numbers[loc] = free
            used.add(free)
    return numbers


def _shard_count(size: int, previous: int | None, target: int) -> int:
    ideal = 1
    while ideal * target < size and ideal < MAX_SHARDS:
        ideal *= 2
    if previous and ideal / 2 <= previous <= ideal * 2 and previous & (previous - 1) == 0:
        return previous  # avoid rewriting every shard for a small change in size
    return ideal


def _large_name(term: str, taken: set[str]) -> str:
    digest = hashlib.sha1(term.encode("utf-8")).hexdigest()
    size = 12
    while f"p/{digest[:size]}" in taken:
        size += 2
    return f"p/{digest[:size]}"


def _all_postings(numbers: list[int], scores: list[dict[str, int]]) \
        -> tuple[list[str], list[str], list[int], list[str]]:
    """(sorted vocabulary, each term's encoded postings, each term's posting count, each doc's encoded
    scores in its terms' order), vectorised."""
    vocabulary = sorted(set().union(*scores)) if scores else []
    counts = np.fromiter(map(len, scores), dtype=np.int64, count=len(scores))
    total = int(counts.sum())
    values = np.fromiter(chain.from_iterable(map(dict.values, scores)), dtype=np.int32, count=total)
    codes_text, code_ends = _encode_numbers(values)
    bounds = np.concatenate([[0], code_ends])[np.cumsum(counts)].tolist()
    codes = [codes_text[a:b] for a, b in zip([0] + bounds[:-1], bounds)]
    if not vocabulary:
        return [], [], [], codes
    rank = {term: i for i, term in enumerate(vocabulary)}
    term_ids = np.fromiter(chain.from_iterable(itemgetter(*s)(rank) if len(s) > 1 else [rank[t] for t in s]
                                               for s in scores), dtype=np.int32, count=total)
    docs = np.repeat(np.asarray(numbers, dtype=np.int32), counts)
    if len(numbers) > 1 and not (np.diff(np.asarray(numbers)) > 0).all():
        by_doc = np.argsort(docs, kind="stable")
        term_ids, docs, values = term_ids[by_doc], docs[by_doc], values[by_doc]
    order = np.argsort(term_ids.astype(np.uint16 if len(vocabulary) <= 1 << 16 else np.int32), kind="stable")
    docs, values = docs[order], values[order]
    dfs = np.bincount(term_ids, minlength=len(vocabulary))
    last = np.cumsum(dfs) - 1
    previous = np.empty(total, dtype=np.int64)
    previous[0], previous[1:] = -1, docs[:-1]
    previous[last[:-1] + 1] = -1                # each term's first posting
    stream = np.empty(2 * total, dtype=np.int64)
    stream[0::2] = docs - previous - 1
    stream[1::2] = values
    text, ends = _encode_numbers(stream)
    char_ends = ends[2 * last + 1].tolist()
    encoded = [text[a:b] for a, b in zip([0] + char_ends[:-1], char_ends)]
    return vocabulary, encoded, dfs.tolist(), codes


def _manifest(n: int, shards: int) -> bytes:
    return shard_script("manifest", {"v": FORMAT, "n": n, "b": shards, "ds": DOCS_PER_SHARD, "fields": list(FIELDS),
                                     "stop": sorted(STOP), "mark": GRAM_MARK,
                                     "weights": [EXACT_WEIGHT, PREFIX_WEIGHT, SYNONYM_WEIGHT, GRAM_WEIGHT],
                                     "expand": EXPANSIONS, "top": RESULTS})


@dataclass
class _Build:
    files: dict[str, bytes]        # path relative to search/jiandu → content
    numbers: dict[str, int]
    scores: list[dict[str, int]]   # in docs order
    codes: list[str]               # each doc's scores encoded (for the build state)
    shards: int
    terms: int
    size: int


def _build(docs: list[SearchDoc], *, numbers: dict | None = None, shards: int | None = None,
           large: int = LARGE_POSTINGS, shard_bytes: int = SHARD_BYTES) -> _Build:
    locations = [doc.location for doc in docs]
    _check_locations(locations)
    numbered = _assign_numbers(locations, numbers or {})
    scores = [term_scores(doc) for doc in docs]
    vocabulary, encoded, dfs, codes = _all_postings([numbered[loc] for loc in locations], scores)
    files: dict[str, bytes] = {}
    entries: list[object] = []
    taken: set[str] = set()
    size = 0
    for term, text, df in zip(vocabulary, encoded, dfs):
        if len(text) > large:
            name = _large_name(term, taken)
            taken.add(name)
            files[name + ".js"] = _large_script(name, text)
            entry = [df, name]
        else:
            entry = text
        entries.append(entry)
        size += _entry_size(term, entry)
    count = _shard_count(size, shards, shard_bytes)
    grouped: list[tuple[list[str], list]] = [([], []) for _ in range(2 * count)]
    for term, entry in zip(vocabulary, entries):
        words, values = grouped[shard_of(term, count)]
        words.append(term)
        values.append(entry)
    for k, (words, values) in enumerate(grouped):
        files[f"t/{k}.js"] = shard_script(f"t/{k}", {"w": words, "p": values})
    by_number = {numbered[doc.location]: doc for doc in docs}
    slots = max(by_number, default=-1) + 1
    for k in range((slots + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD):
        rows = [_row(d) if (d := by_number.get(n)) else None
                for n in range(k * DOCS_PER_SHARD, (k + 1) * DOCS_PER_SHARD)]
        while rows and rows[-1] is None:
            rows.pop()
        files[f"d/{k}.js"] = shard_script(f"d/{k}", rows)
    files["manifest.js"] = _manifest(len(docs), count)
    return _Build(files, numbered, scores, codes, count, len(vocabulary), size)


def build_files(docs: list[SearchDoc], *, numbers: dict[str, int] | None = None, shards: int | None = None,
                large: int = LARGE_POSTINGS, shard_bytes: int = SHARD_BYTES) -> tuple[dict[str, bytes], dict]:
    """Every index file (path relative to search/jiandu → content) of a full build, and a summary.

    numbers: doc numbers to keep (location → number); shards: the previous shard count, kept if still fit.
    """
    build = _build(docs, numbers=numbers, shards=shards, large=large, shard_bytes=shard_bytes)
    return build.files, {"shards": build.shards, "terms": build.terms, "size": build.size,
                         "numbers": build.numbers}


# --- build state --------------------------------------------------------------------

def _params(large: int, shard_bytes: int) -> list:
    return [FORMAT, STATE_FORMAT, large, shard_bytes, DOCS_PER_SHARD, SCORES_PER_BUCKET]


def _read_json(path: Path):
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _load_state(state_dir: Path) -> dict | None:
    state = _read_json(state_dir / STATE_FILE)
    if not (isinstance(state, dict) and state.get("format") == STATE_FORMAT and isinstance(state.get("docs"), dict)
            and isinstance(state.get("files"), dict)):
        return None
    return state


def _files_match(index_dir: Path, recorded: dict) -> bool:
    """Whether search/jiandu holds exactly the files of the state, as written (size and mtime)."""
    seen = 0
    for sub in ("", "t/", "p/", "d/"):
        try:
            entries = os.scandir(index_dir / sub if sub else index_dir)
        except FileNotFoundError:
            continue
        except OSError:
            return False
        with entries:
            for entry in entries:
                if not sub and entry.name in ("t", "p", "d") and entry.is_dir(follow_symlinks=False):
                    continue
                expected = recorded.get(sub + entry.name)
                if expected is None or not entry.is_file(follow_symlinks=False):
                    return False
                info = entry.stat(follow_symlinks=False)
                if [info.st_size, info.st_mtime_ns] != expected:
                    return False
                seen += 1
    return seen == len(recorded)


def _stat(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def _previous_numbers(index_dir: Path) -> tuple[dict[str, int], int | None]:
    """Without build state: the doc numbers and the shard count of the index files present."""
    numbers: dict[str, int] = {}
    shards = None
    try:
        manifest = read_shard(index_dir / "manifest.js")
        shards = manifest["b"] if isinstance(manifest.get("b"), int) else None
        for path in (index_dir / "d").glob("*.js"):
            k = int(path.stem)
            for i, row in enumerate(read_shard(path)):
                if row:
                    numbers[row[0]] = k * DOCS_PER_SHARD + i
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}, shards
    return numbers, shards


def _write_stubs(search_dir: Path, separator: str, report: SiteSearchReport) -> None:
    stub = stub_index(separator)
    for name, data in (("search_index.json", stub.encode("utf-8")),
                       ("search_index.js", f"var __index = {stub}".encode())):
        path = search_dir / name
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if same:
            report.kept += 1
        else:
            write_file(path, data)
            report.written += 1
            report.written_files.append(name)
        report.files += 1
        report.total_bytes += len(data)


def _write_full(search_dir: Path, docs: list[SearchDoc], build: _Build, state_dir: Path | None,
                params: list, separator: str) -> SiteSearchReport:
    index_dir = search_dir / INDEX_DIR
    if state_dir is not None:
        (state_dir / STATE_FILE).unlink(missing_ok=True)  # until the new state is complete
    report = SiteSearchReport(docs=len(docs), terms=build.terms, shards=build.shards)
    _write_stubs(search_dir, separator, report)
    _sync_folder(index_dir, INDEX_DIR, build.files, report)
    if state_dir is not None:
        buckets: dict[int, dict[str, object]] = {}
        keys = {}
        for doc, scores, code in zip(docs, build.scores, build.codes):
            number = build.numbers[doc.location]
            buckets.setdefault(number // SCORES_PER_BUCKET, {})[doc.location] = _pack(scores, code)
            keys[doc.location] = [number, doc.key if doc.key is not None else _content_key(doc, scores)]
        scores_dir = state_dir / SCORES_DIR
        for b, bucket in buckets.items():
            _replace(scores_dir / f"{b}.json", json.dumps(bucket, ensure_ascii=False).encode("utf-8"))
        for path in scores_dir.glob("*") if scores_dir.is_dir() else []:
            if not (path.suffix == ".json" and path.stem.isdigit() and int(path.stem) in buckets):
                path.unlink()
        files = {name: _stat(index_dir / name) for name in build.files}
        slots = max(build.numbers.values(), default=-1) + 1
        free = sorted(set(range(slots)) - set(build.numbers.values()))
        state = {"format": STATE_FORMAT, "params": params, "shards": build.shards, "size": build.size,
                 "terms": build.terms, "slots": slots, "free": free, "docs": keys, "files": files}
        _replace(state_dir / STATE_FILE, json.dumps(state).encode("ascii"))
    report.numbers = dict(build.numbers)
    return report


# --- the incremental update ---------------------------------------------------------

class _Stale(Exception):
    """The build state cannot be used for an incremental update: do a full build."""


def _encode_number(value: int, out: list[str]) -> None:
    digits = []
    while True:
        digits.append(value & 31)
        value >>= 5
        if not value:
            break
    for digit in reversed(digits[1:]):
        out.append(ALPHABET[32 + digit])
    out.append(ALPHABET[digits[0]])


def _encode_small(numbers: list[int]) -> str:
    out: list[str] = []
    for number in numbers:
        _encode_number(number, out)
    return "".join(out)


def _splice(encoded: str, number: int, score: int | None) -> tuple[str, int]:
    """_patch for one doc: re-encodes only the postings around it."""
    numbers, ends = _decode_numbers(encoded)
    if len(numbers) % 2:
        raise ValueError("odd postings string")
    gaps = numbers[0::2]
    docs = np.cumsum(gaps + 1) - 1
    count = len(docs)
    i = int(np.searchsorted(docs, number))

    def start(j: int) -> int:  # where number j (of the gap/score stream) starts
        return 0 if j == 0 else (j if ends is None else int(ends[j - 1]))

    def end(j: int) -> int:
        return j + 1 if ends is None else int(ends[j])

    if i < count and int(docs[i]) == number:
        if score is not None:
            return encoded[:start(2 * i + 1)] + _encode_small([score]) + encoded[end(2 * i + 1):], count
        if i + 1 < count:
            merged = int(gaps[i]) + int(gaps[i + 1]) + 1
            return encoded[:start(2 * i)] + _encode_small([merged]) + encoded[end(2 * i + 2):], count - 1
        return encoded[:start(2 * i)], count - 1
    if score is None:
        return encoded, count
    previous = int(docs[i - 1]) if i else -1
    if i == count:
        return encoded + _encode_small([number - previous - 1, score]), count + 1
    inserted = _encode_small([number - previous - 1, score, int(docs[i]) - number - 1])
    return encoded[:start(2 * i)] + inserted + encoded[end(2 * i):], count + 1


def _patch(encoded: str, changes: dict[int, int | None]) -> tuple[str, int]:
    """Postings with the docs in changes removed, then those with a score (re-)added."""
    if len(changes) == 1 and encoded:
        return _splice(encoded, *next(iter(changes.items())))
    docs, scores = _decode_arrays(encoded)
    if len(docs):
        keep = ~np.isin(docs, np.fromiter(changes, dtype=np.int64, count=len(changes)))
        docs, scores = docs[keep], scores[keep]
    added = [(number, score) for number, score in changes.items() if score is not None]
    if added:
        new = np.asarray(added, dtype=np.int64)
        docs, scores = np.concatenate([docs, new[:, 0]]), np.concatenate([scores, new[:, 1]])
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
    return (_encode_arrays(docs, scores) if len(docs) else ""), len(docs)


def _update(search_dir: Path, docs: list[SearchDoc], state_dir: Path, state: dict, separator: str,
            large: int, shard_bytes: int) -> SiteSearchReport:
    """Patch the index for the docs whose key changed, new and removed docs. Raises _Stale if it cannot."""
    index_dir = search_dir / INDEX_DIR
    recorded: dict[str, list[int]] = state["files"]
    old_docs: dict[str, list] = state["docs"]
    shards, size, terms = state["shards"], state["size"], state["terms"]
    # 1. what changed
    locations = [doc.location for doc in docs]
    _check_locations(locations)
    changed: list[tuple[SearchDoc, dict[str, int], str]] = []
    added: list[tuple[SearchDoc, dict[str, int], str]] = []
    for doc in docs:
        previous = old_docs.get(doc.location)
        if doc.key is not None and previous is not None and previous[1] == doc.key:
            continue
        scores = term_scores(doc)
        key = doc.key if doc.key is not None else _content_key(doc, scores)
        if previous is None:
            added.append((doc, scores, key))
        elif previous[1] != key:
            changed.append((doc, scores, key))
    present = set(locations)
    removed = [loc for loc in old_docs if loc not in present] if len(old_docs) + len(added) != len(docs) else []
    report = SiteSearchReport(docs=len(docs), terms=terms, shards=shards)
    _write_stubs(search_dir, separator, report)
    if not (changed or added or removed):
        report.files += len(recorded)
        report.kept += len(recorded)
        report.total_bytes += sum(entry[0] for entry in recorded.values())
        report.numbers = {loc: entry[0] for loc, entry in old_docs.items()}
        return report
    # 2. numbers (for new docs the lowest free ones, as in a full build), old and new scores
    numbers = {doc.location: old_docs[doc.location][0] for doc, _, _ in changed}
    free = sorted(set(state["free"]) | {old_docs[loc][0] for loc in removed})
    slots = state["slots"]
    for i, (doc, _, _) in enumerate(added):
        if i < len(free):
            numbers[doc.location] = free[i]
        else:
            numbers[doc.location] = slots
            slots += 1
    free = free[len(added):]
    while free and free[-1] == slots - 1:
        free.pop()
        slots -= 1
    buckets: dict[int, dict] = {}

    def bucket(number: int) -> dict:
        b = number // SCORES_PER_BUCKET
        if b not in buckets:
            data = _read_json(state_dir / SCORES_DIR / f"{b}.json")
            if not isinstance(data, dict):
                raise _Stale
            buckets[b] = data
        return buckets[b]

    changes: dict[str, dict[int, int | None]] = {}
    rows: dict[int, list | None] = {}
    for loc in removed:
        number = old_docs[loc][0]
        for term in _unpack(bucket(number).pop(loc)):
            changes.setdefault(term, {})[number] = None
        rows[number] = None
    for doc, scores, _ in changed:
        number = numbers[doc.location]
        old = _unpack(bucket(number)[doc.location])
        for term, score in scores.items():
            if old.get(term) != score:
                changes.setdefault(term, {})[number] = score
        for term in old:
            if term not in scores:
                changes.setdefault(term, {})[number] = None
        bucket(number)[doc.location] = _pack(scores)
        rows[number] = _row(doc)
    for doc, scores, _ in added:
        number = numbers[doc.location]
        for term, score in scores.items():
            changes.setdefault(term, {})[number] = score
        bucket(number)[doc.location] = _pack(scores)
        rows[number] = _row(doc)
    # 3. patch the term shards and large postings (in memory)
    outputs: dict[str, bytes] = {}
    deleted: set[str] = set()
    taken = {name.removesuffix(".js") for name in recorded if name.startswith("p/")}
    by_shard: dict[int, list[str]] = {}
    for term in changes:
        by_shard.setdefault(shard_of(term, shards), []).append(term)
    for k, shard_terms in by_shard.items():
        name = f"t/{k}.js"
        data = _parse_script((index_dir / name).read_bytes())
        entries = dict(zip(data["w"], data["p"]))
        reorder = False
        for term in shard_terms:
            entry = entries.get(term)
            if isinstance(entry, list):
                encoded = _parse_large((index_dir / f"{entry[1]}.js").read_bytes())
                size -= _entry_size(term, entry)
            elif entry is None:
                encoded = ""
                reorder = True
                terms += 1
            else:
                encoded = entry
                size -= _entry_size(term, entry)
            patched, df = _patch(encoded, changes[term])
            old_large = entry[1] if isinstance(entry, list) else None
            if not patched:
                del entries[term]
                reorder = True
                terms -= 1
                if old_large:
                    deleted.add(old_large + ".js")
                continue
            if len(patched) > large:
                large_name = old_large or _large_name(term, taken)
                taken.add(large_name)
                outputs[large_name + ".js"] = _large_script(large_name, patched)
                deleted.discard(large_name + ".js")
                entry = [df, large_name]
            else:
                if old_large:
                    deleted.add(old_large + ".js")
                entry = patched
            entries[term] = entry
            size += _entry_size(term, entry)
        words = sorted(entries) if reorder else data["w"]
        outputs[name] = shard_script(f"t/{k}", {"w": words, "p": [entries[w] for w in words]})
    if _shard_count(size, shards, shard_bytes) != shards:
        raise _Stale  # the index grew or shrank enough for another shard count
    # 4. the doc shards and the manifest
    count = (slots + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD
    touched = {number // DOCS_PER_SHARD for number in rows}
    touched |= {k for k in range(count) if f"d/{k}.js" not in recorded}
    for k in sorted(touched):
        name = f"d/{k}.js"
        if k >= count:
            continue
        shard_rows = _parse_script((index_dir / name).read_bytes()) if name in recorded else []
        shard_rows += [None] * (DOCS_PER_SHARD - len(shard_rows))
        for i in range(DOCS_PER_SHARD):
            if k * DOCS_PER_SHARD + i in rows:
                shard_rows[i] = rows[k * DOCS_PER_SHARD + i]
        while shard_rows and shard_rows[-1] is None:
            shard_rows.pop()
        outputs[name] = shard_script(f"d/{k}", shard_rows)
    deleted |= {name for name in recorded if name.startswith("d/") and int(name[2:-3]) >= count}
    outputs["manifest.js"] = _manifest(len(docs), shards)
    # 5. write: files first, the state last (removed first, so that a crash leaves no state)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    files = dict(recorded)
    for name, data in outputs.items():
        path = index_dir / name
        if name in recorded and recorded[name][0] == len(data) and path.read_bytes() == data:
            continue
        _replace(path, data)
        files[name] = _stat(path)
        report.written += 1
        report.written_files.append(f"{INDEX_DIR}/{name}")
    for name in sorted(deleted):
        if name in files:
            (index_dir / name).unlink(missing_ok=True)
            del files[name]
            report.removed += 1
    for b, data in buckets.items():
        path = state_dir / SCORES_DIR / f"{b}.json"
        if data:
            _replace(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        else:
            path.unlink(missing_ok=True)
    for loc in removed:
        del old_docs[loc]
    for doc, _, key in changed + added:
        old_docs[doc.location] = [numbers[doc.location], key]
    new_state = dict(state, size=size, terms=terms, docs=old_docs, files=files, free=free, slots=slots)
    _replace(state_dir / STATE_FILE, json.dumps(new_state).encode("ascii"))
    report.terms = terms
    report.files += len(files)
    report.kept += len(files) - report.written
    report.total_bytes += sum(entry[0] for entry in files.values())
    report.numbers = {loc: entry[0] for loc, entry in old_docs.items()}
    return report


# --- writing ----------------------------------------------------------------------

def write_site_search(search_dir: Path, docs: list[SearchDoc], *, state_dir: Path | None = None,
                      separator: str = DEFAULT_SEPARATOR, large: int = LARGE_POSTINGS,
                      shard_bytes: int = SHARD_BYTES, synonyms: dict[str, list[str]] | None = None) \
        -> SiteSearchReport:
    """Write (or update) the index for docs under search_dir (<site>/search), and the planner's
    files (synonyms, facets) under search_dir/jiandu-x.

    With state_dir (a private folder outside the site), the build state is kept there, and when it
    matches the files in search_dir/jiandu (e.g. hard links to the previous build's), only the docs
    whose key changed, new and removed docs are processed. Otherwise (and without state_dir) all
    files are built and compared with those present. Either way only changed files are written,
    each to a temporary name then renamed, and files no longer produced are deleted: existing files
    are never opened for writing (they may be hard links into a previous build).
    """
    search_dir = Path(search_dir)
    index_dir = search_dir / INDEX_DIR
    docs = list(docs)
    params = _params(large, shard_bytes)
    state = _load_state(Path(state_dir)) if state_dir is not None else None
    if state is not None and state.get("params") == params and _files_match(index_dir, state["files"]):
        try:
            report = _update(search_dir, docs, Path(state_dir), state, separator, large, shard_bytes)
            write_plan(search_dir, docs, report.numbers, synonyms or {}, report)
            return report
        except (_Stale, OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
            pass  # a full build instead; it compares every file with the one present, so also repairs
    if state is not None:
        numbers = {loc: entry[0] for loc, entry in state["docs"].items()
                   if isinstance(entry, list) and entry}
        shards = state.get("shards") if isinstance(state.get("shards"), int) else None
    else:
        numbers, shards = _previous_numbers(index_dir)
    build = _build(docs, numbers=numbers, shards=shards, large=large, shard_bytes=shard_bytes)
    report = _write_full(search_dir, docs, build, Path(state_dir) if state_dir is not None else None, params,
                         separator)
    write_plan(search_dir, docs, report.numbers, synonyms or {}, report)
    return report


# --- the planner's data: synonyms and facets (search/jiandu-x/, rewritten whole) -------------

PLAN_DIR = "jiandu-x"
FACETS = (("category", "监督内容"), ("mechanism", "工作机制"), ("year", "年份"), ("region", "地区"),
          ("unit", "被监督单位"), ("flag", "典型/可推广"))


def case_search_doc(case, scores=None, key=None, fields=None) -> SearchDoc:
    """The SearchDoc of a case page: its scores (or fields), the meta shown with a result, its facets."""
    flags = (["典型案例"] if case.typical else []) + (["可复制可推广"] if case.replicable else [])
    facets = {"category": [case.category], "mechanism": list(case.mechanisms), "year": [str(case.year)],
              "region": [case.region], "unit": list(dict.fromkeys(case.supervised)), "flag": flags,
              "date": int(case.date.strftime("%Y%m%d"))}
    return SearchDoc(location=f"cases/{case.id}.html", title=case.title, text=case.summary, fields=fields or {},
                     scores=scores, key=key, meta=(case.id, case.date.isoformat(), case.region, case.category),
                     facets=facets)


def _facet_column(rows: list, f: int) -> list[str]:
    """One facet as two digit strings: each doc's number of values, then all values (a doc's in ascending
    order, each after the first as the step from the one before)."""
    counts, values = [], []
    for row in rows:
        found = sorted(row[f + 1]) if row is not None else []
        counts.append(len(found))
        values.extend(v - (found[i - 1] if i else 0) for i, v in enumerate(found))
    return [_encode_numbers(np.array(counts))[0], _encode_numbers(np.array(values))[0]]


def plan_files(docs: list[SearchDoc], numbers: dict[str, int], synonyms: dict[str, list[str]]) -> dict[str, bytes]:
    """plan.js (synonyms and facet values), facets.js (every doc's facet values, one column per facet:
    counts over any result set need this one file) and dates.js (each doc's date as its rank among the
    dates, read only to sort by date)."""
    values: dict[str, dict[str, int]] = {name: {} for name, _ in FACETS}
    for doc in docs:
        for name, _ in FACETS:
            for value in (doc.facets or {}).get(name, ()):
                values[name].setdefault(value, 0)
    ordered = {name: sorted(found, reverse=(name == "year")) for name, found in values.items()}
    index = {name: {value: i for i, value in enumerate(found)} for name, found in ordered.items()}
    slots = max(numbers.values(), default=-1) + 1
    rows: list = [None] * slots
    for doc in docs:
        if doc.facets is not None:
            rows[numbers[doc.location]] = [doc.facets.get("date", 0)] + \
                [[index[name][v] for v in doc.facets.get(name, ())] for name, _ in FACETS]
    dates = sorted({row[0] for row in rows if row is not None})
    rank = {date: i + 1 for i, date in enumerate(dates)}
    return {"plan.js": shard_script(f"../{PLAN_DIR}/plan", {
                "synonyms": synonyms, "facets": [[name, label, ordered[name]] for name, label in FACETS]}),
            "facets.js": shard_script(f"../{PLAN_DIR}/facets", {
                "n": slots, "none": [d for d, row in enumerate(rows) if row is None],
                "c": [_facet_column(rows, f) for f in range(len(FACETS))]}),
            "dates.js": shard_script(f"../{PLAN_DIR}/dates",
                                     _encode_numbers(np.array([rank[row[0]] if row is not None else 0 for row in rows]))[0])}


def write_plan(search_dir: Path, docs: list[SearchDoc], numbers: dict[str, int], synonyms: dict[str, list[str]],
               report: SiteSearchReport) -> None:
    """Write the planner's files that changed (to new files), and delete those no longer made."""
    plan_dir = Path(search_dir) / PLAN_DIR
    _sync_folder(plan_dir, PLAN_DIR, plan_files(docs, numbers, synonyms), report)


def _sync_folder(folder: Path, label: str, files: dict[str, bytes], report: SiteSearchReport) -> None:
    """Make folder hold exactly files: unchanged ones are kept, changed ones written as new files,
    the rest (and any link planted there) deleted; report counts what happened."""
    for name, data in files.items():
        path = folder / name
        try:
            same = path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
        if same:
            report.kept += 1
        else:
            _replace(path, data)
            report.written += 1
            report.written_files.append(f"{label}/{name}")
        report.files += 1
        report.total_bytes += len(data)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if (path.is_file() or path.is_symlink()) and path.relative_to(folder).as_posix() not in files:
            path.unlink()
            report.removed += 1


# --- the query algorithm (mirrors generator/site/assets/jiandu-search-worker.js) ---------

@lru_cache(maxsize=1)
def _t2s() -> dict[str, str]:
    from generator.siteindex.plugin import t2s_table

    return t2s_table()


def normalize_query(query: str) -> str:
    """What search-normalize.js does before the query reaches the worker."""
    table = _t2s()
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


class _Reader:
    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.cache: dict[str, object] = {}
        self.files: list[Path] = []

    def load(self, name: str):
        if name not in self.cache:
            path = Path(os.path.normpath(self.index_dir / f"{name}.js"))  # ../jiandu-x/… for the planner's files
            self.files.append(path)
            self.cache[name] = read_shard(path)
        return self.cache[name]


class _TermShard:
    def __init__(self, data: dict):
        self.words: list[str] = data["w"]
        self.entries: dict[str, object] = dict(zip(data["w"], data["p"]))

    def df(self, term: str) -> int:
        entry = self.entries[term]
        return entry[0] if isinstance(entry, list) else posting_count(entry)


class ShardSource:
    """The sharded index as the query planner's Source (what the worker does, in Python)."""

    def __init__(self, reader: _Reader, manifest: dict):
        self.reader, self.manifest, self.n = reader, manifest, manifest["n"]

    def shard(self, term: str) -> _TermShard:
        key = f"t/{shard_of(term, self.manifest['b'])}"
        if key not in self.reader.cache:
            self.reader.cache[key] = _TermShard(self.reader.load(key))  # first load records the file
        return self.reader.cache[key]

    def has(self, term: str) -> bool:
        return term in self.shard(term).entries

    def expansions(self, prefix: str) -> list[str]:
        sh = self.shard(prefix)
        mark = self.manifest["mark"]
        found = [w for w in sh.words if len(w) > len(prefix) and w.startswith(prefix) and not w.endswith(mark)]
        found.sort(key=lambda w: -sh.df(w))
        return found[:self.manifest["expand"]]

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        entry = self.shard(term).entries.get(term)
        if entry is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        encoded = self.reader.load(entry[1]) if isinstance(entry, list) else entry
        return _decode_arrays(encoded)


def _small_numbers(text: str) -> list[int]:
    return _decode_numbers(text)[0].tolist()


def _facet_rows(reader: _Reader, plan: dict, sort: str) -> list:
    """Every doc's row [date rank, values of each facet…] (None: no facets), from facets.js (and dates.js
    when sorting by date)."""
    data = reader.load(f"../{PLAN_DIR}/facets")
    rows: list = [[0] for _ in range(data["n"])]
    for counts, values in data["c"]:
        flat, at = _small_numbers(values), 0
        for row, count in zip(rows, _small_numbers(counts)):
            found, last = [], 0
            for step in flat[at:at + count]:
                last += step
                found.append(last)
            row.append(found)
            at += count
    if sort == "date":
        for row, date in zip(rows, _small_numbers(reader.load(f"../{PLAN_DIR}/dates"))):
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
    reader = _Reader(Path(search_dir) / INDEX_DIR)
    manifest = reader.load("manifest")
    plan = reader.load(f"../{PLAN_DIR}/plan")
    source = ShardSource(reader, manifest)
    text = (query if normalized else normalize_query(query)).lower()
    words = parse(text, source, plan["synonyms"])
    ranked = rank(words, source)
    facets: dict[str, list[tuple[str, int]]] = {}
    if ranked and (filters or sort == "date" or top is None):
        ranked, facets = _narrow(reader, plan, ranked, filters or {}, sort)
    items = []
    for hit in ranked[:manifest["top"] if top is None else top]:
        rows = reader.load(f"d/{hit.doc // manifest['ds']}")
        location, title, teaser_text, *meta = rows[hit.doc % manifest["ds"]]
        items.append({"location": location, "title": title, "text": teaser_text, "score": hit.score,
                      "missing": hit.missing, "meta": meta})
    return QueryResult(reader.files, len(ranked), items, [word.word for word in words], facets)


def _narrow(reader: _Reader, plan: dict, ranked: list[Ranked], filters: dict[str, list[str]], sort: str):
    """Keep the results with the chosen facet values, count the values among them, sort by date if asked."""
    names = [name for name, _, _ in plan["facets"]]
    rows = _facet_rows(reader, plan, sort)
    chosen = {}
    for f, (name, _, values) in enumerate(plan["facets"]):
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
              for f, (name, _, values) in enumerate(plan["facets"])}
    if sort == "date":
        kept.sort(key=lambda hit: (-(rows[hit.doc][0] if rows[hit.doc] else 0), hit.doc))
    return kept, facets


def plan_query(search_dir: Path, query: str) -> tuple[list[Path], list[str]]:
    """The files a browser reads for this query, in order, and the locations of the results shown."""
    result = query_site(search_dir, query, top=RESULTS)
    return result.files, result.locations


def search_docs_for_cases(cases) -> list[SearchDoc]:
    """SearchDocs for case pages (cases/<id>.html), segmented with the shared tokenizer."""
    from generator.search.queryplan import extra_fields
    from generator.search.whoosh_index import TEXT_FIELDS, case_document
    from generator.text.tokenizer import index_tokens

    docs = []
    for case in cases:
        document = case_document(case)
        fields = {name: tuple(word for _, word, _, _ in index_tokens(document[name])) for name in TEXT_FIELDS}
        fields.update(extra_fields(document))
        docs.append(case_search_doc(case, fields=fields))
    return docs
