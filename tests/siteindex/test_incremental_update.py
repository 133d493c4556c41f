"""incremental.py (the file name test_incremental.py is tests/site's): updates from the build state give the same files and answers as a full build."""

import json
import random
import shutil
from dataclasses import replace

import pytest

from generator.siteindex.model import SearchDoc
from generator.siteindex.query import plan_query, query_site
from generator.siteindex.scoring import term_scores
from generator.siteindex.shards import INDEX_DIR, read_shard
from generator.siteindex.writer import write_site_search
from index_support import sample_docs, doc, snapshot, link_copy, full_ranking  # noqa: F401 (fixtures)


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
