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
from generator.search.similarity import Similar, SimilarityModel, TermVectors, key_term_weights
from generator.siteindex.scoring import LazyScores, field_scores, pack_score_text
from generator.text.segment_cache import SegmentCache, decode, text_key

ANALYSIS_FORMAT = 3
_TERM_SEP = "\x1f"


@dataclass(frozen=True)
class CaseAnalysis:
    key: str                  # digest of the case's text and the analysis code: changes when anything here does
    packed_scores: str        # site-search term scores, "term␟score␟term␟score…" (cheap to keep and load)
    packed_terms: str | dict  # key terms for similar cases, "term␟weight␟…" (as a dict if a term holds ␟)

    @classmethod
    def made_of(cls, key: str, scores: dict[str, int], terms: dict[str, float]) -> "CaseAnalysis":
        packed = terms if any(_TERM_SEP in term for term in terms) else \
            _TERM_SEP.join(f"{term}{_TERM_SEP}{weight!r}" for term, weight in terms.items())
        return cls(key, pack_score_text(scores), packed)

    @property
    def scores(self) -> "LazyScores":
        return LazyScores(self.packed_scores)

    @property
    def terms(self) -> dict[str, float]:
        """The key terms and their weights, heaviest first (unpacked at each use)."""
        if isinstance(self.packed_terms, dict):
            return dict(self.packed_terms)
        parts = self.packed_terms.split(_TERM_SEP) if self.packed_terms else []
        return {parts[i]: float(parts[i + 1]) for i in range(0, len(parts), 2)}

    def term_names(self) -> list[str]:
        if isinstance(self.packed_terms, dict):
            return list(self.packed_terms)
        return self.packed_terms.split(_TERM_SEP)[0::2] if self.packed_terms else []


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
    from generator.search.queryplan import segmented_meta

    texts = [text for _, document in todo for text in [document[name] for name in TEXT_FIELDS] + segmented_meta(document)]
    segments.ensure(texts)  # every distinct missing text segmented once (two processes when many)
    known = segments.blobs(map(text_key, texts))  # the workers read the tokens from here (inherited by fork)
    return map_in_processes(_analyse_one, known, todo, parallel_from=PARALLEL_FROM)


def _analyse_one(known: dict[bytes, bytes], item: tuple[str, dict]) -> tuple[str, CaseAnalysis]:
    from generator.search.queryplan import extra_fields

    key, document = item
    def segment(text: str) -> tuple:
        return decode(known[text_key(text)], text)

    tokens = {name: segment(document[name]) for name in TEXT_FIELDS}
    fields = {name: tuple(word for _, word, _, _ in tokens[name]) for name in TEXT_FIELDS}
    fields.update(extra_fields(document, segment))
    return document["id"], CaseAnalysis.made_of(key, field_scores(fields), key_term_weights(tokens, document))


def similar_cases(cases: list[Case], analysis: dict[str, CaseAnalysis], limit: int = 5, *, state=None,
                  stage: str = "similar") -> dict[str, list[Similar]]:
    """Up to `limit` similar cases for every case, among the cases given (one edition's).

    With a build state holding the last build's vectors and results for the same cases, only what an edit
    can have changed is computed again (see `_partial` and `_merge_changed`); the result is identical to
    computing all of it (tests/search/test_analysis.py compares the two). Added or removed cases change
    every weight: then everything is computed."""
    import numpy as np

    from generator.infra.buildstate import Record

    code = similar_code_key(limit)
    old = state.record(stage, code) if state is not None else Record(code)
    documents = [{"id": case.id, "title": case.title, "classification": case.classification} for case in cases]
    keys = {case.id: analysis[case.id].key for case in cases}
    partial = _partial(documents, [analysis[case.id] for case in cases], old, keys, limit)
    if partial is None:
        for document in documents:
            document["terms"] = analysis[document["id"]].terms
        model, rows = SimilarityModel(documents), list(range(len(documents)))
        neighbours = np.full((len(documents), limit), -1, dtype=np.int64)
        scores = np.zeros((len(documents), limit), dtype=np.float64)
    else:
        model, changed = partial
        neighbours = np.frombuffer(old.values["neighbours"], dtype=np.int64).reshape(len(documents), limit)
        scores = np.frombuffer(old.values["scores"], dtype=np.float64).reshape(len(documents), limit)
        rows = []
        if changed:
            neighbours, scores = neighbours.copy(), scores.copy()
            rows = _merge_changed(model, changed, neighbours, scores)
    for start in range(0, len(rows), model.BLOCK):
        block = rows[start:start + model.BLOCK]
        for row, found in zip(block, model._rows(block, limit, False)):
            neighbours[row], scores[row] = -1, 0.0
            for place, similar in enumerate(found):
                neighbours[row, place], scores[row, place] = model.position[similar.id], similar.exact_score
    if state is not None and (partial is None or partial[1] or keys != old.keys):
        # The lists as bytes: cheap to store and load, and compared by value; unchanged, the very objects loaded
        # (the build state then rewrites nothing of them).
        unchanged = partial is not None and not partial[1]
        state.update(stage, Record(code, keys=keys, values={
            "vectors": model.vectors,
            "neighbours": old.values["neighbours"] if unchanged else neighbours.tobytes(),
            "scores": old.values["scores"] if unchanged else scores.tobytes()}))
    similar_of = model._similar
    return {case_id: [similar_of(row, other, score) for other, score in zip(neighbours[row].tolist(), scores[row].tolist())
                      if other >= 0]
            for row, case_id in enumerate(model.ids)}


def similar_code_key(limit: int) -> str:
    from generator.infra.cachekey import code_key

    return code_key("generator.search.analysis", extra=f"similar {limit}")


def _partial(documents: list[dict], analyses: list[CaseAnalysis], old, keys: dict[str, str], limit: int = 5) \
        -> tuple[SimilarityModel, list[int]] | None:
    """The model after the edits since the last computation (old: its record) and the rows whose vector
    changed (TermVectors.updated); None when everything is to be computed (no usable record, other cases or
    another order)."""
    previous = old.values.get("vectors")
    if not isinstance(previous, TermVectors) or list(old.keys) != list(keys) or previous.count != len(documents) \
            or not all(isinstance(old.values.get(name), bytes) and len(old.values[name]) == 8 * len(documents) * limit
                       for name in ("neighbours", "scores")):
        return None
    edited = [row for row, case_id in enumerate(keys) if old.keys[case_id] != keys[case_id]]
    if not edited:
        return SimilarityModel(documents, previous), []
    vectors, changed = previous.updated([analysis.term_names() for analysis in analyses],
                                        lambda row: analyses[row].terms, edited)
    return SimilarityModel(documents, vectors), changed


def _merge_changed(model: SimilarityModel, changed: list[int], neighbours, scores) -> list[int]:
    """Bring the stored lists (neighbours, scores: row → its similar rows and their scores) up to date after
    the vectors of the `changed` rows changed, in place where that is exact; the rows to compute in full.

    A score changes only between a row and a changed one, so a changed row is computed in full, and any
    other row's list is its old list with the changed rows' new scores merged in — unless a changed row in
    its full list lost score, when the row that takes its place may be any: that row is computed in full.
    Rows sharing no term with a changed vector and listing no changed row keep their lists."""
    import numpy as np

    limit = neighbours.shape[1]
    is_changed = np.zeros(len(model.ids), dtype=bool)
    is_changed[changed] = True
    lists_changed = set(np.flatnonzero(((neighbours >= 0) & is_changed[np.maximum(neighbours, 0)]).any(axis=1)).tolist())
    reach = {term for row in changed for term in model.vector(row)}
    rows = sorted((model.rows_sharing(reach) | lists_changed) - set(changed))
    full = list(changed)
    if not rows:
        return sorted(full)
    # the same products added up in the same order as SimilarityModel._rows: bit for bit the same scores
    new_scores = (model.matrix[rows] @ model.matrix[changed].T).tocsr()
    # A row that lists no changed row and whose last place no new score reaches keeps its list.
    last = np.where(neighbours[rows, limit - 1] >= 0, scores[rows, limit - 1], 0.0)
    entry_offsets = np.repeat(np.arange(len(rows)), np.diff(new_scores.indptr))
    reaching = (new_scores.data >= last[entry_offsets]) & (new_scores.data > 0)
    todo = set(np.unique(entry_offsets[reaching]).tolist())
    todo.update(offset for offset, row in enumerate(rows) if row in lists_changed)
    rank, number = model.id_rank, np.asarray(changed)
    for offset in sorted(todo):
        row = rows[offset]
        start, end = new_scores.indptr[offset], new_scores.indptr[offset + 1]
        columns, values = new_scores.indices[start:end], new_scores.data[start:end]
        listed = [(other, score) for other, score in zip(neighbours[row].tolist(), scores[row].tolist()) if other >= 0]
        if len(listed) == limit and any(is_changed[other] and _score_of(number, columns, values, other) < score
                                        for other, score in listed):
            full.append(row)
            continue
        if len(values) > limit:  # only the best of the new scores (and any tied with the last of them) can enter
            best = values >= np.partition(values, len(values) - limit)[len(values) - limit]
            columns, values = columns[best], values[best]
        merged = [(other, score) for other, score in listed if not is_changed[other]] + \
            [(other, score) for other, score in zip(number[columns].tolist(), values.tolist()) if score > 0]
        merged.sort(key=lambda pair: (-pair[1], rank[pair[0]]))
        neighbours[row], scores[row] = -1, 0.0
        for place, (other, score) in enumerate(merged[:limit]):
            neighbours[row, place], scores[row, place] = other, score
    return sorted(full)


def _score_of(number, columns, values, other: int) -> float:
    """The new score against changed row `other` (0 when they share no term)."""
    found = values[number[columns] == other]
    return float(found[0]) if len(found) else 0.0
