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

from generator.core.model import Case
from generator.infra.parallel import map_in_processes
from generator.search.fields import TEXT_FIELDS, case_document
from generator.search.similarity import Similar, SimilarityModel, key_term_weights
from generator.siteindex.scoring import LazyScores, field_scores, pack_score_text
from generator.text.segment_cache import SegmentCache, decode, text_key

ANALYSIS_FORMAT = 2


@dataclass(frozen=True)
class CaseAnalysis:
    key: str                 # digest of the case's text and the analysis code: changes when anything here does
    packed_scores: str       # site-search term scores, "term␟score␟term␟score…" (cheap to keep and load)
    terms: dict[str, float]  # key terms for similar cases

    @property
    def scores(self) -> "LazyScores":
        return LazyScores(self.packed_scores)


STAGE = "analysis"


@lru_cache(maxsize=1)
def analysis_code_key() -> str:
    """The analysis code and everything it imports (scoring, query planning, tokenizer, dictionaries)."""
    from generator.infra.cachekey import code_key

    return code_key("generator.search.analysis", libraries=("jieba", "opencc"), extra=str(ANALYSIS_FORMAT))[:16]


def analyse_cases(cases: list[Case], segments: SegmentCache, cache_dir: Path | None = None, *, state=None,
                  fingerprints: dict[str, str] | None = None) -> dict[str, CaseAnalysis]:
    """Each case's analysis, from the build state when the case is unchanged (state, or the one in cache_dir).
    fingerprints (case id → digest of its file, from validation) let an unchanged case be recognised without
    building its search document."""
    from generator.infra.buildstate import BuildState, Record

    own = state is None and cache_dir is not None
    state = BuildState(cache_dir) if own else state
    signature = analysis_code_key()
    old = state.record(STAGE, signature) if state is not None else Record(signature)
    record = Record(signature)
    found: dict[str, CaseAnalysis] = {}
    todo: list[tuple[str, dict]] = []
    for case in cases:
        fingerprint = (fingerprints or {}).get(case.id)
        if fingerprint and old.reusable(case.id, fingerprint):
            found[case.id] = old.values[case.id]
            record.keys[case.id], record.values[case.id] = fingerprint, found[case.id]
            continue
        document = case_document(case)
        key = hashlib.sha1((signature + json.dumps(document, ensure_ascii=False, sort_keys=True)).encode("utf-8")).hexdigest()
        previous = old.values.get(case.id)
        record.keys[case.id] = fingerprint or key
        if previous is not None and previous.key == key:
            found[case.id] = record.values[case.id] = previous
        else:
            todo.append((key, document))
    for case_id, analysis in _analyse_all(todo, segments):
        found[case_id] = record.values[case_id] = analysis
    if segments.misses:  # new texts came in: forget those no case uses any more (once they are most of the file)
        segments.prune(lambda: (text_key(text) for case in cases for text in analysed_texts(case)),
                       in_use=len(cases) * len(TEXT_FIELDS))
    if state is not None and (record.keys != old.keys):
        state.update(STAGE, record)
        if own:
            state.save()
    return found


def analysed_texts(case: Case) -> list[str]:
    document = case_document(case)
    return [document[name] for name in TEXT_FIELDS]


PARALLEL_FROM = 200  # cases to analyse; below this forking costs more than it saves


def _analyse_all(todo: list[tuple[str, dict]], segments: SegmentCache) -> list[tuple[str, CaseAnalysis]]:
    """Segment (what the cache lacks) and analyse each case, in two processes when there are many."""
    if not todo:
        return []
    texts = [document[name] for _, document in todo for name in TEXT_FIELDS]
    segments.ensure(texts)  # every distinct missing text segmented once (two processes when many)
    known = segments.blobs(map(text_key, texts))  # the workers read the tokens from here (inherited by fork)
    return map_in_processes(_analyse_one, known, todo, parallel_from=PARALLEL_FROM)


def _analyse_one(known: dict[bytes, bytes], item: tuple[str, dict]) -> tuple[str, CaseAnalysis]:
    from generator.search.queryplan import extra_fields

    key, document = item
    tokens = {name: decode(known[text_key(document[name])], document[name]) for name in TEXT_FIELDS}
    fields = {name: tuple(word for _, word, _, _ in tokens[name]) for name in TEXT_FIELDS}
    fields.update(extra_fields(document))
    return document["id"], CaseAnalysis(key, pack_score_text(field_scores(fields)), key_term_weights(tokens, document))


def similar_cases(cases: list[Case], analysis: dict[str, CaseAnalysis], limit: int = 5, *, state=None,
                  stage: str = "similar") -> dict[str, list[Similar]]:
    """Up to `limit` similar cases for every case, among the cases given (one edition's).

    With a build state, only the cases whose result can have changed since the last build are computed again
    (see `affected_rows`); the others keep their lists. The result is identical to computing all of them
    (tests/search/test_analysis.py compares the two)."""
    from generator.infra.buildstate import Record

    model = SimilarityModel([{"id": case.id, "title": case.title, "classification": case.classification,
                              "terms": analysis[case.id].terms} for case in cases])
    code = similar_code_key(limit)
    old = state.record(stage, code) if state is not None else Record(code)
    rows = affected_rows(model, old, analysis)
    if rows is None:
        found = model.similar_all(limit)
    else:
        found = {case_id: [model._similar(model.position[case_id], model.position[other], score)
                           for other, score in old.values[case_id][1]]
                 for case_id in model.ids}
        for start in range(0, len(rows), model.BLOCK):
            block = rows[start:start + model.BLOCK]
            found.update(zip((model.ids[row] for row in block), model._rows(block, limit, False)))
    if state is not None and rows != []:  # [] : nothing changed, the record stands
        # One value per case (its term names, its list); an equal one stays the very object loaded, so that the
        # build state rewrites only the buckets of the cases whose list or terms did change.
        values = {} if rows is None else dict(old.values)
        for case_id in (model.ids if rows is None else (model.ids[row] for row in rows)):
            value = (packed_term_names(analysis[case_id].terms), [(s.id, s.exact_score) for s in found[case_id]])
            if values.get(case_id) != value:
                values[case_id] = value
        state.update(stage, Record(code, keys={case_id: analysis[case_id].key for case_id in model.ids},
                                   values=values, meta={"vocabulary": list(model.terms)}))
    return found


def similar_code_key(limit: int) -> str:
    from generator.infra.cachekey import code_key

    return code_key("generator.search.analysis", extra=f"similar {limit}")


_TERM_SEPARATOR = "\x1f"


def packed_term_names(terms: dict[str, float]) -> str | tuple[str, ...]:
    """A case's term names as one string: one object to store and load instead of one per term."""
    if any(not term or _TERM_SEPARATOR in term for term in terms):
        return tuple(terms)
    return _TERM_SEPARATOR.join(terms)


def unpacked_term_names(names: str | tuple[str, ...]) -> list[str]:
    if isinstance(names, tuple):
        return list(names)
    return names.split(_TERM_SEPARATOR) if names else []


def affected_rows(model: SimilarityModel, old, analysis: dict[str, CaseAnalysis]) -> list[int] | None:
    """The rows whose similar cases may differ from the last computation (old: its record), or None when
    everything is to be computed (no usable record, other cases, another vocabulary order).

    Exact: a case's compared vector depends only on its own term counts, each term's document frequency and
    the number of cases. With the same cases and the same vocabulary order (so the same arithmetic), the
    vectors that can change are those of the edited cases and of the cases holding a term whose document
    frequency changed; a score can change only between a case and one of those vectors (old or new); a
    case whose scores are all unchanged keeps its list, whose titles come from the new model. A case is edited
    when its analysis key changed (the same key: the same terms); only the edited cases' old term names are read."""
    if old.values.keys() != set(model.ids) or old.meta.get("vocabulary") != model.terms:
        return None
    terms = {case_id: analysis[case_id].terms for case_id in model.ids}
    edited = [case_id for case_id in model.ids if old.keys.get(case_id) != analysis[case_id].key]
    previous = {case_id: unpacked_term_names(old.values[case_id][0]) for case_id in edited}
    if not edited:
        return []
    frequency_change: dict[str, int] = {}
    for case_id in edited:
        before, after = set(previous[case_id]), set(terms[case_id])
        for term in before ^ after:
            frequency_change[term] = frequency_change.get(term, 0) + (1 if term in after else -1)
    shifted = {term for term, change in frequency_change.items() if change}
    changed = set(edited) | {case_id for case_id in model.ids if shifted and not shifted.isdisjoint(terms[case_id])}
    reach: set[str] = set()
    for case_id in changed:
        reach.update(model.vector(model.position[case_id]))  # the new vector
        reach.update(previous.get(case_id, terms[case_id]))  # a superset of the old one
    index = {term: position for position, term in enumerate(model.terms)}
    transposed = model.transposed
    rows = {model.position[case_id] for case_id in changed}
    for term in reach:
        column = index.get(term)
        if column is not None:
            rows.update(transposed.indices[transposed.indptr[column]:transposed.indptr[column + 1]].tolist())
    return sorted(rows)
