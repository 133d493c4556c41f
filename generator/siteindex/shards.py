"""The index files' format: small sharded scripts that the browser loads a few at a time.

mkdocs-material's own search downloads one index of the whole site (tens of MB at
10,000 cases). This index is split so that a query reads only a small part of it,
and every file is a script that registers itself, so it loads with fetch + JSON.parse
in a Web Worker and with a <script> tag in the file:// iframe worker shim:

    search/search_index.json, search_index.js   stubs for material's main thread (config only, no docs)
    search/jiandu/manifest.js    jianduShard("manifest", {v, n, b, ds, ...}): doc count, shard count,
                                 docs per doc shard, field names, stopwords and query constants
    search/jiandu/t/<k>.js       jianduShard("t/<k>", {w: [term, ...], p: [postings, ...]}): every term whose
                                 first character's code point % b == k (sorted), so one file has the
                                 vocabulary to segment a query at that character; p[i] is the term's
                                 postings as a string, or [df, "p/<name>"] when they are in a file of their own
    search/jiandu/p/<name>.js    jianduShard("p/<name>", "postings") for a term with many postings
    search/jiandu/d/<k>.js       jianduShard("d/<k>", [[location, title, teaser, meta…] | null, ...]): docs
                                 k*ds … k*ds+ds-1, read only for the results shown

Postings strings are codec.py's; scores are scoring.py's. The browser multiplies a score by an idf
from the posting count and the doc count, in integer arithmetic, so that query.py ranks exactly as
generator/site/assets/jiandu-search-worker.js does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.search.fields import FIELD_BOOSTS, TEXT_FIELDS
from generator.search.queryplan import EXACT_WEIGHT, EXPANSIONS, GRAM_MARK, GRAM_WEIGHT, LOOSE_BELOW, PREFIX_WEIGHT, \
    STOP, SYNONYM_WEIGHT
from generator.siteindex.model import SearchDoc

FORMAT = 4                   # of the index files (the browser's side)
INDEX_DIR = "jiandu"
DOCS_PER_SHARD = 2           # a result row costs its doc shard: small shards, small downloads
TEASER_CHARS = 120
LARGE_POSTINGS = 192         # encoded postings longer than this get a file of their own
SHARD_BYTES = 6 * 1024       # aim for term shards about this size (a query reads several)
MAX_SHARDS = 4096
RESULTS = 10                 # results shown (material renders what it gets)
DEFAULT_SEPARATOR = r'[\s\u200b\u3000\-、。，．？！；：“”‘’（）《》,.:;!?()]+'


def js_text(value) -> str:
    """JSON for a .js file: UTF-8, no \\u escapes except U+2028/2029 (line ends in older JS)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("\u2028", "\\u2028") \
        .replace("\u2029", "\\u2029")


def shard_script(name: str, value) -> bytes:
    return f"jianduShard({js_text(name)},{js_text(value)});\n".encode()


def large_script(name: str, encoded: str) -> bytes:
    """shard_script(name, encoded) for a postings string (no character needs escaping)."""
    return f'jianduShard("{name}","{encoded}");\n'.encode("ascii")


def parse_large(data: bytes) -> str:
    head = data.index(b",")
    if data[head + 1:head + 2] != b'"' or not data.endswith(b'");\n'):
        raise ValueError("not a postings file")
    return data[head + 2:-4].decode("ascii")


def parse_script(data: bytes):
    text = data.decode("utf-8")
    start, end = text.index(",") + 1, text.rindex(");")
    return json.loads(text[start:end])


def read_shard(path: Path):
    """The value a shard script registers."""
    return parse_script(Path(path).read_bytes())


def stub_index(separator: str = DEFAULT_SEPARATOR) -> str:
    """What material's main thread loads as search_index.json: configuration, no documents."""
    config = {"lang": ["zh"], "separator": separator, "pipeline": [],
              "fields": {name: {"boost": FIELD_BOOSTS[name]} for name in TEXT_FIELDS}}
    return json.dumps({"config": config, "docs": []}, ensure_ascii=False, separators=(",", ":"))


def teaser(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEASER_CHARS else text[:TEASER_CHARS] + "…"


def shard_of(term: str, shards: int) -> int:
    """The term shard of a term: by its first character; bigram-field terms in shards of their own
    (numbers shards … 2·shards-1), read only when a query needs the bigram fallback."""
    return ord(term[0]) % shards + (shards if term.endswith(GRAM_MARK) else 0)


def doc_row(doc: SearchDoc) -> list[str]:
    """A doc's row in its doc shard: what a result shows."""
    return [doc.location, " ".join(doc.title.split()), teaser(doc.text), *doc.meta]


def entry_size(term: str, entry) -> int:
    """A term's share of the term shards, in bytes (roughly): decides the shard count."""
    if isinstance(entry, list):
        return len(term.encode("utf-8")) + len(entry[1]) + 12
    return len(term.encode("utf-8")) + len(entry) + 6


def large_name(term: str, taken: set[str]) -> str:
    """The name of the file of a term's long postings (p/<digest>), not one of taken."""
    digest = hashlib.sha1(term.encode("utf-8")).hexdigest()
    size = 12
    while f"p/{digest[:size]}" in taken:
        size += 2
    return f"p/{digest[:size]}"


def shard_count(size: int, previous: int | None, target: int) -> int:
    """How many term shards for this many bytes of entries: a power of two; the previous count
    while it is within a factor of two (so that a small change in size rewrites no shard)."""
    ideal = 1
    while ideal * target < size and ideal < MAX_SHARDS:
        ideal *= 2
    if previous and ideal / 2 <= previous <= ideal * 2 and previous & (previous - 1) == 0:
        return previous
    return ideal


def manifest_script(n: int, shards: int) -> bytes:
    return shard_script("manifest", {"v": FORMAT, "n": n, "b": shards, "ds": DOCS_PER_SHARD,
                                     "fields": list(TEXT_FIELDS), "stop": sorted(STOP), "mark": GRAM_MARK,
                                     "weights": [EXACT_WEIGHT, PREFIX_WEIGHT, SYNONYM_WEIGHT, GRAM_WEIGHT],
                                     "expand": EXPANSIONS, "loose": LOOSE_BELOW, "top": RESULTS})
