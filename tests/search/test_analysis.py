"""Similar cases: the partial update after an edit equals computing every case again."""

import random
from dataclasses import dataclass

import pytest

from generator.infra.buildstate import BuildState
from generator.search.analysis import CaseAnalysis, similar_cases


@dataclass
class FakeCase:  # what similar_cases reads of a case
    id: str
    title: str
    classification: str = "公开"


VOCABULARY = [f"词{n:03d}" for n in range(800)]


def random_terms(rng: random.Random) -> dict[str, float]:
    chosen = rng.sample(VOCABULARY, rng.randint(3, 10))
    return {term: float(rng.choice([1, 1.5, 2, 3, 4.5, 6])) for term in chosen}


def analyses(terms: dict[str, dict[str, float]]) -> dict[str, CaseAnalysis]:
    return {case_id: CaseAnalysis(key=repr(sorted(t.items())), packed_scores="", terms=t) for case_id, t in terms.items()}


def flat(found):
    return {case_id: [(s.id, s.title, s.classification, s.exact_score, tuple(s.shared)) for s in similar]
            for case_id, similar in found.items()}


@pytest.mark.parametrize("seed", range(12))
def test_the_partial_update_equals_the_full_computation(tmp_path, seed):
    rng = random.Random(seed)
    # The first 80 cases use every term once, in order, and are never edited: the vocabulary and its order stay.
    cases = [FakeCase(f"C-{n:04d}", f"案例{n}") for n in range(380)]
    terms = {case.id: random_terms(rng) for case in cases}
    for n in range(80):
        terms[cases[n].id] = {term: 1.0 for term in VOCABULARY[10 * n:10 * n + 10]}
    state = BuildState(tmp_path)
    similar_cases(cases, analyses(terms), state=state)
    state.save()
    partial_runs = 0
    for round_ in range(6):
        for case in rng.sample(cases[80:], rng.randint(1, 3)):
            edited = dict(terms[case.id])
            kind = rng.choice(["count", "add", "drop", "title"])
            if kind == "count":
                term = rng.choice(list(edited))
                edited[term] += 1.5
            elif kind == "add":
                edited[rng.choice(VOCABULARY)] = 2.0
            elif kind == "drop" and len(edited) > 1:
                edited.pop(rng.choice(list(edited)))
            else:
                case.title = f"改过的标题{round_}"
            terms[case.id] = edited
        state = BuildState(tmp_path)
        from generator.search import analysis as module

        rows = module.affected_rows(_model(cases, terms), state.record("similar", module.similar_code_key(5)),
                                    analyses(terms))
        partial_runs += rows is not None and len(rows) < len(cases)
        partial = similar_cases(cases, analyses(terms), state=state)
        state.save()
        full = similar_cases(cases, analyses(terms))
        assert flat(partial) == flat(full)
    assert partial_runs  # the partial path was really taken


def _model(cases, terms):
    from generator.search.whoosh_index import SimilarityModel

    return SimilarityModel([{"id": c.id, "title": c.title, "classification": c.classification, "terms": terms[c.id]}
                            for c in cases])


def test_other_cases_or_vocabulary_mean_a_full_computation(tmp_path):
    from generator.search.analysis import affected_rows, similar_code_key

    cases = [FakeCase(f"C-{n}", f"案例{n}") for n in range(20)]
    terms = {case.id: {"甲乙": 1.0, f"词{n % 4}": 2.0} for n, case in enumerate(cases)}
    state = BuildState(tmp_path)
    similar_cases(cases, analyses(terms), state=state)
    record = state.record("similar", similar_code_key(5))
    assert affected_rows(_model(cases, terms), record, analyses(terms)) == []
    fewer = {case_id: t for case_id, t in terms.items() if case_id != "C-3"}
    assert affected_rows(_model(cases[:3] + cases[4:], fewer), record, analyses(fewer)) is None
    renamed = dict(terms, **{"C-0": {"新词": 1.0}})
    assert affected_rows(_model(cases, renamed), record, analyses(renamed)) is None


def test_term_names_are_kept_as_one_string_and_come_back_the_same():
    from generator.search.analysis import packed_term_names, unpacked_term_names

    for names in ([], ["监督"], ["检察", "建议", "整改"], ["带\x1f分隔符", "词"], ["", "空词"]):
        packed = packed_term_names(dict.fromkeys(names, 1.0))
        assert unpacked_term_names(packed) == names
    assert isinstance(packed_term_names({"检察": 1.0, "建议": 2.0}), str)
