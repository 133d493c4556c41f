"""The one query planner: what a query means and how cases are ranked for it.

The same planner answers `jiandu search` (over a Whoosh field that carries the
term scores, see search.py) and the site search (over the sharded index, see
siteindex.py; generator/site/assets/jiandu-search-worker.js mirrors this module line
for line — change both together).

Index side (every case, `index_fields`): the text fields, searchable metadata
(id, year as 2024 and 2024年, region with and without 市/县/区, category,
mechanisms, supervisors, supervised units, 典型案例 / 可复制可推广 as words) and a
character-bigram field of the title, subtitle and keywords (terms ending in GRAM_MARK).
Each field has a boost; a term's score in a case is the field-weighted BM25
term-frequency saturation (siteindex.term_scores).

Query side (`parse`): the normalised query is cut into runs (a year such as
2024年, a Chinese run, a Latin/digit run such as a case id). A Chinese run is
segmented greedily, longest match first, against the index vocabulary itself
plus the synonym table — never against another dictionary, so that query and
index agree. Each query word has alternatives, each a set of terms that must
all occur in a case: the word itself, longer index words it begins (检察建 →
检察建议), its synonyms (行刑衔接 → 两法衔接; 两院 → 法院 + 检察院) and its
character bigrams in the bigram field. A word's score in a case is its best
alternative; metadata is just a strongly boosted field, so a recognised region,
year, id, unit, category or mechanism ranks its cases first without being a
filter, and never has to occur in the body text.

Ranking (`rank`): soft matching — cases holding every word first, then by how
many words they hold, then by score; a case is a result when it holds at least
half of the words (rounded up). Each result says which words it lacks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Protocol

from generator import DATA_DIR

SYNONYMS_FILE = "synonyms.yaml"
GRAM_MARK = "~"               # bigram-field terms end with this (never part of a query run)
EXACT_WEIGHT, PREFIX_WEIGHT, SYNONYM_WEIGHT, GRAM_WEIGHT = 10, 7, 8, 4
EXPANSIONS = 16               # a prefix matches at most this many index words (the most frequent)
LOOSE_BELOW = 100             # loose alternatives only for a word whose own match fewer cases (see _alternatives)
# Function words only: domain words such as 监督, 案件, 工作 are indexed and searchable.
STOP = frozenset("的 了 和 与 及 或 在 对 为 以 将 把 被 等 是 有 中 并 其 之 于 由 从 向 也 都 而 "
                 "一 个 这 那 该 此 各 上 下 不 未 已 又 还 就 让 使 到 给 所 着 过 可 能 会 要 "
                 "我们 他们 一个 一些 以及 其中".split())
# Field boosts of the metadata and bigram fields (the text fields' are search.FIELD_BOOSTS).
META_BOOSTS = {"id": 12.0, "year": 6.0, "region": 8.0, "category": 6.0, "mechanism": 6.0, "people": 4.0,
               "unit": 6.0, "unitword": 1.5, "flag": 6.0, "gram": 1.0}
META_LENGTH = 2               # reference length (terms) of the metadata fields
GRAM_LENGTH = 40
_PLACE_SUFFIX = re.compile(r"(?<=..)(?:省|市|县|区|自治州|自治县|地区|盟)$")
_UNIT_PREFIX = re.compile(r"^(?:省|市|县|区)(?=..)")
RUNS = re.compile(r"\d{4}年|[\u3400-\u9fff]+|[a-z0-9]+(?:-[a-z0-9]+)*")
CJK_START = re.compile(r"^[\u3400-\u9fff]")


# --- synonyms ---------------------------------------------------------------------

@lru_cache(maxsize=8)
def _read_groups(path: str, mtime: float) -> tuple[tuple[str, ...], ...]:
    import yaml

    from generator.core.problems import UserError
    from generator.text.tokenizer import normalize

    try:
        data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第 {line + 1} 行" if line is not None else ""
        raise UserError(f"{path}{where}：同义词文件无法读取（需要 UTF-8 编码的 YAML）") from None
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise UserError(f"{path}：同义词文件需要 groups 字段，其值是若干组词语（每组一个列表）")
    found = []
    for number, group in enumerate(groups, 1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, (str, int)) for w in group):
            raise UserError(f"{path}：groups 第 {number} 组应是至少两个词语的列表，如 [行刑衔接, 两法衔接]")
        found.append(tuple(" ".join(normalize(str(w)).split()) for w in group if str(w).strip()))
    return tuple(found)


def synonym_files(cases_dir: Path | None = None) -> list[Path]:
    """The project's synonyms, then the library's own (a synonyms.yaml beside its cases/ folder)."""
    files = [DATA_DIR / SYNONYMS_FILE]
    if cases_dir is not None and (Path(cases_dir).parent / SYNONYMS_FILE).is_file():
        files.append(Path(cases_dir).parent / SYNONYMS_FILE)
    return files


def load_synonyms(cases_dir: Path | None = None) -> dict[str, list[str]]:
    """word → its equivalents (each a word, or words joined by spaces that must all occur)."""
    table: dict[str, list[str]] = {}
    for path in synonym_files(cases_dir):
        for group in _read_groups(str(path), path.stat().st_mtime):
            for word in group:
                if " " in word:
                    continue  # a combination is a meaning, not something a query is cut into
                others = table.setdefault(word, [])
                others.extend(w for w in group if w != word and w not in others)
    return dict(sorted(table.items()))


@lru_cache(maxsize=1)
def canonical_terms() -> dict[str, str]:
    """word → the first word of its synonym group (the project's groups): similar cases compare these."""
    table: dict[str, str] = {}
    for group in _read_groups(str(DATA_DIR / SYNONYMS_FILE), (DATA_DIR / SYNONYMS_FILE).stat().st_mtime):
        words = [w for w in group if " " not in w]
        for word in words[1:]:
            table.setdefault(word, words[0])
    return table


# --- index side ---------------------------------------------------------------------

def _with_short_form(name: str, pattern) -> list[str]:
    short = pattern.sub("", name)
    return [name, short] if short != name else [name]


def place_forms(name: str) -> list[str]:
    """昆明市 → [昆明市, 昆明]."""
    return _with_short_form(name, _PLACE_SUFFIX)


def unit_forms(name: str) -> list[str]:
    """市自然资源和规划局 → [市自然资源和规划局, 自然资源和规划局]."""
    return _with_short_form(name, _UNIT_PREFIX)


def _words(text: str, segment=None) -> list[str]:
    from generator.text.tokenizer import index_tokens

    return [word for _, word, _, _ in (segment or index_tokens)(text) if len(word) > 1 and word not in STOP]


def segmented_meta(document: dict) -> list[str]:
    """The metadata texts meta_fields segments (units and supervisors)."""
    return [u for u in (document.get("unit") or "").split(",") + (document.get("supervisors") or "").split(",") if u]


def meta_fields(document: dict, segment=None) -> dict[str, tuple[str, ...]]:
    """The searchable metadata of a case document (search.case_document) as index terms, normalised.
    segment: text → its tokens (tokenizer.index_tokens, or the same tokens from the segment cache)."""
    from generator.text.tokenizer import normalize

    def norm(values) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalize(v).strip() for v in values if v and v.strip()))

    units = [u for u in (document.get("unit") or "").split(",") if u]
    people = [p for p in (document.get("supervisors") or "").split(",") if p]
    flags = (["典型案例", "典型"] if document.get("typical") else []) + \
        (["可复制可推广", "可复制", "可推广"] if document.get("replicable") else [])
    year = str(document.get("year") or "")
    return {
        "id": norm([document.get("id", "")]),
        "year": norm([year, year + "年"] if year else []),
        "region": norm(place_forms(document.get("region") or "") if document.get("region") else []),
        "category": norm([document.get("category") or ""]),
        "mechanism": norm([m for m in (document.get("mechanism") or "").split(",")]),
        "people": norm([form for p in people for form in unit_forms(p)]),
        "unit": norm([form for u in units for form in unit_forms(u)]),
        "unitword": tuple(dict.fromkeys(w for u in segmented_meta(document) for w in _words(u, segment))),
        "flag": norm(flags),
    }


def grams(text: str) -> list[str]:
    """Character bigrams (with GRAM_MARK) of every Chinese run of a normalised text."""
    return [run[i:i + 2] + GRAM_MARK for run in re.findall(r"[\u3400-\u9fff]{2,}", text)
            for i in range(len(run) - 1)]


def gram_field(*texts: str) -> tuple[str, ...]:
    from generator.text.tokenizer import normalize

    return tuple(dict.fromkeys(gram for text in texts for gram in grams(normalize(text))))


def extra_fields(document: dict, segment=None) -> dict[str, tuple[str, ...]]:
    """Everything the planner indexes besides the text fields (segment: see meta_fields)."""
    fields = meta_fields(document, segment)
    fields["gram"] = gram_field(document.get("title", ""), document.get("subtitle", ""), document.get("keywords", ""))
    return fields


# --- query side ---------------------------------------------------------------------

class Source(Protocol):
    """The index as the planner sees it (the site's shards, or the Whoosh index)."""

    n: int

    def has(self, term: str) -> bool: ...

    def expansions(self, prefix: str) -> list[str]: ...  # longer index words, most frequent first

    def postings(self, term: str) -> tuple[list[int], list[int]]: ...  # (doc numbers, scores)

    def frequency(self, term: str) -> int: ...  # how many cases hold the term (0: none)


@dataclass
class Alternative:
    terms: tuple[str, ...]      # all must occur in a case
    weight: int


@dataclass
class Word:
    word: str
    alts: list[Alternative] = field(default_factory=list)


def _split_known(text: str, source: Source) -> list[str] | None:
    """text as index words, longest match first; None when some part is no index word."""
    parts, i = [], 0
    while i < len(text):
        size = next((k for k in range(len(text) - i, 0, -1) if source.has(text[i:i + k])), 0)
        if not size:
            return None
        parts.append(text[i:i + size])
        i += size
    return parts


def _alternatives(word: str, source: Source, synonyms: dict[str, list[str]], prefix: bool) -> list[Alternative]:
    """The word's alternatives: itself, longer words it begins, synonyms, its bigrams. The loose ones
    (synonyms that are no index word, matched by their pieces, and the bigrams) only while the word's
    own alternatives match fewer than LOOSE_BELOW cases: in a large library a common word needs no
    fallback, and the pieces' postings (监督, 建议 for 监督建议) are the longest there are."""
    alts = []
    if source.has(word):
        alts.append(Alternative((word,), EXACT_WEIGHT))
    if prefix:
        alts += [Alternative((w,), PREFIX_WEIGHT) for w in source.expansions(word)]
    others = synonyms.get(word, ())
    whole = [other for other in others if source.has(other)]
    loose = sum(source.frequency(alt.terms[0]) for alt in alts) + \
        sum(source.frequency(other) for other in whole) < LOOSE_BELOW
    for other in others:
        if other in whole:
            alts.append(Alternative((other,), SYNONYM_WEIGHT))
            continue
        if not loose:
            continue
        parts: list[str] = []
        for piece in other.split(" "):
            known = [piece] if source.has(piece) else _split_known(piece, source)
            if known is None:
                parts = []
                break
            parts += known
        if parts:
            alts.append(Alternative(tuple(parts), SYNONYM_WEIGHT))
    if loose and len(word) >= 2 and CJK_START.match(word):  # any two characters of a title or keyword
        word_grams = tuple(dict.fromkeys(word[i:i + 2] + GRAM_MARK for i in range(len(word) - 1)))
        if all(source.has(g) for g in word_grams):
            alts.append(Alternative(word_grams, GRAM_WEIGHT))
    return alts


def _starts_known(text: str, source: Source, synonyms: dict[str, list[str]]) -> bool:
    """Whether an index word, synonym, stop word or title bigram starts the text."""
    if len(text) >= 2 and source.has(text[:2] + GRAM_MARK):
        return True
    return any(source.has(text[:k]) or text[:k] in synonyms for k in range(2, len(text) + 1))


def parse(text: str, source: Source, synonyms: dict[str, list[str]]) -> list[Word]:
    """The query's words and their alternatives; text is already normalised (Simplified, half-width)."""
    words: list[Word] = []
    seen: set[str] = set()

    def add_word(word: str, prefix: bool) -> None:
        if word in STOP or word in seen:
            return
        seen.add(word)
        words.append(Word(word, _alternatives(word, source, synonyms, prefix)))

    for run in RUNS.findall(text.lower()):
        if not CJK_START.match(run):
            add_word(run, prefix=not source.has(run))
            continue
        i = 0
        while i < len(run):
            rest = run[i:]
            if source.has(rest) or rest in synonyms or rest in STOP:
                add_word(rest, prefix=False)
                break
            if source.expansions(rest):
                add_word(rest, prefix=True)
                break
            size = next((k for k in range(len(rest) - 1, 1, -1)
                         if source.has(rest[:k]) or rest[:k] in synonyms or rest[:k] in STOP), 0)
            if not size:  # no longer index word starts here: a two-character piece of a title or keyword?
                size = 2 if len(rest) >= 2 and source.has(rest[:2] + GRAM_MARK) else 1
                if size == 1:  # else an unknown stretch, up to where something known starts: one word
                    while size < len(rest) and not _starts_known(rest[size:], source, synonyms):
                        size += 1
            add_word(rest[:size], prefix=False)
            i += size
    return words


def idf_q(n: int, df: int) -> int:
    return max(1, math.floor(math.log(1 + (n - df + 0.5) / (df + 0.5)) * 1000 + 0.5))


@dataclass
class Ranked:
    doc: int
    score: int
    matched: int
    mask: int                   # bit i set: the case holds query word i
    words: list[Word] = field(repr=False, compare=False, default_factory=list)

    @property
    def missing(self) -> list[str]:
        """The query words this case lacks."""
        return [w.word for bit, w in enumerate(self.words) if not self.mask >> bit & 1]


def needed(words: int) -> int:
    """How many of the query's words a case must hold to be a result: at least half."""
    return max(1, (words + 1) // 2)


def word_scores(word: Word, source: Source):
    """(docs, scores) as sorted numpy arrays: the word's best alternative, plus a quarter of the others.

    Vectorised (a word may match most of a 10,000-case library); integer arithmetic throughout, so
    the worker's loop over Maps gives the same numbers.
    """
    import numpy as np

    parts_docs, parts_values = [], []
    for alt in word.alts:
        docs = values = None
        for term in alt.terms:
            term_docs, term_scores = (np.asarray(a, dtype=np.int64) for a in source.postings(term))
            factor = idf_q(source.n, len(term_docs)) * alt.weight
            if docs is None:
                docs, values = term_docs, factor * term_scores
            else:
                docs, mine, theirs = np.intersect1d(docs, term_docs, assume_unique=True, return_indices=True)
                values = values[mine] + factor * term_scores[theirs]
            if not len(docs):
                break
        if docs is not None and len(docs):
            parts_docs.append(docs)
            parts_values.append(values)
    if not parts_docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    docs, values = np.concatenate(parts_docs), np.concatenate(parts_values)
    order = np.argsort(docs, kind="stable")
    docs, values = docs[order], values[order]
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    best = np.maximum.reduceat(values, starts)
    total = np.add.reduceat(values, starts)
    return docs[starts], best + (total - best) // 4


def rank(words: list[Word], source: Source, allowed=None) -> list[Ranked]:
    """Soft matching: every word first, then how many words, then score; ties by doc number.

    allowed: a container of doc numbers to keep (filters), or None for all.
    """
    import numpy as np

    if not words:
        return []
    per_word = [word_scores(word, source) for word in words]
    docs = np.concatenate([d for d, _ in per_word])
    values = np.concatenate([v for _, v in per_word])
    bits = np.concatenate([np.full(len(d), 1 << i, dtype=np.int64) for i, (d, _) in enumerate(per_word)])
    if allowed is not None:
        keep = np.isin(docs, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
        docs, values, bits = docs[keep], values[keep], bits[keep]
    if not len(docs):
        return []
    order = np.argsort(docs, kind="stable")
    docs, values, bits = docs[order], values[order], bits[order]
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    docs = docs[starts]
    totals = np.add.reduceat(values, starts)
    masks = np.bitwise_or.reduceat(bits, starts)
    counts = np.add.reduceat(np.ones(len(values), dtype=np.int64), starts)
    keep = counts >= needed(len(words))
    docs, totals, masks, counts = docs[keep], totals[keep], masks[keep], counts[keep]
    order = np.lexsort((docs, -totals, -counts))
    return [Ranked(doc, total, count, mask, words) for doc, total, count, mask in
            zip(docs[order].tolist(), totals[order].tolist(), counts[order].tolist(), masks[order].tolist())]


def marks(words: list[Word]) -> list[str]:
    """What to highlight in a result: the query words and the index words they matched through."""
    found: list[str] = []
    for word in words:
        for term in [word.word] + [t for alt in word.alts if alt.weight != GRAM_WEIGHT for t in alt.terms]:
            if term not in found and (len(term) > 1 or len(word.word) == 1):
                found.append(term)
    return found


def all_terms(fields: dict[str, Iterable[str]]) -> set[str]:
    return {term for terms in fields.values() for term in terms}
