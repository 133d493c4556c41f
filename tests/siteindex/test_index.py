"""The sharded site-search index: file format, query semantics, incremental and hard-link-safe writing."""

import json
import os
import random
import shutil
from itertools import chain
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import judgments, ranking_quality, sample_cases

from generator.search.queryplan import STOP
from generator.siteindex.casedocs import search_docs_for_cases
from generator.siteindex.codec import decode_postings, encode_postings
from generator.siteindex.model import SearchDoc
from generator.siteindex.planfiles import PLAN_DIR
from generator.siteindex.query import plan_query, query_site
from generator.siteindex.scoring import term_scores
from generator.siteindex.shards import FORMAT, INDEX_DIR, read_shard, stub_index
from generator.siteindex.writer import write_site_search
from generator.text.tokenizer import index_tokens


@pytest.fixture(scope="module")
def sample_docs() -> list[SearchDoc]:
    return search_docs_for_cases(sample_cases())


@pytest.fixture
def site_search(tmp_path, sample_docs) -> Path:
    search_dir = tmp_path / "site" / "search"
    write_site_search(search_dir, sample_docs)
    return search_dir


def doc(location: str, title: str, body: str = "", text: str = "") -> SearchDoc:
    words = lambda value: tuple(word for _, word, _, _ in index_tokens(value))
    return SearchDoc(location, title, text or body[:40], {"title": words(title), "body": words(body)})


def ids(locations):
    return [location.rsplit("/", 1)[-1].removesuffix(".html") for location in locations]


def doc_numbers(search_dir: Path) -> dict[str, int]:
    """location → doc number, from the doc shards."""
    return {row[0]: int(path.stem) * 16 + i for path in (search_dir / INDEX_DIR / "d").glob("*.js")
            for i, row in enumerate(read_shard(path)) if row}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- format ------------------------------------------------------------------------

def test_postings_round_trip():
    rng = random.Random(7)
    for _ in range(50):
        docs = sorted(rng.sample(range(100000), rng.randint(0, 60)))
        postings = [(d, rng.randint(1, 5000)) for d in docs]
        assert decode_postings(encode_postings(postings)) == postings
    assert len(encode_postings([(0, 8), (1, 12), (2, 9)])) == 6  # dense small postings: two characters each


def test_files_are_self_registering_scripts(site_search, sample_docs):
    index = site_search / INDEX_DIR
    manifest = read_shard(index / "manifest.js")
    assert manifest["n"] == len(sample_docs) and manifest["v"] == FORMAT
    assert set(manifest["stop"]) == set(STOP)
    scripts = sorted(index.rglob("*.js"))
    assert {p.parent.name for p in scripts} == {"jiandu", "t", "d"}
    for path in scripts:
        text = path.read_text("utf-8")
        name = path.relative_to(index).as_posix().removesuffix(".js")
        assert text.startswith(f'jianduShard("{name}",') and text.endswith(");\n")
        assert "\\u" not in text  # UTF-8, not escapes
    assert len(list((index / "t").glob("*.js"))) == 2 * manifest["b"]  # words, then title bigrams
    assert json.loads((site_search / "search_index.json").read_text("utf-8")) == json.loads(stub_index())
    assert (site_search / "search_index.js").read_text("utf-8") == "var __index = " + stub_index()
    vocabulary = {w for p in (index / "t").glob("*.js") for w in read_shard(p)["w"]}
    assert "检察院" in vocabulary and not vocabulary & STOP


def test_line_separators_are_escaped(tmp_path):
    search_dir = tmp_path / "search"
    odd = replace(doc("a.html", "标题", "检察建议"), fields={"keywords": ("甲\u2028乙", "丙\u2029丁")})
    write_site_search(search_dir, [odd])
    for path in (search_dir / INDEX_DIR / "t").glob("*.js"):
        text = path.read_text("utf-8")
        assert "\u2028" not in text and "\u2029" not in text
    words = {w for p in (search_dir / INDEX_DIR / "t").glob("*.js") for w in read_shard(p)["w"]}
    assert words == {"甲\u2028乙", "丙\u2029丁"}


def test_untrusted_text_is_stored_as_data(tmp_path):
    search_dir = tmp_path / "search"
    title = "<img src=x onerror=alert(1)>注入"
    write_site_search(search_dir, [doc("a.html", title, "</script><script>alert(2)</script>正文")])
    result = query_site(search_dir, "注入")
    assert result.items and result.items[0]["title"] == title  # the worker escapes it; see the browser test
    assert read_shard(search_dir / INDEX_DIR / "d" / "0.js")[0][2].startswith("</script>")


# --- queries -----------------------------------------------------------------------

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


# --- incremental writing -------------------------------------------------------------

def test_unchanged_docs_rewrite_nothing(site_search, sample_docs):
    before = {p: p.stat().st_ino for p in site_search.rglob("*.js")}
    report = write_site_search(site_search, sample_docs)
    assert report.written == 0 and report.removed == 0 and report.kept == report.files
    assert {p: p.stat().st_ino for p in site_search.rglob("*.js")} == before


def test_one_edited_doc_rewrites_few_files(tmp_path, sample_docs):
    search_dir = tmp_path / "search"
    docs = list(sample_docs)
    target = next(i for i, d in enumerate(docs) if d.location.endswith("HA-2024-001.html"))
    old = docs[target] = replace(docs[target], fields=dict(docs[target].fields, keywords=("旧独特词",)))
    write_site_search(search_dir, docs)
    assert query_site(search_dir, "旧独特词").locations == [old.location]
    numbers = doc_numbers(search_dir)
    docs[target] = replace(old, title="人大常委会跟踪检查", fields=dict(old.fields, keywords=("独角兽词",)))
    report = write_site_search(search_dir, docs)
    assert 1 <= report.written <= 5, report.written_files
    assert query_site(search_dir, "独角兽词").locations == [old.location]
    assert query_site(search_dir, "旧独特词").locations == []
    assert query_site(search_dir, "独角兽词").items[0]["title"] == "人大常委会跟踪检查"
    assert doc_numbers(search_dir) == numbers


def test_removed_doc_leaves_no_trace(tmp_path, sample_docs):
    search_dir = tmp_path / "search"
    secret = doc("cases/NB-2025-099.html", "内部案例甲乙丙标题", "绝密线索ZQXW", text="内部导语丁戊己")
    secret = replace(secret, fields=dict(secret.fields, keywords=("机密词汇", "qqzz")))
    write_site_search(search_dir, sample_docs[:5] + [secret] + sample_docs[5:])
    assert query_site(search_dir, "机密词汇 qqzz").locations == [secret.location]
    write_site_search(search_dir, sample_docs)
    for path in search_dir.rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8")
            for trace in ("NB-2025-099", "甲乙丙", "ZQXW", "zqxw", "丁戊己", "机密词汇", "qqzz"):
                assert trace not in text, (path, trace)
    assert read_shard(search_dir / INDEX_DIR / "manifest.js")["n"] == len(sample_docs)


def test_stale_files_are_removed(tmp_path, sample_docs):
    search_dir = tmp_path / "search"
    write_site_search(search_dir, sample_docs, large=16, shard_bytes=2048)
    report = write_site_search(search_dir, sample_docs)
    assert report.removed > 0
    assert not list((search_dir / INDEX_DIR / "p").glob("*.js"))
    produced = {p.relative_to(search_dir).as_posix() for p in search_dir.rglob("*") if p.is_file()}
    manifest = read_shard(search_dir / INDEX_DIR / "manifest.js")
    assert len([p for p in produced if p.startswith("jiandu/t/")]) == 2 * manifest["b"]


def test_never_writes_through_a_hard_link(tmp_path, sample_docs):
    old_site, new_site = tmp_path / "old" / "search", tmp_path / "new" / "search"
    write_site_search(old_site, sample_docs)
    for path in old_site.rglob("*"):  # what the build does: the new site starts as hard links to the old
        target = new_site / path.relative_to(old_site)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    before = snapshot(old_site)
    edited = [replace(d, fields=dict(d.fields, keywords=d.fields["keywords"] + ("新增关键词",)))
              if i % 3 == 0 else d for i, d in enumerate(sample_docs)]
    report = write_site_search(new_site, edited[1:])
    assert report.written > 0
    assert snapshot(old_site) == before
    assert query_site(new_site, "新增关键词").total == len(range(3, len(sample_docs), 3))
    assert query_site(old_site, "新增关键词").total == 0


def test_doc_numbers_stay_stable(tmp_path, sample_docs):
    search_dir = tmp_path / "search"
    write_site_search(search_dir, sample_docs)
    first = doc_numbers(search_dir)
    newcomer = doc("cases/XX-2026-001.html", "新增案例")
    write_site_search(search_dir, [newcomer] + sample_docs[1:])
    second = doc_numbers(search_dir)
    assert {k: v for k, v in second.items() if k in first} == {k: v for k, v in first.items() if k in second}
    assert second[newcomer.location] == first[sample_docs[0].location]  # the freed number is reused


def test_duplicate_locations_are_refused(tmp_path):
    with pytest.raises(ValueError):
        write_site_search(tmp_path / "search", [doc("a.html", "甲"), doc("a.html", "乙")])


def test_empty_index(tmp_path):
    search_dir = tmp_path / "search"
    write_site_search(search_dir, [])
    assert plan_query(search_dir, "检察院")[1] == []
    shutil.rmtree(search_dir)


# --- incremental updates with build state ----------------------------------------------

def link_copy(old: Path, new: Path) -> None:
    """What the build does: the new site's search/jiandu starts as hard links to the previous build's."""
    for path in chain((old / INDEX_DIR).rglob("*"), (old / PLAN_DIR).rglob("*")):
        if path.is_file():
            target = new / path.relative_to(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)


def full_ranking(search_dir: Path, query: str) -> tuple[int, list]:
    result = query_site(search_dir, query, top=10**6)
    return result.total, sorted((-item["score"], item["location"]) for item in result.items)


def queries_for(docs: list[SearchDoc], rng: random.Random) -> list[str]:
    vocabulary = sorted({t for d in docs for t in term_scores(d)})
    words = rng.sample(vocabulary, min(60, len(vocabulary)))
    queries = list(words)
    queries += [w[:k] for w in words[:30] for k in range(1, len(w))]
    queries += [" ".join(rng.sample(vocabulary, 2)) for _ in range(20)]
    queries += ["".join(rng.sample(vocabulary, 2)) for _ in range(10)]
    queries += ["检察院 整改", "检察建", "2025", "减刑假释", "不存在的词语zzz"]
    return queries


def edit(rng: random.Random, docs: list[SearchDoc], pool: list[str], serial: list[int]) -> list[SearchDoc]:
    """One random edit of the docs (SearchDocs with fields, keyed or not, scores precomputed or not)."""
    docs = list(docs)

    def rekey(d: SearchDoc) -> SearchDoc:
        choice = rng.random()
        if choice < 0.4:  # precomputed scores and a key, as the build passes them
            plain = replace(d, scores=None, key=None)
            return replace(d, scores=term_scores(plain), key=f"k{rng.random()}", fields={})
        return replace(d, scores=None, key=None)  # the key is worked out from the content

    def body(d: SearchDoc) -> tuple[str, ...]:
        return d.fields.get("body", ()) if d.scores is None else tuple(d.scores)

    kind = rng.choice(["title", "drop", "add", "remove", "new", "duplicate", "nothing", "many"])
    i = rng.randrange(len(docs)) if docs else None
    if kind == "title" and docs:
        d = docs[i]
        title = rng.choice(pool) + rng.choice(pool)
        fields = dict(d.fields) if d.scores is None else {"body": body(d)}
        docs[i] = rekey(replace(d, title=title, fields=dict(fields, title=(title,))))
    elif kind in ("drop", "add", "many") and docs:
        for j in ([i] if kind != "many" else rng.sample(range(len(docs)), min(5, len(docs)))):
            d = docs[j]
            fields = dict(d.fields) if d.scores is None else {"body": body(d)}
            words = list(fields.get("body", ()))
            if kind == "drop" and words:
                del words[rng.randrange(len(words)):][:rng.randint(1, 40)]
            else:
                words += rng.sample(pool, rng.randint(1, 8))
            docs[j] = rekey(replace(d, fields=dict(fields, body=tuple(words))))
    elif kind == "remove" and len(docs) > 1:
        del docs[i]
    elif kind in ("new", "duplicate") or not docs:
        serial[0] += 1
        if kind == "duplicate" and docs:
            source = rng.choice(docs)
            docs.insert(rng.randrange(len(docs) + 1), replace(source, location=f"cases/DUP-{serial[0]}.html"))
        else:
            words = tuple(rng.sample(pool, rng.randint(0, 30)))
            docs.insert(rng.randrange(len(docs) + 1), rekey(SearchDoc(
                f"cases/NEW-{serial[0]}.html", f"新案例{serial[0]}", "新导语", {"title": words[:3], "body": words})))
    return docs


@pytest.mark.parametrize("seed,large,shard_bytes", [(1, 1024, 24 * 1024), (2, 16, 2048), (3, 40, 512), (4, 16, 4096)])
def test_incremental_updates_answer_as_a_full_build(tmp_path, sample_docs, seed, large, shard_bytes, monkeypatch):
    from generator.siteindex import full, writer

    full_builds = []
    real_build = writer.build_full
    monkeypatch.setattr(writer, "build_full", lambda *a, **k: full_builds.append(1) or real_build(*a, **k))
    rng = random.Random(seed)
    pool = sorted({t for d in sample_docs for t in term_scores(d)} | {f"新词{i}" for i in range(30)})
    state = tmp_path / "state"
    docs = list(sample_docs)
    params = {"large": large, "shard_bytes": shard_bytes}
    previous = tmp_path / "site0" / "search"
    write_site_search(previous, docs, state_dir=state, **params)
    serial, fallbacks = [0], 0
    steps = 12
    for step in range(1, steps + 1):
        docs = edit(rng, docs, pool, serial)
        current = tmp_path / f"site{step}" / "search"
        link_copy(previous, current)
        before, builds = snapshot(previous), len(full_builds)
        write_site_search(current, docs, state_dir=state, **params)
        fallbacks += len(full_builds) - builds
        assert snapshot(previous) == before  # the previous build is never modified
        shutil.rmtree(previous.parent)
        previous = current
        # the same files as a full build with the same doc numbers and shard count
        saved = json.loads((state / "state.json").read_text("utf-8"))
        numbers = {loc: entry[0] for loc, entry in saved["docs"].items()}
        files, info = full.build_files(docs, numbers=numbers, shards=saved["shards"], **params)
        present = snapshot(current / INDEX_DIR)
        assert present == files, sorted(set(present) ^ set(files)) or [n for n in files if present[n] != files[n]]
        assert info["numbers"] == numbers
    # the same answers as a fresh full build (doc numbers differ: compare ties as sets)
    fresh = tmp_path / "fresh" / "search"
    write_site_search(fresh, docs, **params)
    for query in queries_for(docs, rng):
        assert full_ranking(current, query) == full_ranking(fresh, query), query
        assert query_site(current, query).total == query_site(fresh, query).total
    assert fallbacks <= steps // 3  # mostly incremental (shard count changes force full builds)


def test_incremental_matches_fresh_build_exactly_with_the_same_numbers(tmp_path, sample_docs):
    """Same doc numbers → the same result order (ties are broken by doc number, as in the browser)."""
    state = tmp_path / "state"
    site = tmp_path / "a" / "search"
    write_site_search(site, sample_docs, state_dir=state)
    docs = list(sample_docs)
    docs[3] = replace(docs[3], title="完全改写的标题检察建议", fields=dict(docs[3].fields, title=("检察建议", "改写")))
    write_site_search(site, docs, state_dir=state)
    fresh = tmp_path / "b" / "search"
    write_site_search(fresh, docs)
    for query in ["检察建议", "检察建", "整改", "检察院 整改", "改写", "2025"]:
        assert plan_query(site, query)[1] == plan_query(fresh, query)[1], query


def test_state_is_kept_outside_the_site(tmp_path, sample_docs):
    site, state = tmp_path / "site" / "search", tmp_path / "cache" / "site-search-internal"
    write_site_search(site, sample_docs, state_dir=state)
    assert (state / "state.json").is_file() and list((state / "scores").glob("*.json"))
    assert not [p for p in site.rglob("*") if p.name == "state.json" or "scores" in p.parts]
    # an old site's state.json inside the index is removed
    (site / INDEX_DIR / "state.json").write_text("{}")
    write_site_search(site, sample_docs, state_dir=state)
    assert not (site / INDEX_DIR / "state.json").exists()


def test_unchanged_rebuild_with_state_writes_nothing(tmp_path, sample_docs):
    state, old, new = tmp_path / "state", tmp_path / "old" / "search", tmp_path / "new" / "search"
    write_site_search(old, sample_docs, state_dir=state)
    link_copy(old, new)
    shutil.copy2(old / "search_index.json", new / "search_index.json")
    shutil.copy2(old / "search_index.js", new / "search_index.js")
    state_before = snapshot(state)
    report = write_site_search(new, sample_docs, state_dir=state)
    assert report.written == 0 and report.removed == 0 and report.kept == report.files, report.written_files
    assert snapshot(state) == state_before


def test_one_edit_with_state_touches_few_files(tmp_path, sample_docs):
    state, old, new = tmp_path / "state", tmp_path / "old" / "search", tmp_path / "new" / "search"
    docs = [replace(d, scores=term_scores(d), key=f"v1-{d.location}", fields={}) for d in sample_docs]
    write_site_search(old, docs, state_dir=state)
    link_copy(old, new)
    target = docs[5]
    docs[5] = replace(target, title="改过的标题", scores=dict(target.scores, 独角兽词=40), key="v2")
    report = write_site_search(new, docs, state_dir=state)
    written = {name for name in report.written_files if name.startswith(INDEX_DIR)}
    assert len(written) <= 3, written  # the term shard of 独角兽词, the doc shard (title)
    assert query_site(new, "独角兽词").locations == [target.location]
    assert query_site(new, "独角兽词").items[0]["title"] == "改过的标题"


def test_a_changed_file_means_a_full_build(tmp_path, sample_docs):
    state, old, new = tmp_path / "state", tmp_path / "old" / "search", tmp_path / "new" / "search"
    write_site_search(old, sample_docs, state_dir=state)
    link_copy(old, new)
    shard = new / INDEX_DIR / "t" / "0.js"
    shard.unlink()
    shard.write_text("jianduShard(\"t/0\",{\"w\":[],\"p\":[]});\n")  # another file than the state knows
    (new / INDEX_DIR / "d" / "0.js").unlink()  # and one missing
    report = write_site_search(new, sample_docs, state_dir=state)
    assert f"{INDEX_DIR}/d/0.js" in report.written_files
    assert snapshot(new / INDEX_DIR) == snapshot(old / INDEX_DIR)
    # a format change in the state: full build too
    saved = json.loads((state / "state.json").read_text("utf-8"))
    (state / "state.json").write_text(json.dumps(dict(saved, format=-1)))
    write_site_search(new, sample_docs[1:], state_dir=state)
    assert json.loads((state / "state.json").read_text("utf-8"))["format"] == saved["format"]
    fresh = tmp_path / "fresh" / "search"
    write_site_search(fresh, sample_docs[1:])
    for query in ("检察院", "整改 检察建议", "2025"):
        assert full_ranking(new, query) == full_ranking(fresh, query)


def test_removed_doc_leaves_no_trace_with_state(tmp_path, sample_docs):
    state, old, new = tmp_path / "state", tmp_path / "old" / "search", tmp_path / "new" / "search"
    secret = doc("cases/NB-2025-099.html", "内部案例甲乙丙标题", "绝密线索ZQXW", text="内部导语丁戊己")
    secret = replace(secret, fields=dict(secret.fields, keywords=("机密词汇", "qqzz")))
    write_site_search(old, sample_docs[:5] + [secret] + sample_docs[5:], state_dir=state)
    link_copy(old, new)
    report = write_site_search(new, sample_docs, state_dir=state)
    assert report.written < 40, report.written_files  # incremental
    for folder in (new, state):
        for path in folder.rglob("*"):
            if path.is_file():
                text = path.read_text("utf-8")
                for trace in ("NB-2025-099", "甲乙丙", "ZQXW", "zqxw", "丁戊己", "机密词汇", "qqzz"):
                    assert trace not in text, (path, trace)
    assert read_shard(new / INDEX_DIR / "manifest.js")["n"] == len(sample_docs)
    assert query_site(old, "机密词汇 qqzz").locations == [secret.location]  # the old build is untouched


def test_scores_pack_round_trip():
    from generator.siteindex.state import pack_state_scores as _pack, unpack_state_scores as _unpack

    for scores in ({}, {"检察院": 12, "a": 1, "b": 100000}, {"甲 乙": 3, "丙": 4}, {"甲\t": 5}, {"": 2}):
        assert _unpack(json.loads(json.dumps(_pack(scores)))) == scores
