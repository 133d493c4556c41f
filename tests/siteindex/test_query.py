"""Query semantics of the site index, as the browser worker runs them (query.py)."""

from conftest import judgments, ranking_quality

from generator.siteindex.planfiles import PLAN_DIR
from generator.siteindex.query import plan_query, query_site
from generator.siteindex.shards import INDEX_DIR
from generator.siteindex.writer import write_site_search
from index_support import sample_docs, site_search, doc, ids  # noqa: F401 (fixtures)


def test_judged_queries_meet_the_floors(site_search):
    ranked = {item["query"]: ids(plan_query(site_search, item["query"])[1]) for item in judgments()}
    recall, mrr = ranking_quality(ranked)
    assert recall >= 0.93 and mrr >= 0.90, (recall, mrr)


def test_cases_with_every_word_rank_first(site_search, sample_docs):
    def has(d, word):
        return any(word in terms for terms in d.fields.values())

    for query, words in (("检察院 整改", ["检察院", "整改"]), ("减刑 假释 整改", ["减刑", "假释", "整改"]),
                         ("联席会议 人大常委会", ["联席会议", "人大常委会"])):
        result = query_site(site_search, query, top=100)
        assert result.words == words
        complete = [item["location"] for item in result.items if not item["missing"]]
        assert result.locations[:len(complete)] == complete  # every word first, then the partial matches
        literal = {d.location for d in sample_docs if all(has(d, w) for w in words)}
        assert literal <= set(complete)
        lacking = [len(item["missing"]) for item in result.items]
        assert lacking == sorted(lacking) and all(n <= len(words) // 2 for n in lacking)
    result = query_site(site_search, "减刑假释 独角兽")
    assert result.items and all(item["missing"] == ["独角兽"] for item in result.items)


def test_prefix_of_a_word_while_typing(site_search):
    _, results = plan_query(site_search, "检察建")
    assert ids(results)[0] == "HA-2024-001"
    assert set(results) == set(plan_query(site_search, "检察建议")[1])
    assert ids(plan_query(site_search, "减刑假")[1])[0] == "JMS-2025-001"
    found = ids(plan_query(site_search, "cz-20")[1])  # a case id being typed
    assert found and all(case_id.startswith("CZ-20") for case_id in found)


def test_sub_words_are_found(tmp_path):
    search_dir = tmp_path / "search"
    write_site_search(search_dir, [doc("a.html", "市人民检察院开展专项检查"), doc("b.html", "市公安局开展专项检查")])
    assert plan_query(search_dir, "检察院")[1] == ["a.html"]
    assert plan_query(search_dir, "人民检察院")[1] == ["a.html"]


def test_traditional_full_width_and_stopwords(site_search):
    assert plan_query(site_search, "檢察建議")[1] == plan_query(site_search, "检察建议")[1]
    assert plan_query(site_search, "減刑假釋")[1] == plan_query(site_search, "减刑假释")[1]
    assert plan_query(site_search, "减刑假释的")[1] == plan_query(site_search, "减刑假释")[1]
    assert query_site(site_search, "监督的减刑假释").words == ["监督", "减刑假释"]  # common words are words
    assert plan_query(site_search, "２０２５")[1] == plan_query(site_search, "2025")[1] != []
    assert query_site(site_search, "的").items == []


def test_a_query_reads_few_files(site_search):
    files, results = plan_query(site_search, "犯罪记录封存")
    assert ids(results)[0] == "YC-2023-003"
    assert files[0].name == "manifest.js" and len(files) == len(set(files))
    assert all(INDEX_DIR in p.parts or PLAN_DIR in p.parts for p in files)


def test_sharding_and_large_postings_do_not_change_results(tmp_path, sample_docs, site_search):
    other = tmp_path / "small" / "search"
    report = write_site_search(other, sample_docs, large=16, shard_bytes=2048)
    assert report.shards > 8 and list((other / INDEX_DIR / "p").glob("*.js"))
    for item in judgments() + [{"query": "检察建"}, {"query": "2025"}]:
        assert plan_query(other, item["query"])[1] == plan_query(site_search, item["query"])[1], item["query"]
    files, _ = plan_query(other, "检察院 整改")
    assert any(p.parent.name == "p" for p in files)
