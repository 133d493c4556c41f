"""Stage 3 — enrich: what the pages need from the text of each case.

Every text is segmented once (segments.py); from the tokens come each case's
site-search term scores and the weighted key terms that similar cases are
found by. Both are kept in build/cache/analysis-*.pickle by the digest of the
case's text, so an unchanged case is not even read back from the segment
cache on the next build.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import PACKAGE_DIR
from .files import write_atomically
from .model import Case
from .search import TEXT_FIELDS, Similar, SimilarityModel, case_document, key_term_weights
from .segments import SegmentCache, decode, dictionary_signature, text_key

ANALYSIS_FORMAT = 1
_SEP = "\x1f"


@dataclass(frozen=True)
class CaseAnalysis:
    key: str                 # digest of the case's text and the analysis code: changes when anything here does
    packed_scores: str       # site-search term scores, "term␟score␟term␟score…" (cheap to keep and load)
    terms: dict[str, float]  # key terms for similar cases

    @property
    def scores(self) -> "LazyScores":
        return LazyScores(self.packed_scores)


class LazyScores(Mapping):
    """Scores unpacked when used, and not kept: an incremental index update reads only the
    changed cases', and a full one holds each case's dict only while it encodes it."""

    def __init__(self, packed: str):
        self._packed = packed

    def _unpacked(self) -> dict[str, int]:
        parts = self._packed.split(_SEP) if self._packed else []
        intern = sys.intern  # one string object per term across the library
        return {intern(parts[i]): int(parts[i + 1]) for i in range(0, len(parts), 2)}

    def items(self):
        return self._unpacked().items()

    def __getitem__(self, term: str) -> int:
        return self._unpacked()[term]

    def __iter__(self):
        return iter(self._unpacked())

    def __len__(self) -> int:
        return self._packed.count(_SEP) // 2 + 1 if self._packed else 0


def _pack(scores: dict[str, int]) -> str:
    return _SEP.join(f"{term}{_SEP}{score}" for term, score in sorted(scores.items()))


def _signature() -> str:
    code = b"".join((PACKAGE_DIR / name).read_bytes() for name in ("analysis.py", "search.py", "siteindex.py"))
    return hashlib.sha256(code + dictionary_signature().encode() + str(ANALYSIS_FORMAT).encode()).hexdigest()[:16]


def _load(path: Path | None) -> dict[str, CaseAnalysis]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
    except Exception:  # missing, damaged or from another version: start afresh
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, CaseAnalysis) and value.key == key}


def analyse_cases(cases: list[Case], segments: SegmentCache,
                  cache_dir: Path | None = None) -> dict[str, CaseAnalysis]:
    signature = _signature()
    path = cache_dir / f"analysis-{signature}.pickle" if cache_dir else None
    cached = _load(path)
    documents = [case_document(case) for case in cases]
    keys = {document["id"]: hashlib.sha1((signature + json.dumps(document, ensure_ascii=False, sort_keys=True))
                                         .encode("utf-8")).hexdigest() for document in documents}
    found = {case_id: cached[key] for case_id, key in keys.items() if key in cached}
    todo = [(keys[document["id"]], document) for document in documents if document["id"] not in found]
    for analysed in _analyse_all(todo, segments):
        found[analysed.case_id] = analysed.result
    if path is not None and (todo or len(cached) != len(found)):
        try:
            for stale in path.parent.glob("analysis-*.pickle"):
                if stale != path:
                    stale.unlink(missing_ok=True)
            write_atomically(path, pickle.dumps({analysis.key: analysis for analysis in found.values()},
                                                protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # an unwritable cache only costs time
    return found


PARALLEL_FROM = 200  # cases to analyse; below this a process pool costs more than it saves
_KNOWN: dict[bytes, bytes] = {}  # tokens already in the segment cache, for the forked workers


@dataclass(frozen=True)
class _Analysed:
    case_id: str
    result: CaseAnalysis


def _analyse_all(todo: list[tuple[str, dict]], segments: SegmentCache):
    """Segment (what the cache lacks) and analyse each case, in two processes when there are many."""
    if not todo:
        return []
    texts = [document[name] for _, document in todo for name in TEXT_FIELDS]
    segments.ensure(texts)  # every distinct missing text segmented once (two processes when many)
    _KNOWN.update(segments.blobs(map(text_key, texts)))
    try:
        if len(todo) < PARALLEL_FROM:
            return [_analyse_one(item) for item in todo]
        from multiprocessing import get_context

        with get_context("fork").Pool(2) as pool:
            return pool.map(_analyse_one, todo, chunksize=64)
    finally:
        _KNOWN.clear()


def _analyse_one(item: tuple[str, dict]) -> _Analysed:
    from .siteindex import SearchDoc, term_scores

    key, document = item
    tokens = {name: decode(_KNOWN[text_key(document[name])], document[name]) for name in TEXT_FIELDS}
    fields = {name: tuple(word for _, word, _, _ in tokens[name]) for name in TEXT_FIELDS}
    scores = term_scores(SearchDoc(location="", title="", text="", fields=fields))
    return _Analysed(document["id"], CaseAnalysis(key, _pack(scores), key_term_weights(tokens)))


def similar_cases(cases: list[Case], analysis: dict[str, CaseAnalysis], limit: int = 5) -> dict[str, list[Similar]]:
    """Up to `limit` similar cases for every case, among the cases given (one edition's)."""
    model = SimilarityModel([{"id": case.id, "title": case.title, "classification": case.classification,
                              "terms": analysis[case.id].terms} for case in cases])
    return model.similar_all(limit)
