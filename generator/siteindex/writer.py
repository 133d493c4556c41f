"""Writing (or updating) the site index and the planner's files: the one entry point of the site build."""

from __future__ import annotations

import gc
from functools import cache
from pathlib import Path

from generator.siteindex.full import FullBuild, build_full
from generator.siteindex.incremental import Stale, update_incrementally
from generator.siteindex.model import DocSource, SearchDoc, SiteSearchReport, doc_source
from generator.siteindex.output import sync_folder, write_stubs
from generator.siteindex.planfiles import write_plan
from generator.siteindex.shards import DEFAULT_SEPARATOR, INDEX_DIR, LARGE_POSTINGS, SHARD_BYTES
from generator.siteindex.state import STATE_FORMAT, ScoreBuckets, file_stat, files_match, forget_state, load_state, \
    previous_numbers, save_state, state_numbers, state_params

# What a failed incremental update can raise: the state or a file is not as recorded (or a bug).
_UPDATE_FAILURES = (Stale, OSError, ValueError, KeyError, IndexError, TypeError, AttributeError)


def write_site_search(search_dir: Path, docs: list[SearchDoc] | DocSource, *, state_dir: Path | None = None,
                      separator: str = DEFAULT_SEPARATOR, large: int = LARGE_POSTINGS,
                      shard_bytes: int = SHARD_BYTES, synonyms: dict[str, list[str]] | None = None) \
        -> SiteSearchReport:
    """Write (or update) the index for docs under search_dir (<site>/search), and the planner's
    files (synonyms, facets) under search_dir/jiandu-x.

    With state_dir (a private folder outside the site), the build state is kept there, and when it
    matches the files in search_dir/jiandu (e.g. hard links to the previous build's), only the docs
    whose key changed, new and removed docs are processed (from a DocSource, only those are made; the
    planner's files are kept while no facet key changed). Otherwise (and without state_dir) all
    files are built and compared with those present. Either way only changed files are written,
    each to a temporary name then renamed, and files no longer produced are deleted: existing files
    are never opened for writing (they may be hard links into a previous build).

    When an incremental update was possible in principle but failed, a full build follows and the
    report's `fallback` says why.
    """
    search_dir = Path(search_dir)
    source = docs if isinstance(docs, DocSource) else doc_source(list(docs))
    made = cache(source.made)
    params = state_params(large, shard_bytes)
    state_dir = Path(state_dir) if state_dir is not None else None
    state = load_state(state_dir) if state_dir is not None else None
    fallback = _unusable_state(state, params, search_dir / INDEX_DIR) if state is not None else ""
    if state is not None and not fallback:
        try:
            report = update_incrementally(search_dir, source, state_dir, state, separator, large, shard_bytes)
            write_plan(search_dir, source, made, report.numbers, synonyms or {}, report, state_dir)
            return report
        except _UPDATE_FAILURES as exc:  # a full build compares every file with the one present, so also repairs
            fallback = fallback_reason(exc)
    if state is not None:
        numbers, shards = state_numbers(state)
    else:
        numbers, shards = previous_numbers(search_dir / INDEX_DIR)
    gc.collect()  # the full build's arrays come on top of what the caller holds: free its garbage first
    build = build_full(made(), numbers=numbers, shards=shards, large=large, shard_bytes=shard_bytes)
    report = _write_full(search_dir, made(), build, state_dir, params, separator)
    report.fallback = fallback
    write_plan(search_dir, source, made, report.numbers, synonyms or {}, report, state_dir)
    return report


def _unusable_state(state: dict, params: list, index_dir: Path) -> str:
    """Why a build state cannot be patched (Chinese), or "" when it can."""
    if state.get("params") != params:
        return "索引格式或参数已改变"
    if not files_match(index_dir, state["files"]):
        return "网站中的索引文件与构建记录不符（被改动、缺失或多出）"
    return ""


def fallback_reason(exc: BaseException) -> str:
    """Why an incremental update failed, in Chinese, for the build report."""
    if isinstance(exc, Stale):
        return str(exc)
    if isinstance(exc, OSError):
        name = f"{Path(exc.filename).name}：" if getattr(exc, "filename", None) else ""
        return f"读取索引或构建记录时出错（{name}{exc.strerror or type(exc).__name__}）"
    detail = f"：{exc}" if str(exc) else ""
    return f"构建记录与索引文件不一致（{type(exc).__name__}{detail}）"


def _write_full(search_dir: Path, docs: list[SearchDoc], build: FullBuild, state_dir: Path | None,
                params: list, separator: str) -> SiteSearchReport:
    index_dir = search_dir / INDEX_DIR
    if state_dir is not None:
        forget_state(state_dir)  # until the new state is complete
    report = SiteSearchReport(docs=len(docs), terms=build.terms, shards=build.shards)
    write_stubs(search_dir, separator, report)
    sync_folder(index_dir, INDEX_DIR, build.files, report)
    if state_dir is not None:
        _save_full_state(state_dir, index_dir, docs, build, params)
    report.numbers = dict(build.numbers)
    return report


def _save_full_state(state_dir: Path, index_dir: Path, docs: list[SearchDoc], build: FullBuild, params: list) -> None:
    buckets = ScoreBuckets(state_dir)
    keys = {}
    for doc, packed, key in zip(docs, build.state_scores, build.keys):
        number = build.numbers[doc.location]
        buckets.put(number, doc.location, packed)
        keys[doc.location] = [number, key]
    buckets.write_back(prune=True)
    files = {name: file_stat(index_dir / name) for name in build.files}
    slots = max(build.numbers.values(), default=-1) + 1
    free = sorted(set(range(slots)) - set(build.numbers.values()))
    save_state(state_dir, {"format": STATE_FORMAT, "params": params, "shards": build.shards, "size": build.size,
                           "terms": build.terms, "slots": slots, "free": free, "docs": keys, "files": files})
