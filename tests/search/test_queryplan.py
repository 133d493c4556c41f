"""The query planner (generator/search/queryplan.py): the same plan in the CLI (Whoosh) and the site (shards).

Runs on the held-out library (tests/fixtures/heldout, not written by this project) and the samples:
segmentation agrees between query and index (every title / keyword word finds its case), any two
characters of a title or keyword find it, synonyms and metadata are searchable, soft matching.
"""

import random
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from heldout import CASES, queries

from generator.core.problems import UserError
from generator.core.project import Project
from generator.search.queryplan import (
    STOP,
    Alternative,
    canonical_terms,
    load_synonyms,
    needed,
    parse,
    rank,
)
from generator.search.whoosh_index import SearchSession, update_index
from generator.siteindex.casedocs import search_docs_for_cases
from generator.siteindex.query import ShardSource, query_site
from generator.siteindex.shards import INDEX_DIR
from generator.siteindex.writer import write_site_search
from generator.text.tokenizer import index_tokens, normalize


def _library(root: Path, cases: Path):
    shutil.copytree(cases, root / "cases")
    library = Project.at(root).load_valid().cases
    update_index(root / "index", library, say=lambda message: None)
    write_site_search(root / "site" / "search", search_docs_for_cases(library), synonyms=load_synonyms())
    return library


@pytest.fixture(scope="module", params=["heldout", "samples"])
def library(request, tmp_path_factory):
    """(cases, Whoosh index dir, site search dir) of the held-out library or the samples."""
    root = tmp_path_factory.mktemp(request.param)
    cases = _library(root, CASES if request.param == "heldout" else REPO / "cases")
    return cases, root / "index", root / "site" / "search"


@pytest.fixture(scope="module")
def session(library):
    with SearchSession(library[1]) as opened:
        yield opened


def site_ids(search_dir: Path, query: str, top: int = 5) -> list[str]:
    return [loc.rsplit("/", 1)[-1][:-5] for loc in query_site(search_dir, query, top=top).locations]


def cli_ids(session, query: str, limit: int = 5) -> list[str]:
    return [hit.id for hit in session.search(query, limit=limit)]


# --- synonyms -----------------------------------------------------------------------

def test_synonyms_are_data_with_enough_domain_groups():
    data = yaml.safe_load((REPO / "generator" / "data" / "synonyms.yaml").read_text("utf-8"))
    assert len(data["groups"]) >= 60
    table = load_synonyms()
    assert {"两法衔接", "行政执法与刑事司法衔接"} <= set(table["行刑衔接"])
    assert "法院 检察院" in table["两院"] and "监督建议" in table["检察建议"]
    assert canonical_terms()["行刑衔接"] == "两法衔接"


def test_a_library_adds_its_own_synonyms(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "synonyms.yaml").write_text("groups:\n  - [蓝天行动, 大气污染专项整治]\n", "utf-8")
    assert load_synonyms(tmp_path / "cases")["蓝天行动"] == ["大气污染专项整治"]
    assert "行刑衔接" in load_synonyms(tmp_path / "cases")  # the project's groups stay
    (tmp_path / "synonyms.yaml").write_text("groups:\n  - 只有一个词\n", "utf-8")
    with pytest.raises(UserError, match="synonyms.yaml.*第 1 组"):
        load_synonyms(tmp_path / "cases")


# --- one plan, two engines -------------------------------------------------------------

def test_cli_and_site_parse_every_query_alike(library, session):
    _, _, search_dir = library
    site, cli = ShardSource.in_folder(search_dir / INDEX_DIR), session.plan_source()
    synonyms = load_synonyms()
    for item in queries():
        text = normalize(item["query"])
        assert [(w.word, w.alts) for w in parse(text, site, synonyms)] == \
            [(w.word, w.alts) for w in parse(text, cli, synonyms)], item["query"]


def test_cli_and_site_rank_alike(library, session):
    _, _, search_dir = library
    # The same planner over the same index format: the same ranking (a built site also holds the
    # hand-written pages, which changes document counts and so idf slightly; here it holds the cases only).
    for item in queries():
        assert cli_ids(session, item["query"], 10) == site_ids(search_dir, item["query"], 10), item["query"]


# --- segmentation: query and index agree ----------------------------------------------------

def _title_and_keyword_words(case) -> list[str]:
    words = []
    for text in [case.title, *case.keywords]:
        last = None
        for position, word, _, _ in index_tokens(text):
            if position != last and len(word) >= 2 and word not in STOP:
                words.append(word)
            last = position
    return list(dict.fromkeys(words))


def test_every_title_and_keyword_word_finds_its_case(library, session):
    cases, _, search_dir = library
    words = {case.id: _title_and_keyword_words(case) for case in cases}
    # the fields shown in a case's header: a case holding the word there may rightly rank as high
    titles = [normalize(" ".join([case.title, case.subtitle, *case.keywords, case.category, *case.mechanisms,
                                  *case.supervised, *case.supervisors, case.region])) for case in cases]
    checked = 0
    for case in cases:
        for word in words[case.id]:
            # a word in the titles or keywords of eight cases cannot put all eight in a top five
            top = max(5, sum(word in text for text in titles))
            assert case.id in cli_ids(session, word, top), (word, case.id)
            assert case.id in site_ids(search_dir, word, top), (word, case.id)
            checked += 1
    assert checked > 100


def test_any_two_characters_of_a_title_or_keyword_find_the_case(library, session):
    cases, _, search_dir = library
    rng = random.Random(13)
    checked = 0
    for case in cases:
        pieces = set()
        for text in [case.title, *case.keywords]:
            runs = [run for run in __import__("re").findall(r"[\u3400-\u9fff]{2,}", normalize(text))]
            for run in runs:
                pieces.update(run[i:i + 2] for i in range(len(run) - 1))
                start = rng.randrange(len(run) - 1)
                pieces.add(run[start:start + rng.randint(2, 6)])
        for piece in sorted(pieces):
            if len(piece) < 2 or all(ch in STOP for ch in piece):
                continue
            assert case.id in cli_ids(session, piece, 1000), (piece, case.id)
            assert case.id in site_ids(search_dir, piece, 1000), (piece, case.id)
            checked += 1
    assert checked > 200


def test_a_word_the_query_dictionary_would_split_is_found(tmp_path):
    """The issue's case: 检察官驻点 in a title, typed as a query, in a library of its own."""
    text = (REPO / "tests" / "fixtures" / "library" / "cases" / "2025" / "CZ-2025-001.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["title"] = "检察官驻点政法委执法监督机构开展常态化评查"
    (tmp_path / "c" / "2025").mkdir(parents=True)
    (tmp_path / "c" / "2025" / "CZ-2025-001.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    cases = _library(tmp_path, tmp_path / "c")
    with SearchSession(tmp_path / "index") as opened:
        for query in ("检察官驻点", "驻点", "官驻", "常态化评查"):
            assert cli_ids(opened, query) == [cases[0].id], query
            assert site_ids(tmp_path / "site" / "search", query) == [cases[0].id], query


# --- meaning ----------------------------------------------------------------------------

def test_common_words_never_empty_a_result(library, session):
    _, _, search_dir = library
    for query in ("监督", "案件", "工作", "监督 案件 工作", "案件的监督工作"):
        assert cli_ids(session, query) and site_ids(search_dir, query), query


def test_soft_matching_never_empty_while_a_case_holds_half_the_words(library, session):
    cases, _, search_dir = library
    rng = random.Random(7)
    for _ in range(40):
        first, second = rng.sample(cases, 2)
        own = _title_and_keyword_words(first)
        if len(own) < 2:
            continue
        # the first case holds two of the three words; one word from each of two cases: each holds half
        for query in (" ".join(rng.sample(own, 2) + ["独角兽麒麟"]),
                      f"{rng.choice(own)} {rng.choice(_title_and_keyword_words(second))}"):
            count = len(query.split())
            hits = session.search(query, limit=50)
            assert hits and all(len(hit.missing) <= count - needed(count) for hit in hits), query
            result = query_site(search_dir, query, top=50)
            assert result.items and all(len(item["missing"]) <= count - needed(count) for item in result.items)
            if "独角兽麒麟" in query:
                assert all("独角兽麒麟" in hit.missing for hit in hits)


def test_metadata_ranks_first_but_does_not_filter(library, session):
    cases, _, search_dir = library
    case = cases[len(cases) // 2]
    region = case.region.removesuffix("市")
    topic = case.keywords[0]
    for ids in (cli_ids(session, f"{region} {topic}", 50), site_ids(search_dir, f"{region} {topic}", 50)):
        assert ids[0] == case.id
        others = {c.id for c in cases if c.region != case.region and topic in c.keywords}
        assert others <= set(ids)  # cases from elsewhere on the same topic are still found
    for query in (case.id, case.id.lower(), f"{case.year}年 {topic}", f"{case.year} {topic}"):
        assert cli_ids(session, query)[0] == case.id and site_ids(search_dir, query)[0] == case.id, query


def test_plan_alternatives_for_a_synonym_and_an_abbreviation(library, session):
    synonyms = load_synonyms()
    source = session.plan_source()
    words = parse("两院 行刑衔接", source, synonyms)
    assert [w.word for w in words] == ["两院", "行刑衔接"]
    assert Alternative(("法院", "检察院"), 8) in words[0].alts
    assert any(alt.terms == ("两法衔接",) for alt in words[1].alts) or not source.has("两法衔接")
    assert rank([], source) == []
