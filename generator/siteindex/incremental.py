"""The incremental update: patch the index files for the docs whose key changed, new docs and
removed docs, reading and rewriting only the term shards, large-postings files and doc shards
they touch. The result is the same files as a full build (full.py) with the same doc numbers.

Raises Stale (with the reason, in Chinese) when the build state cannot be used; the caller then
does a full build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.siteindex.codec import patch_postings
from generator.siteindex.model import DocSource, SearchDoc, SiteSearchReport
from generator.infra.files import write_file
from generator.siteindex.output import write_stubs
from generator.siteindex.scoring import term_scores
from generator.siteindex.shards import DOCS_PER_SHARD, INDEX_DIR, doc_row, entry_size, large_name, large_script, \
    manifest_script, parse_large, parse_script, shard_count, shard_of, shard_script
from generator.siteindex.state import ScoreBuckets, doc_key, file_stat, forget_state, pack_state_scores, \
    save_state, unpack_state_scores


class Stale(Exception):
    """The build state cannot be used for an incremental update: do a full build (str: why, in Chinese)."""


@dataclass
class DocChanges:
    changed: list[tuple[SearchDoc, dict[str, int], str]] = field(default_factory=list)  # (doc, scores, key)
    added: list[tuple[SearchDoc, dict[str, int], str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)                                   # locations

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


@dataclass
class _Patch:
    """The patched files in memory, and the running totals the state records."""
    index_dir: Path
    recorded: dict[str, list[int]]
    size: int
    terms: int
    outputs: dict[str, bytes] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    taken: set[str] = field(default_factory=set)


def find_changes(source: DocSource, old_docs: dict[str, list]) -> DocChanges:
    """The docs whose key differs from the state's, the new ones, and the locations no longer present
    (only those docs are made)."""
    found = DocChanges()
    for location, key in source.keys.items():
        previous = old_docs.get(location)
        if key is not None and previous is not None and previous[1] == key:
            continue
        doc = source.make(location)
        scores = term_scores(doc)
        key = doc_key(doc, scores)
        if previous is None:
            found.added.append((doc, scores, key))
        elif previous[1] != key:
            found.changed.append((doc, scores, key))
    if len(old_docs) + len(found.added) != len(source.keys):
        found.removed = [loc for loc in old_docs if loc not in source.keys]
    return found


def number_docs(changes: DocChanges, state: dict) -> tuple[dict[str, int], list[int], int]:
    """Doc numbers of the changed and new docs (for new ones the lowest free numbers, as in a full
    build); the free numbers and the slot count afterwards."""
    old_docs = state["docs"]
    numbers = {doc.location: old_docs[doc.location][0] for doc, _, _ in changes.changed}
    free = sorted(set(state["free"]) | {old_docs[loc][0] for loc in changes.removed})
    slots = state["slots"]
    for i, (doc, _, _) in enumerate(changes.added):
        if i < len(free):
            numbers[doc.location] = free[i]
        else:
            numbers[doc.location] = slots
            slots += 1
    free = free[len(changes.added):]
    while free and free[-1] == slots - 1:
        free.pop()
        slots -= 1
    return numbers, free, slots


def posting_changes(changes: DocChanges, numbers: dict[str, int], old_docs: dict[str, list],
                    buckets: ScoreBuckets) -> tuple[dict[str, dict[int, int | None]], dict[int, list | None]]:
    """term → {doc number: new score, or None to remove}; doc number → its new row (None: removed).
    Updates the docs' scores in buckets."""
    per_term: dict[str, dict[int, int | None]] = {}
    rows: dict[int, list | None] = {}
    for loc in changes.removed:
        number = old_docs[loc][0]
        for term in unpack_state_scores(buckets.of(number).pop(loc)):
            per_term.setdefault(term, {})[number] = None
        rows[number] = None
    for doc, scores, _ in changes.changed:
        number = numbers[doc.location]
        old = unpack_state_scores(buckets.of(number)[doc.location])
        for term, score in scores.items():
            if old.get(term) != score:
                per_term.setdefault(term, {})[number] = score
        for term in old:
            if term not in scores:
                per_term.setdefault(term, {})[number] = None
        buckets.of(number)[doc.location] = pack_state_scores(scores)
        rows[number] = doc_row(doc)
    for doc, scores, _ in changes.added:
        number = numbers[doc.location]
        for term, score in scores.items():
            per_term.setdefault(term, {})[number] = score
        buckets.of(number)[doc.location] = pack_state_scores(scores)
        rows[number] = doc_row(doc)
    return per_term, rows


def _patch_entry(patch: _Patch, term: str, entry, edits: dict[int, int | None], large: int):
    """A term's patched shard entry (its postings, or [df, large-postings file]); None when none is left."""
    if isinstance(entry, list):
        encoded = parse_large((patch.index_dir / f"{entry[1]}.js").read_bytes())
    else:
        encoded = entry or ""
    if entry is not None:
        patch.size -= entry_size(term, entry)
    old_large = entry[1] if isinstance(entry, list) else None
    patched, df = patch_postings(encoded, edits)
    if not patched:
        if old_large:
            patch.deleted.add(old_large + ".js")
        return None
    if len(patched) > large:
        name = old_large or large_name(term, patch.taken)
        patch.taken.add(name)
        patch.outputs[name + ".js"] = large_script(name, patched)
        patch.deleted.discard(name + ".js")
        entry = [df, name]
    else:
        if old_large:
            patch.deleted.add(old_large + ".js")
        entry = patched
    patch.size += entry_size(term, entry)
    return entry


def _patch_shard(patch: _Patch, k: int, shard_terms: list[str], per_term: dict, large: int) -> None:
    name = f"t/{k}.js"
    data = parse_script((patch.index_dir / name).read_bytes())
    entries = dict(zip(data["w"], data["p"]))
    reorder = False
    for term in shard_terms:
        entry = entries.get(term)
        patched = _patch_entry(patch, term, entry, per_term[term], large)
        if entry is None and patched is not None:
            reorder = True
            patch.terms += 1
        elif entry is not None and patched is None:
            reorder = True
            patch.terms -= 1
        if patched is None:
            entries.pop(term, None)
        else:
            entries[term] = patched
    words = sorted(entries) if reorder else data["w"]
    patch.outputs[name] = shard_script(f"t/{k}", {"w": words, "p": [entries[w] for w in words]})


def patch_term_shards(patch: _Patch, per_term: dict[str, dict[int, int | None]], shards: int, large: int) -> None:
    """Patch the term shards and large-postings files of the terms changed (in memory)."""
    patch.taken = {name.removesuffix(".js") for name in patch.recorded if name.startswith("p/")}
    by_shard: dict[int, list[str]] = {}
    for term in per_term:
        by_shard.setdefault(shard_of(term, shards), []).append(term)
    for k, shard_terms in by_shard.items():
        _patch_shard(patch, k, shard_terms, per_term, large)


def patch_doc_shards(patch: _Patch, rows: dict[int, list | None], slots: int) -> None:
    """The doc shards holding changed rows (and any missing one), and the removal of those past the end."""
    count = (slots + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD
    touched = {number // DOCS_PER_SHARD for number in rows}
    touched |= {k for k in range(count) if f"d/{k}.js" not in patch.recorded}
    for k in sorted(t for t in touched if t < count):
        name = f"d/{k}.js"
        shard_rows = parse_script((patch.index_dir / name).read_bytes()) if name in patch.recorded else []
        shard_rows += [None] * (DOCS_PER_SHARD - len(shard_rows))
        for i in range(DOCS_PER_SHARD):
            if k * DOCS_PER_SHARD + i in rows:
                shard_rows[i] = rows[k * DOCS_PER_SHARD + i]
        while shard_rows and shard_rows[-1] is None:
            shard_rows.pop()
        patch.outputs[name] = shard_script(f"d/{k}", shard_rows)
    patch.deleted |= {name for name in patch.recorded if name.startswith("d/") and int(name[2:-3]) >= count}


def write_patch(patch: _Patch, report: SiteSearchReport) -> dict[str, list[int]]:
    """Write the changed files (new files, never in place), delete the dropped ones; the files' new stats."""
    files = dict(patch.recorded)
    for name, data in patch.outputs.items():
        path = patch.index_dir / name
        if name in patch.recorded and patch.recorded[name][0] == len(data) and path.read_bytes() == data:
            continue
        write_file(path, data, durable=False)
        files[name] = file_stat(path)
        report.written += 1
        report.written_files.append(f"{INDEX_DIR}/{name}")
    for name in sorted(patch.deleted):
        if name in files:
            (patch.index_dir / name).unlink(missing_ok=True)
            del files[name]
            report.removed += 1
    return files


def _unchanged(report: SiteSearchReport, state: dict) -> SiteSearchReport:
    recorded = state["files"]
    report.files += len(recorded)
    report.kept += len(recorded)
    report.total_bytes += sum(entry[0] for entry in recorded.values())
    report.numbers = {loc: entry[0] for loc, entry in state["docs"].items()}
    return report


def update_incrementally(search_dir: Path, source: DocSource, state_dir: Path, state: dict, separator: str,
                         large: int, shard_bytes: int) -> SiteSearchReport:
    """Patch the index for the docs whose key changed, new and removed docs. Raises Stale if it cannot."""
    old_docs: dict[str, list] = state["docs"]
    shards = state["shards"]
    changes = find_changes(source, old_docs)
    report = SiteSearchReport(docs=len(source.keys), terms=state["terms"], shards=shards, incremental=True)
    write_stubs(search_dir, separator, report)
    if not changes:
        return _unchanged(report, state)
    numbers, free, slots = number_docs(changes, state)
    buckets = ScoreBuckets(state_dir, new_from=state["slots"])
    per_term, rows = posting_changes(changes, numbers, old_docs, buckets)
    patch = _Patch(search_dir / INDEX_DIR, state["files"], state["size"], state["terms"])
    patch_term_shards(patch, per_term, shards, large)
    if shard_count(patch.size, shards, shard_bytes) != shards:
        raise Stale("索引增减较多，词项分片数需要改变")
    patch_doc_shards(patch, rows, slots)
    patch.outputs["manifest.js"] = manifest_script(len(source.keys), shards)
    forget_state(state_dir)  # files first, the state last
    files = write_patch(patch, report)
    buckets.write_back()
    for loc in changes.removed:
        del old_docs[loc]
    for doc, _, key in changes.changed + changes.added:
        old_docs[doc.location] = [numbers[doc.location], key]
    save_state(state_dir, dict(state, size=patch.size, terms=patch.terms, docs=old_docs, files=files, free=free,
                               slots=slots))
    report.terms = patch.terms
    report.files += len(files)
    report.kept += len(files) - report.written
    report.total_bytes += sum(entry[0] for entry in files.values())
    report.numbers = {loc: entry[0] for loc, entry in old_docs.items()}
    return report
