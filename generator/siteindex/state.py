"""The build state of the site index, kept outside the site (e.g. build/cache/site-search-internal/):

    state.json                   {format, params, shards, size, terms, slots, free: [unused numbers],
                                 docs: {location: [number, key]},
                                 files: {path in search/jiandu: [size, mtime_ns]}}
    scores/<k>.json              {location: packed term scores} for the docs numbered k*64 … k*64+63
    plan.json                    {key, files: {name: [size, mtime_ns]}} of the planner's files (planfiles.py)

When state.json matches the files in search/jiandu (same names, sizes and mtimes: e.g. hard links
to the previous build's files), an update (incremental.py) processes only the docs whose key
changed, new docs and removed docs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from generator.siteindex.codec import decode_numbers, encode_numbers
from generator.siteindex.model import SearchDoc
from generator.infra.files import write_file
from generator.siteindex.shards import DOCS_PER_SHARD, FORMAT, js_text, read_shard

STATE_FORMAT = 1             # of the build state
STATE_FILE = "state.json"
SCORES_DIR = "scores"
SCORES_PER_BUCKET = 64


def state_params(large: int, shard_bytes: int) -> list:
    """What a state must have been made with to be patched."""
    return [FORMAT, STATE_FORMAT, large, shard_bytes, DOCS_PER_SHARD, SCORES_PER_BUCKET]


def read_json(path: Path):
    """The JSON value of a file, or None if it is missing or not JSON."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def load_state(state_dir: Path) -> dict | None:
    state = read_json(state_dir / STATE_FILE)
    if not (isinstance(state, dict) and state.get("format") == STATE_FORMAT and isinstance(state.get("docs"), dict)
            and isinstance(state.get("files"), dict)):
        return None
    return state


def files_match(index_dir: Path, recorded: dict, subfolders: tuple[str, ...] = ("t", "p", "d")) -> bool:
    """Whether a folder (search/jiandu, with its subfolders) holds exactly the files recorded, as written
    (size and mtime)."""
    seen = 0
    for sub in ("", *(f"{name}/" for name in subfolders)):
        try:
            entries = os.scandir(index_dir / sub if sub else index_dir)
        except FileNotFoundError:
            continue
        except OSError:
            return False
        with entries:
            for entry in entries:
                if not sub and entry.name in subfolders and entry.is_dir(follow_symlinks=False):
                    continue
                expected = recorded.get(sub + entry.name)
                if expected is None or not entry.is_file(follow_symlinks=False):
                    return False
                info = entry.stat(follow_symlinks=False)
                if [info.st_size, info.st_mtime_ns] != expected:
                    return False
                seen += 1
    return seen == len(recorded)


def file_stat(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def previous_numbers(index_dir: Path) -> tuple[dict[str, int], int | None]:
    """Without build state: the doc numbers and the shard count of the index files present."""
    numbers: dict[str, int] = {}
    shards = None
    try:
        manifest = read_shard(index_dir / "manifest.js")
        shards = manifest["b"] if isinstance(manifest.get("b"), int) else None
        for path in (index_dir / "d").glob("*.js"):
            k = int(path.stem)
            for i, row in enumerate(read_shard(path)):
                if row:
                    numbers[row[0]] = k * DOCS_PER_SHARD + i
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}, shards
    return numbers, shards


def state_numbers(state: dict) -> tuple[dict[str, int], int | None]:
    """The doc numbers and shard count a state records (kept by the next full build)."""
    numbers = {loc: entry[0] for loc, entry in state["docs"].items() if isinstance(entry, list) and entry}
    return numbers, state.get("shards") if isinstance(state.get("shards"), int) else None


def pack_state_scores(scores: dict[str, int]):
    """A doc's scores for the build state: one string (terms, then the scores as base-32 numbers), or
    the dict itself if a term holds a space or tab."""
    terms = state_terms(scores)
    if not terms or not isinstance(terms, str):
        return terms
    return with_scores_code(terms, encode_numbers(np.fromiter(scores.values(), dtype=np.int64, count=len(scores)))[0])


def state_terms(scores: dict[str, int]):
    """The first half of pack_state_scores: "" for no scores, the terms joined by spaces, or a copy of the dict
    when a term holds a space or tab (or is empty). The full build encodes every doc's scores at once and
    joins the codes on later (with_scores_code)."""
    if not scores:
        return ""
    terms = " ".join(scores)
    if "\t" in terms or terms.count(" ") != len(scores) - 1 or "" in scores:
        return dict(scores)
    return terms


def with_scores_code(terms, code: str):
    """state_terms' result completed by the doc's encoded scores: pack_state_scores."""
    return terms + "\t" + code if terms and isinstance(terms, str) else terms


def unpack_state_scores(packed) -> dict[str, int]:
    if isinstance(packed, dict):
        return {str(term): int(score) for term, score in packed.items()}
    terms, _, code = packed.partition("\t")
    if not terms:
        return {}
    return dict(zip(terms.split(" "), decode_numbers(code)[0].tolist()))


def content_key(doc: SearchDoc, scores: dict[str, int]) -> str:
    """A doc's key when the caller gives none: the digest of what its files hold."""
    packed = pack_state_scores(scores)
    text = js_text([doc.title, doc.text, packed if isinstance(packed, str) else sorted(packed.items())])
    return "h:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def doc_key(doc: SearchDoc, scores: dict[str, int]) -> str:
    return doc.key if doc.key is not None else content_key(doc, scores)


class ScoreBuckets:
    """The scores/<k>.json files, read when first needed and written back when changed."""

    def __init__(self, state_dir: Path, new_from: int | None = None):
        self.folder = state_dir / SCORES_DIR
        self.loaded: dict[int, dict] = {}
        self.new_from = new_from  # doc numbers from here on had no bucket file yet

    def of(self, number: int) -> dict:
        """The bucket holding doc number `number` (location → packed scores); ValueError if unreadable."""
        b = number // SCORES_PER_BUCKET
        if b not in self.loaded:
            data = read_json(self.folder / f"{b}.json")
            if data is None and self.new_from is not None and b * SCORES_PER_BUCKET >= self.new_from:
                data = {}
            if not isinstance(data, dict):
                raise ValueError(f"构建记录中的得分文件 {SCORES_DIR}/{b}.json 缺失或无法读取")
            self.loaded[b] = data
        return self.loaded[b]

    def put(self, number: int, location: str, packed) -> None:
        self.loaded.setdefault(number // SCORES_PER_BUCKET, {})[location] = packed

    def write_back(self, prune: bool = False) -> None:
        """Write the buckets loaded or filled (empty ones deleted); prune: delete every other bucket file."""
        for b, data in self.loaded.items():
            path = self.folder / f"{b}.json"
            if data:
                write_file(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), durable=False)
            else:
                path.unlink(missing_ok=True)
        if prune and self.folder.is_dir():
            for path in self.folder.glob("*"):
                if not (path.suffix == ".json" and path.stem.isdigit() and int(path.stem) in self.loaded):
                    path.unlink()


def save_state(state_dir: Path, state: dict) -> None:
    write_file(state_dir / STATE_FILE, json.dumps(state).encode("ascii"), durable=False)


def forget_state(state_dir: Path) -> None:
    """Remove state.json before changing files: a crash then leaves no state that could be trusted."""
    (state_dir / STATE_FILE).unlink(missing_ok=True)
