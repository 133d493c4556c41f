"""Stage 3 — enrich: what the pages need from the text of each case.

Every text is segmented once (segments.py); from the tokens come each case's
site-search term scores and the weighted key terms that similar cases are
found by. Both are kept in build/cache/analysis.pickle by the digest of the
case's text, so an unchanged case is not even read back from the segment
cache on the next build.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.infra.files import package_digest, read_cache, write_cache
from generator.core.model import Case
from generator.infra.parallel import map_in_processes
from generator.search.fields import TEXT_FIELDS, case_document
from generator.search.similarity import Similar, SimilarityModel, key_term_weights
from generator.siteindex.scoring import LazyScores, field_scores, pack_score_text
from generator.text.segment_cache import SegmentCache, decode, dictionary_signature, text_key

ANALYSIS_FORMAT = 2


@dataclass(frozen=True)
class CaseAnalysis:
    key: str                 # digest of the case's text and the analysis code: changes when anything here does
    packed_scores: str       # site-search term scores, "term␟score␟term␟score…" (cheap to keep and load)
    terms: dict[str, float]  # key terms for similar cases

    @property
    def scores(self) -> "LazyScores":
        return LazyScores(self.packed_scores)


@lru_cache(maxsize=1)
def _signature() -> str:
    return package_digest("search/analysis.py", "search/similarity.py", "search/fields.py", "siteindex/scoring.py",
                          "search/queryplan.py", "data/synonyms.yaml",
                          extra=dictionary_signature() + str(ANALYSIS_FORMAT))[:16]


def _load(path: Path | None, signature: str) -> dict[str, CaseAnalysis]:
    data = read_cache(path, signature)
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, CaseAnalysis) and value.key == key}


def analyse_cases(cases: list[Case], segments: SegmentCache,
                  cache_dir: Path | None = None) -> dict[str, CaseAnalysis]:
    signature = _signature()
    path = cache_dir / "analysis.pickle" if cache_dir else None
    cached = _load(path, signature)
    documents = [case_document(case) for case in cases]
    keys = {document["id"]: hashlib.sha1((signature + json.dumps(document, ensure_ascii=False, sort_keys=True))
                                         .encode("utf-8")).hexdigest() for document in documents}
    found = {case_id: cached[key] for case_id, key in keys.items() if key in cached}
    todo = [(keys[document["id"]], document) for document in documents if document["id"] not in found]
    found.update(_analyse_all(todo, segments))
    if segments.misses:  # new texts came in: forget those no case uses any more (once they are most of the file)
        segments.prune(text_key(document[name]) for document in documents for name in TEXT_FIELDS)
    if todo or len(cached) != len(found):
        write_cache(path, signature, {analysis.key: analysis for analysis in found.values()})
    return found


PARALLEL_FROM = 200  # cases to analyse; below this a process pool costs more than it saves
_KNOWN: dict[bytes, bytes] = {}  # tokens already in the segment cache, for the forked workers


def _analyse_all(todo: list[tuple[str, dict]], segments: SegmentCache):
    """Segment (what the cache lacks) and analyse each case, in two processes when there are many."""
    if not todo:
        return []
    texts = [document[name] for _, document in todo for name in TEXT_FIELDS]
    segments.ensure(texts)  # every distinct missing text segmented once (two processes when many)
    _KNOWN.update(segments.blobs(map(text_key, texts)))
    try:
        return map_in_processes(_analyse_one, todo, parallel_from=PARALLEL_FROM)
    finally:
        _KNOWN.clear()


def _analyse_one(item: tuple[str, dict]) -> tuple[str, CaseAnalysis]:
    from generator.search.queryplan import extra_fields

    key, document = item
    tokens = {name: decode(_KNOWN[text_key(document[name])], document[name]) for name in TEXT_FIELDS}
    fields = {name: tuple(word for _, word, _, _ in tokens[name]) for name in TEXT_FIELDS}
    fields.update(extra_fields(document))
    return document["id"], CaseAnalysis(key, pack_score_text(field_scores(fields)), key_term_weights(tokens, document))


def similar_cases(cases: list[Case], analysis: dict[str, CaseAnalysis], limit: int = 5) -> dict[str, list[Similar]]:
    """Up to `limit` similar cases for every case, among the cases given (one edition's)."""
    model = SimilarityModel([{"id": case.id, "title": case.title, "classification": case.classification,
                              "terms": analysis[case.id].terms} for case in cases])
    return model.similar_all(limit)
