"""The full build: every index file from the docs, in memory (a pure function of the docs, their
numbers and the shard count, so that incremental updates can be checked against it)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterable, Mapping

import numpy as np

from generator.siteindex.codec import encode_numbers
from generator.siteindex.model import SearchDoc
from generator.siteindex.scoring import term_scores
from generator.siteindex.state import doc_key, state_terms, with_scores_code
from generator.siteindex.shards import DOCS_PER_SHARD, LARGE_POSTINGS, SHARD_BYTES, doc_row, entry_size, \
    large_name, large_script, manifest_script, shard_count, shard_of, shard_script


def check_locations(locations: list[str]) -> None:
    if len(set(locations)) != len(locations):
        raise ValueError("检索文档的地址重复")


def assign_numbers(locations: list[str], previous: dict) -> dict[str, int]:
    """Doc numbers: unchanged for docs already numbered, the lowest free numbers for new ones (in order)."""
    present = set(locations)
    numbers = {loc: num for loc, num in previous.items()
               if loc in present and type(num) is int and num >= 0}
    if len(set(numbers.values())) != len(numbers):
        numbers = {}
    used, free = set(numbers.values()), 0
    for loc in locations:
        if loc not in numbers:
            while free in used:
                free += 1
            numbers[loc] = free
            used.add(free)
    return numbers


def all_postings(numbers: list[int], scores: Iterable[Mapping[str, int]]) \
        -> tuple[list[str], list[str], list[int], list[str]]:
    """(sorted vocabulary, each term's encoded postings, each term's posting count, each doc's encoded
    scores in its terms' order), vectorised. scores is consumed one doc at a time and no doc's dict is
    kept: at 10,000 cases all of them at once were the largest allocation of the build."""
    position: dict[str, int] = {}  # term → number, in the order first seen
    seen_ids, seen_values, seen_counts = array("i"), array("i"), array("q")
    for doc_scores in scores:
        seen_counts.append(len(doc_scores))
        if not doc_scores:
            continue
        new = [term for term in doc_scores if term not in position]
        if new:
            position.update(zip(new, range(len(position), len(position) + len(new))))
        seen_ids.extend(itemgetter(*doc_scores)(position) if len(doc_scores) > 1 else
                        [position[term] for term in doc_scores])
        seen_values.extend(doc_scores.values())
    counts = np.array(seen_counts, dtype=np.int64)
    values = np.array(seen_values, dtype=np.int32)
    total = len(values)
    codes_text, code_ends = encode_numbers(values)
    bounds = np.concatenate([[0], code_ends])[np.cumsum(counts)].tolist()
    codes = [codes_text[a:b] for a, b in zip([0] + bounds[:-1], bounds)]
    if not position:
        return [], [], [], codes
    first_seen = list(position)
    alphabetical = sorted(range(len(first_seen)), key=first_seen.__getitem__)
    vocabulary = [first_seen[i] for i in alphabetical]
    rank = np.empty(len(first_seen), dtype=np.int32)
    rank[np.array(alphabetical, dtype=np.int64)] = np.arange(len(first_seen), dtype=np.int32)
    term_ids = rank[np.array(seen_ids, dtype=np.int32)]
    del position, first_seen, seen_ids, seen_values
    docs = np.repeat(np.asarray(numbers, dtype=np.int32), counts)
    if len(numbers) > 1 and not (np.diff(np.asarray(numbers)) > 0).all():
        by_doc = np.argsort(docs, kind="stable")
        term_ids, docs, values = term_ids[by_doc], docs[by_doc], values[by_doc]
        del by_doc
    order = np.argsort(term_ids.astype(np.uint16 if len(vocabulary) <= 1 << 16 else np.int32), kind="stable")
    docs, values = docs[order], values[order]
    dfs = np.bincount(term_ids, minlength=len(vocabulary))
    last = np.cumsum(dfs) - 1
    previous = np.empty(total, dtype=np.int64)
    previous[0], previous[1:] = -1, docs[:-1]
    previous[last[:-1] + 1] = -1                # each term's first posting
    # each term's gaps, then its scores (codec.encode_posting_arrays): posting k of a term starting at
    # posting s has its gap at 2s + (k - s) and its score df places later
    gap_at = np.repeat(last - dfs + 1, dfs)
    gap_at += np.arange(total)
    stream = np.empty(2 * total, dtype=np.int32)  # gaps and scores: both below 2**31
    stream[gap_at] = docs - previous - 1
    del docs, previous
    gap_at += np.repeat(dfs, dfs)
    stream[gap_at] = values
    del gap_at, values, order, term_ids
    text, ends = encode_numbers(stream)
    char_ends = ends[2 * last + 1].tolist()
    encoded = [text[a:b] for a, b in zip([0] + char_ends[:-1], char_ends)]
    return vocabulary, encoded, dfs.tolist(), codes


@dataclass
class FullBuild:
    files: dict[str, bytes]        # path relative to search/jiandu → content
    numbers: dict[str, int]
    state_scores: list             # each doc's scores as the build state keeps them (state.pack_state_scores)
    keys: list[str]                # each doc's key (state.doc_key)
    shards: int
    terms: int
    size: int


def _term_files(vocabulary, encoded, dfs, shards: int | None, large: int, shard_bytes: int, files: dict):
    """The term shards (and large-postings files) into files; the shard count and the entries' size."""
    entries: list[object] = []
    taken: set[str] = set()
    size = 0
    for term, text, df in zip(vocabulary, encoded, dfs):
        if len(text) > large:
            name = large_name(term, taken)
            taken.add(name)
            files[name + ".js"] = large_script(name, text)
            entry = [df, name]
        else:
            entry = text
        entries.append(entry)
        size += entry_size(term, entry)
    count = shard_count(size, shards, shard_bytes)
    grouped: list[tuple[list[str], list]] = [([], []) for _ in range(2 * count)]
    for term, entry in zip(vocabulary, entries):
        words, values = grouped[shard_of(term, count)]
        words.append(term)
        values.append(entry)
    for k, (words, values) in enumerate(grouped):
        files[f"t/{k}.js"] = shard_script(f"t/{k}", {"w": words, "p": values})
    return count, size


def _doc_files(docs: list[SearchDoc], numbered: dict[str, int], files: dict) -> None:
    by_number = {numbered[doc.location]: doc for doc in docs}
    slots = max(by_number, default=-1) + 1
    for k in range((slots + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD):
        rows = [doc_row(d) if (d := by_number.get(n)) else None
                for n in range(k * DOCS_PER_SHARD, (k + 1) * DOCS_PER_SHARD)]
        while rows and rows[-1] is None:
            rows.pop()
        files[f"d/{k}.js"] = shard_script(f"d/{k}", rows)


def build_full(docs: list[SearchDoc], *, numbers: dict | None = None, shards: int | None = None,
               large: int = LARGE_POSTINGS, shard_bytes: int = SHARD_BYTES) -> FullBuild:
    locations = [doc.location for doc in docs]
    check_locations(locations)
    numbered = assign_numbers(locations, numbers or {})
    kept_terms: list = []  # state.state_terms of each doc
    keys: list[str] = []

    def each_doc_scores():
        for doc in docs:
            scores = term_scores(doc)
            kept_terms.append(state_terms(scores))
            keys.append(doc_key(doc, scores))
            yield scores

    vocabulary, encoded, dfs, codes = all_postings([numbered[loc] for loc in locations], each_doc_scores())
    state_scores = [with_scores_code(terms, code) for terms, code in zip(kept_terms, codes)]
    files: dict[str, bytes] = {}
    count, size = _term_files(vocabulary, encoded, dfs, shards, large, shard_bytes, files)
    _doc_files(docs, numbered, files)
    files["manifest.js"] = manifest_script(len(docs), count)
    return FullBuild(files, numbered, state_scores, keys, count, len(vocabulary), size)


def build_files(docs: list[SearchDoc], *, numbers: dict[str, int] | None = None, shards: int | None = None,
                large: int = LARGE_POSTINGS, shard_bytes: int = SHARD_BYTES) -> tuple[dict[str, bytes], dict]:
    """Every index file (path relative to search/jiandu → content) of a full build, and a summary.

    numbers: doc numbers to keep (location → number); shards: the previous shard count, kept if still fit.
    """
    build = build_full(docs, numbers=numbers, shards=shards, large=large, shard_bytes=shard_bytes)
    return build.files, {"shards": build.shards, "terms": build.terms, "size": build.size,
                         "numbers": build.numbers}
