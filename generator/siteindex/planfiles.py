"""The planner's data beside the index (search/jiandu-x/, rewritten whole): synonyms and facets.

    plan.js      synonyms and the facets' names and labels (every query reads it)
    facets.js    each facet's values, and every doc's values, one column per facet (counts over any
                 result set need this one file; only the search page reads it)
    dates.js     each doc's date as its rank among the dates, read only to sort by date
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import numpy as np

from generator.infra.cachekey import code_key
from generator.infra.files import write_file
from generator.siteindex.codec import encode_numbers
from generator.siteindex.model import DocSource, SearchDoc, SiteSearchReport
from generator.siteindex.output import sync_folder
from generator.siteindex.shards import shard_script
from generator.siteindex.state import file_stat, files_match, read_json

PLAN_DIR = "jiandu-x"
FACETS = (("category", "监督内容"), ("mechanism", "工作机制"), ("year", "年份"), ("region", "地区"),
          ("unit", "被监督单位"), ("flag", "典型/可推广"))
MANY_VALUES = 32             # a facet with more values numbers them by frequency
PLAN_STATE = "plan.json"     # in the index's state folder: {key, files: {name: [size, mtime_ns]}}


def _facet_column(rows: list, f: int) -> list[str]:
    """One facet as two digit strings: each doc's number of values, then all values (a doc's in ascending
    order, each after the first as the step from the one before)."""
    counts, values = [], []
    for row in rows:
        found = sorted(row[f + 1]) if row is not None else []
        counts.append(len(found))
        values.extend(v - (found[i - 1] if i else 0) for i, v in enumerate(found))
    return [encode_numbers(np.array(counts))[0], encode_numbers(np.array(values))[0]]


def _value_order(name: str, counts: dict[str, int]) -> list[str]:
    """A facet's values in the order of their numbers: by name (years newest first); a facet with
    many values (regions, units of a large library) most frequent first, so that most numbers in
    facets.js take one digit. Counts with the same number show in this order."""
    ordered = sorted(counts, reverse=(name == "year"))
    if len(ordered) > MANY_VALUES:
        ordered.sort(key=lambda value: -counts[value])
    return ordered


def plan_files(docs: list[SearchDoc], numbers: dict[str, int], synonyms: dict[str, list[str]]) -> dict[str, bytes]:
    """plan.js, facets.js and dates.js (see the module's docstring)."""
    values: dict[str, dict[str, int]] = {name: {} for name, _ in FACETS}
    for doc in docs:
        for name, _ in FACETS:
            for value in (doc.facets or {}).get(name, ()):
                values[name][value] = values[name].get(value, 0) + 1
    ordered = {name: _value_order(name, found) for name, found in values.items()}
    index = {name: {value: i for i, value in enumerate(found)} for name, found in ordered.items()}
    slots = max(numbers.values(), default=-1) + 1
    rows: list = [None] * slots
    for doc in docs:
        if doc.facets is not None:
            rows[numbers[doc.location]] = [doc.facets.get("date", 0)] + \
                [[index[name][v] for v in doc.facets.get(name, ())] for name, _ in FACETS]
    dates = sorted({row[0] for row in rows if row is not None})
    rank = {date: i + 1 for i, date in enumerate(dates)}
    return {"plan.js": shard_script(f"../{PLAN_DIR}/plan", {
                "synonyms": synonyms, "facets": [[name, label] for name, label in FACETS]}),
            "facets.js": shard_script(f"../{PLAN_DIR}/facets", {
                "v": [ordered[name] for name, _ in FACETS], "n": slots, "none": [d for d, row in enumerate(rows) if row is None],
                "c": [_facet_column(rows, f) for f in range(len(FACETS))]}),
            "dates.js": shard_script(f"../{PLAN_DIR}/dates",
                                     encode_numbers(np.array([rank[row[0]] if row is not None else 0 for row in rows]))[0])}


def write_plan(search_dir: Path, source: DocSource, made: Callable[[], list[SearchDoc]], numbers: dict[str, int],
               synonyms: dict[str, list[str]], report: SiteSearchReport, state_dir: Path | None = None) -> None:
    """Write the planner's files that changed (to new files), and delete those no longer made. With facet keys
    and a state_dir, the files are left as they are when the plan key (synonyms, doc numbers, facet keys,
    this code) and the files themselves (names, sizes, times) are as recorded in state_dir/plan.json."""
    plan_dir = Path(search_dir) / PLAN_DIR
    key = _plan_key(source, numbers, synonyms) if source.facet_keys is not None and state_dir is not None else None
    recorded = read_json(state_dir / PLAN_STATE) if key is not None else None
    if isinstance(recorded, dict) and recorded.get("key") == key and isinstance(recorded.get("files"), dict) \
            and files_match(plan_dir, recorded["files"], subfolders=()):
        report.files += len(recorded["files"])
        report.kept += len(recorded["files"])
        report.total_bytes += sum(entry[0] for entry in recorded["files"].values())
        return
    if state_dir is not None:
        (state_dir / PLAN_STATE).unlink(missing_ok=True)  # until the files are written
    files = plan_files(made(), numbers, synonyms)
    sync_folder(plan_dir, PLAN_DIR, files, report)
    if key is not None:
        stats = {name: file_stat(plan_dir / name) for name in files}
        write_file(state_dir / PLAN_STATE, json.dumps({"key": key, "files": stats}).encode("utf-8"), durable=False)


def _plan_key(source: DocSource, numbers: dict[str, int], synonyms: dict[str, list[str]]) -> str:
    digest = hashlib.sha1(code_key("generator.siteindex.planfiles").encode("utf-8"))
    digest.update(json.dumps(synonyms, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    facet_keys = source.facet_keys
    digest.update("\n".join(f"{location}\t{numbers[location]}\t{facet_keys.get(location, '')}"
                            for location in source.keys).encode("utf-8"))
    return digest.hexdigest()
