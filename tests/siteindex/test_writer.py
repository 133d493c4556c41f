"""Writing the index: only changed files, never through a hard link, stable doc numbers."""

import os
import shutil
from dataclasses import replace

import pytest

from generator.siteindex.query import plan_query, query_site
from generator.siteindex.shards import INDEX_DIR, read_shard
from generator.siteindex.writer import write_site_search
from index_support import sample_docs, site_search, doc, doc_numbers, snapshot  # noqa: F401 (fixtures)


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


def test_a_failed_update_falls_back_and_says_why(tmp_path, sample_docs):
    from index_support import link_copy, snapshot

    state, old, new = tmp_path / "state", tmp_path / "old" / "search", tmp_path / "new" / "search"
    write_site_search(old, sample_docs, state_dir=state)
    assert write_site_search(old, sample_docs, state_dir=state).fallback == ""  # nothing to fall back from
    link_copy(old, new)
    for path in (state / "scores").glob("*.json"):
        path.unlink()  # the state's scores are gone: the update cannot patch postings
    docs = list(sample_docs)
    docs[0] = replace(docs[0], title="改过的标题")
    report = write_site_search(new, docs, state_dir=state)
    assert not report.incremental and "scores/0.json" in report.fallback and "得分文件" in report.fallback
    assert "未能增量更新，已全部重建" in str(report) and report.fallback in str(report)
    fresh = tmp_path / "fresh" / "search"
    write_site_search(fresh, docs)
    assert snapshot(new / INDEX_DIR) == snapshot(fresh / INDEX_DIR)
    # the next update is incremental again
    docs[1] = replace(docs[1], title="又改了一个")
    report = write_site_search(new, docs, state_dir=state)
    assert report.incremental and report.fallback == ""
