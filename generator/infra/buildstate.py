"""The one build state: what every stage made last time, and one way to tell what changed.

build/cache/state.pickle holds, under one STATE_VERSION, a record per stage
(validated files, personal-information scan, text analysis, the outputs of each
site edition): the stage's code key (infra/cachekey.py), the key of each item's
inputs and, where the stage keeps it, what it made from the item. A stage asks
for its record with its current code key and gets an empty one when the code,
the format or the file changed; `changes()` is the one comparison of old and new
item keys (added / changed / removed) every stage uses.

Each stage's record is stored as its own pickle inside the file, unpickled only
when a stage asks for it. Saving re-reads the file under a lock and replaces only
the records this process updated, so a `jiandu validate` running next to a build
loses nothing. Like every cache here it only saves time: a damaged, foreign or
older file is simply empty (see docs/security.md for why pickle is acceptable in
the project's own build folder).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Mapping, TypeVar

STATE_VERSION = 1
STATE_FILE = "state.pickle"
Value = TypeVar("Value")


@dataclass(frozen=True)
class Changes:
    added: frozenset[str]
    changed: frozenset[str]
    removed: frozenset[str]
    unchanged: frozenset[str]

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def todo(self) -> frozenset[str]:
        """Items to make again: new or changed."""
        return self.added | self.changed


def changes(old: Mapping[str, str], new: Mapping[str, str]) -> Changes:
    """The one added / changed / removed comparison of two {item: key of its inputs} maps."""
    added = frozenset(item for item in new if item not in old)
    changed = frozenset(item for item, key in new.items() if item in old and old[item] != key)
    removed = frozenset(item for item in old if item not in new)
    unchanged = frozenset(new.keys() - added - changed)
    return Changes(added, changed, removed, unchanged)


@dataclass
class Record(Generic[Value]):
    """One stage's memory: the code it was made by, each item's input key and (optionally) its value."""

    code: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    def reusable(self, item: str, key: str) -> bool:
        return self.keys.get(item) == key and item in self.values


class BuildState:
    """The state file of one project (build/cache/state.pickle)."""

    def __init__(self, cache_dir: Path | None):
        self.path = cache_dir / STATE_FILE if cache_dir is not None else None
        self._blobs = self._read_blobs()
        self._records: dict[str, Record] = {}
        self._dirty: set[str] = set()
        self._forgotten: set[str] = set()

    def _read_blobs(self) -> dict[str, bytes]:
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as handle:
                data = pickle.load(handle)
        except Exception:  # missing, damaged, another Python or another version of this tool
            return {}
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION or not isinstance(data.get("stages"), dict):
            return {}
        return {name: blob for name, blob in data["stages"].items() if isinstance(blob, bytes)}

    def record(self, stage: str, code: str) -> Record:
        """The stage's record from the last run when it was made by the same code (else an empty one)."""
        if stage not in self._records:
            record = None
            blob = self._blobs.get(stage)
            if blob is not None:
                try:
                    record = pickle.loads(blob)
                except Exception:
                    record = None
            self._records[stage] = record if isinstance(record, Record) else Record()
        record = self._records[stage]
        if record.code != code:
            record = self._records[stage] = Record(code)
        return record

    def update(self, stage: str, record: Record) -> None:
        """Keep this record (saved by the next save())."""
        self._records[stage] = record
        self._dirty.add(stage)
        self._forgotten.discard(stage)

    def forget(self, stage: str) -> None:
        """No record for this stage (saved by the next save()): e.g. before the outputs it describes are replaced."""
        self._records[stage] = Record()
        self._dirty.add(stage)
        self._forgotten.add(stage)

    def save(self) -> None:
        """Write the updated records into the file, keeping the other stages' records as they are in it now."""
        if self.path is None or not self._dirty:
            return
        from generator.infra.files import exclusive, write_file

        blobs = {stage: pickle.dumps(self._records[stage], protocol=pickle.HIGHEST_PROTOCOL)
                 for stage in self._dirty - self._forgotten}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with exclusive(self.path.with_name(".state.lock"), lambda message: None, ""):
                stages = {**self._read_blobs(), **blobs}
                stages = {name: blob for name, blob in stages.items() if name not in self._forgotten}
                data = pickle.dumps({"version": STATE_VERSION, "stages": stages}, protocol=pickle.HIGHEST_PROTOCOL)
                write_file(self.path, data, durable=False)  # a cache: a lost write only costs time
        except OSError:
            return  # an unwritable state only costs time
        self._blobs = stages
        self._dirty.clear()
        self._forgotten.clear()
