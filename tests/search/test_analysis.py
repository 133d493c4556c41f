"""Similar cases: the partial update after an edit equals computing every case again."""

import random
from dataclasses import dataclass

import pytest

from generator.infra.buildstate import BuildState
from generator.search.analysis import CaseAnalysis, _partial, similar_cases, similar_code_key
from generator.search.similarity import SimilarityModel, TermVectors


@dataclass
class FakeCase:  # what similar_cases reads of a case
    id: str
    title: str
    classification: str = "公开"


VOCABULARY = [f"词{n:03d}" for n in range(300)]


def random_terms(rng: random.Random) -> dict[str, float]:
    chosen = rng.sample(VOCABULARY, rng.randint(3, 12))
    return {term: float(rng.choice([1, 1.5, 2, 3, 4.5, 6])) for term in chosen}


def analyses(terms: dict[str, dict[str, float]]) -> dict[str, CaseAnalysis]:
    return {case_id: CaseAnalysis.made_of(repr(sorted(t.items())), {}, t) for case_id, t in terms.items()}


def flat(found):
    return {case_id: [(s.id, s.title, s.classification, s.exact_score, tuple(s.shared)) for s in similar]
            for case_id, similar in found.items()}


def edit(rng: random.Random, cases: list, terms: dict, round_: int) -> None:
    for case in rng.sample(cases, rng.randint(1, 3)):
        edited = dict(terms[case.id])
        kind = rng.choice(["count", "add", "new", "drop", "title"])
        if kind == "count":
            edited[rng.choice(list(edited))] += 1.5
        elif kind == "add":
            edited[rng.choice(VOCABULARY)] = 2.0
        elif kind == "new":  # a term no case had: a new column, appended
            edited[f"新词{round_}{case.id}"] = 3.0
        elif kind == "drop" and len(edited) > 1:
            edited.pop(rng.choice(list(edited)))
        else:
            case.title = f"改过的标题{round_}"
        terms[case.id] = edited


@pytest.mark.parametrize("seed", range(12))
def test_the_partial_update_equals_the_full_computation(tmp_path, seed):
    rng = random.Random(seed)
    cases = [FakeCase(f"C-{n:04d}", f"案例{n}", rng.choice(["公开", "内部"])) for n in range(300)]
    terms = {case.id: random_terms(rng) for case in cases}
    state = BuildState(tmp_path)
    similar_cases(cases, analyses(terms), state=state)
    state.save()
    partial_runs = 0
    for round_ in range(8):
        if round_ == 5:  # a case added and one removed: every weight changes, so everything is computed
            cases.append(FakeCase("C-9999", "新增的案例"))
            terms["C-9999"] = random_terms(rng)
            removed = cases.pop(rng.randrange(len(cases) - 1))
            del terms[removed.id]
        else:
            edit(rng, cases, terms, round_)
        state = BuildState(tmp_path)
        old = state.record("similar", similar_code_key(5))
        documents = [{"id": c.id, "title": c.title, "classification": c.classification} for c in cases]
        found = analyses(terms)
        partial = _partial(documents, [found[c.id] for c in cases], old, {c.id: found[c.id].key for c in cases})
        assert (partial is None) == (round_ == 5)
        partial_runs += partial is not None and len(partial[1]) < len(cases)
        incremental = similar_cases(cases, analyses(terms), state=state)
        state.save()
        full = similar_cases(cases, analyses(terms))
        assert flat(incremental) == flat(full)
        # the stored record is the one a from-scratch computation stores (vectors compared term for term)
        stored = BuildState(tmp_path).record("similar", similar_code_key(5))
        cold = BuildState(tmp_path / f"cold{round_}")
        similar_cases(cases, analyses(terms), state=cold)
        assert stored.values == cold.record("similar", similar_code_key(5)).values and stored.keys == cold.record(
            "similar", similar_code_key(5)).keys
        fresh = TermVectors.weigh([terms[c.id] for c in cases])
        assert [stored.values["vectors"].vector(row) for row in range(len(cases))] == \
            [fresh.vector(row) for row in range(len(cases))]
    assert partial_runs  # the partial path was really taken


def test_a_score_does_not_depend_on_the_column_order():
    rng = random.Random(7)
    terms = [random_terms(rng) for _ in range(60)]
    documents = [{"id": f"C-{n}", "title": "", "classification": "公开", "terms": t} for n, t in enumerate(terms)]
    in_order = SimilarityModel(documents)
    vectors = TermVectors.weigh(terms)
    vectors.vocabulary.reverse()  # the same vectors, other columns
    width = len(vectors.vocabulary)
    reordered = TermVectors(vectors.count, vectors.frequency, vectors.vocabulary, vectors.indptr,
                            width - 1 - vectors.indices, vectors.data)
    other = SimilarityModel(documents, reordered)
    assert flat(in_order.similar_all()) == flat(other.similar_all())


def test_nothing_edited_keeps_every_list(tmp_path):
    cases = [FakeCase(f"C-{n}", f"案例{n}") for n in range(20)]
    terms = {case.id: {"甲乙": 1.0, f"词{n % 4}": 2.0} for n, case in enumerate(cases)}
    state = BuildState(tmp_path)
    first = similar_cases(cases, analyses(terms), state=state)
    documents = [{"id": c.id, "title": c.title, "classification": c.classification} for c in cases]
    found = analyses(terms)
    keys = {case_id: a.key for case_id, a in found.items()}
    model, rows = _partial(documents, [found[c.id] for c in cases], state.record("similar", similar_code_key(5)), keys)
    assert rows == []
    assert flat(similar_cases(cases, analyses(terms), state=state)) == flat(first)
    reordered = dict(reversed(list(keys.items())))
    assert _partial(list(reversed(documents)), [found[c.id] for c in reversed(cases)],
                    state.record("similar", similar_code_key(5)), reordered) is None


def test_a_listed_case_that_loses_score_means_its_row_is_computed_in_full(tmp_path):
    from generator.search.analysis import _merge_changed

    cases = [FakeCase(f"C-{n:02d}", f"案例{n}") for n in range(30)]
    terms = {case.id: {"甲乙": float(1 + n % 6), f"词{n % 3}": 2.0, f"组{n % 10}": 1.5} for n, case in enumerate(cases)}
    state = BuildState(tmp_path)
    before = similar_cases(cases, analyses(terms), state=state)
    loser = before["C-00"][0].id  # listed first by C-00: its count of the shared term drops (same frequency)
    assert terms[loser]["甲乙"] > 1
    terms[loser] = dict(terms[loser], 甲乙=0.5)
    documents = [{"id": c.id, "title": c.title, "classification": c.classification} for c in cases]
    old = state.record("similar", similar_code_key(5))
    found = analyses(terms)
    model, changed = _partial(documents, [found[c.id] for c in cases], old, {c.id: found[c.id].key for c in cases})
    import numpy as np

    neighbours = np.frombuffer(old.values["neighbours"], dtype=np.int64).reshape(len(cases), 5).copy()
    scores = np.frombuffer(old.values["scores"], dtype=np.float64).reshape(len(cases), 5).copy()
    full = _merge_changed(model, changed, neighbours, scores)
    assert model.position["C-00"] in full and len(full) < len(cases)
    assert flat(similar_cases(cases, analyses(terms), state=state)) == flat(similar_cases(cases, analyses(terms)))


def test_the_analysis_equals_segmenting_everything_with_full_jieba(tmp_path):
    """Texts and unit names come from the segment cache (a one-case edit: the partial dictionary) and give
    the scores and key terms of a direct computation."""
    from conftest import sample_cases

    from generator.search.analysis import analyse_cases
    from generator.search.fields import TEXT_FIELDS, case_document
    from generator.search.queryplan import extra_fields
    from generator.search.similarity import key_term_weights
    from generator.siteindex.scoring import field_scores, pack_score_text
    from generator.text.segment_cache import SegmentCache
    from generator.text.tokenizer import index_tokens

    cases = sample_cases()
    SegmentCache(tmp_path).tokens(["政法委一案双查"])  # the dictionary copy is made
    found = analyse_cases(cases, SegmentCache(tmp_path))  # few texts: segmented by the partial dictionary
    for case in cases:
        document = case_document(case)
        tokens = {name: index_tokens(document[name]) for name in TEXT_FIELDS}
        fields = {name: tuple(word for _, word, _, _ in tokens[name]) for name in TEXT_FIELDS}
        fields.update(extra_fields(document))
        assert found[case.id].packed_scores == pack_score_text(field_scores(fields))
        assert found[case.id].terms == key_term_weights(tokens, document)


def test_key_terms_are_kept_packed_and_come_back_exactly():
    terms = {"检察建议": 7.5, "挂案": 1.0 / 3, "两法衔接": 6.0}
    packed = CaseAnalysis.made_of("k", {"检察": 2}, terms)
    assert isinstance(packed.packed_terms, str)
    assert packed.terms == terms and list(packed.terms) == list(terms) and packed.term_names() == list(terms)
    odd = CaseAnalysis.made_of("k", {}, {"含\x1f分隔符": 2.0, "词": 1.0})  # a keyword holding the separator
    assert odd.terms == {"含\x1f分隔符": 2.0, "词": 1.0} and odd.term_names() == ["含\x1f分隔符", "词"]
    assert CaseAnalysis.made_of("k", {}, {}).terms == {} and CaseAnalysis.made_of("k", {}, {}).term_names() == []
