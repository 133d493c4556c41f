"""The one build state: what every stage made last time, and one way to tell what changed.

Under one STATE_VERSION the state keeps a record per stage (validated files,
personal-information scan, text analysis, similar cases, the outputs of each
site edition): the stage's code key (infra/cachekey.py), the key of each item's
inputs and, where the stage keeps it, what it made from the item. A stage asks
for its record with its current code key and gets an empty one when the code,
the format or the files changed; `changes()` is the one comparison of old and
new item keys (added / changed / removed) every stage uses.

On disk (build/cache/): `state.pickle` is the index, one small head per stage
(code key, item keys, meta, and the names of its value buckets); the values
live in `state/`, split by the item's name into BUCKETS buckets, one file each,
named by the stage, the bucket and the digest of its bytes. A head is unpickled
when its stage asks for it, the buckets only when the code key matches. Saving
pickles again only the buckets holding an item whose value is not the very
object loaded (values are never changed in place: a changed item gets a new
value), so a one-case edit rewrites a few small files and the index, not the
whole state. Saving re-reads the index under a lock and replaces only the heads
this process updated (a `jiandu validate` running next to a build loses
nothing); when another process saved the same stage meanwhile, all of this
process's buckets of it are written. Bucket files no head names are removed
under the lock. Like every cache here it only saves time: a damaged, foreign
or older index, or a missing or damaged bucket, is simply an empty record
(see docs/security.md for why pickle is acceptable in the project's own build
folder).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Iterator, Mapping, TypeVar

STATE_VERSION = 2
STATE_FILE = "state.pickle"
BUCKET_FOLDER = "state"
BUCKETS = 256  # at 10,000 items about 40 per bucket: a one-case edit rewrites ~100 KB of a 27 MB record
_BUCKET_NAME = re.compile(r"[\w-]+\.\d+\.[0-9a-f]{16}\.pickle")
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


def bucket_of(item: str) -> int:
    """The bucket an item's value is stored in (the same in every process, unlike hash())."""
    return zlib.crc32(item.encode("utf-8", "surrogatepass")) % BUCKETS


@dataclass
class _Saved:
    """A record as it is in the files: its head's bytes, its values as loaded, the file of each bucket."""

    head: bytes
    code: str
    values: dict[str, object]
    buckets: dict[int, str]


class BuildState:
    """The state of one project (build/cache/state.pickle and build/cache/state/)."""

    def __init__(self, cache_dir: Path | None):
        self.path = cache_dir / STATE_FILE if cache_dir is not None else None
        self.folder = cache_dir / BUCKET_FOLDER if cache_dir is not None else None
        self._heads = self._read_heads()
        self._saved: dict[str, _Saved] = {}
        self._records: dict[str, Record] = {}
        self._dirty: set[str] = set()
        self._forgotten: set[str] = set()

    def _read_heads(self) -> dict[str, bytes]:
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as handle:
                data = pickle.load(handle)
        except Exception:  # missing, damaged, another Python or another version of this tool
            return {}
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION or not isinstance(data.get("stages"), dict):
            return {}
        return {name: head for name, head in data["stages"].items() if isinstance(name, str) and isinstance(head, bytes)}

    def record(self, stage: str, code: str) -> Record:
        """The stage's record from the last run when it was made by the same code (else an empty one)."""
        if stage not in self._records:
            self._records[stage] = self._load(stage, code)
        record = self._records[stage]
        if record.code != code:
            record = self._records[stage] = Record(code)
        return record

    def _load(self, stage: str, code: str) -> Record:
        head = self._heads.get(stage)
        if head is None:
            return Record()
        try:
            with _collector_paused():  # millions of new objects, no cycles: spare the collector's full scans
                stored_code, keys, meta, buckets = pickle.loads(head)
                if stored_code != code:
                    return Record()  # other code: its values are of no use, not even read
                values: dict[str, object] = {}
                for name in buckets.values():
                    values.update(pickle.loads((self.folder / name).read_bytes()))
        except Exception:  # a bucket missing (another process saved meanwhile), damaged or foreign
            return Record()
        record = Record(stored_code, keys, values, meta)
        self._saved[stage] = _Saved(head, stored_code, dict(values), dict(buckets))
        return record

    def update(self, stage: str, record: Record) -> None:
        """Keep this record (saved by the next save()). Values kept from the loaded record must be the same
        objects: only buckets with a new, added or removed value are written again."""
        self._records[stage] = record
        self._dirty.add(stage)
        self._forgotten.discard(stage)

    def forget(self, stage: str) -> None:
        """No record for this stage (saved by the next save()): e.g. before the outputs it describes are replaced."""
        self._records[stage] = Record()
        self._dirty.add(stage)
        self._forgotten.add(stage)

    def save(self) -> None:
        """Write the updated records, keeping the other stages' records as they are in the files now."""
        if self.path is None or not self._dirty:
            return
        from generator.infra.files import exclusive

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with exclusive(self.path.with_name(".state.lock"), lambda message: None, ""):
                heads = self._read_heads()
                saved: dict[str, _Saved] = {}
                for stage in sorted(self._dirty):
                    if stage in self._forgotten:
                        heads.pop(stage, None)
                    else:
                        saved[stage] = self._write_buckets(stage, heads.get(stage))
                        heads[stage] = saved[stage].head
                self._write_index(heads)
                known = {stage: entry for stage, entry in {**self._saved, **saved}.items() if entry.head == heads.get(stage)}
                self._remove_unnamed_buckets(heads, known)
        except OSError:
            return  # an unwritable state only costs time
        self._heads = heads
        self._saved = known
        self._dirty.clear()
        self._forgotten.clear()

    def _write_buckets(self, stage: str, head_now: bytes | None) -> _Saved:
        """Write the buckets of this stage's record that differ from the files; the new head's bytes."""
        from generator.infra.files import write_file

        record = self._records[stage]
        before = self._saved.get(stage)
        if before is None or before.head != head_now or before.code != record.code:
            before = _Saved(b"", record.code, {}, {})  # not what is in the files now: write every bucket
        stale = {bucket_of(item) for item in record.values.keys() ^ before.values.keys()}
        stale.update(bucket_of(item) for item, value in record.values.items()
                     if item in before.values and before.values[item] is not value)
        contents: dict[int, dict[str, object]] = {number: {} for number in stale}
        if stale:
            for item, value in record.values.items():
                content = contents.get(bucket_of(item))
                if content is not None:
                    content[item] = value
        buckets = {number: name for number, name in before.buckets.items() if number not in stale}
        self.folder.mkdir(parents=True, exist_ok=True)
        for number, content in sorted(contents.items()):
            if not content:
                continue
            data = pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)
            buckets[number] = f"{stage}.{number}.{hashlib.sha1(data).hexdigest()[:16]}.pickle"
            write_file(self.folder / buckets[number], data, durable=False)  # a cache: a lost write only costs time
        head = pickle.dumps((record.code, record.keys, record.meta, buckets), protocol=pickle.HIGHEST_PROTOCOL)
        return _Saved(head, record.code, dict(record.values), buckets)

    def _write_index(self, heads: dict[str, bytes]) -> None:
        from generator.infra.files import write_file

        data = pickle.dumps({"version": STATE_VERSION, "stages": heads}, protocol=pickle.HIGHEST_PROTOCOL)
        write_file(self.path, data, durable=False)

    def _remove_unnamed_buckets(self, heads: dict[str, bytes], known: dict[str, _Saved]) -> None:
        """Bucket files no head names any more (replaced, forgotten, or left by an interrupted save)."""
        named: set[str] = set()
        for stage, head in heads.items():
            if stage in known:
                named.update(known[stage].buckets.values())
                continue
            try:
                named.update(pickle.loads(head)[3].values())
            except Exception:
                return  # a head we cannot read: remove nothing rather than what it may name
        try:
            entries = os.listdir(self.folder)
        except OSError:
            return
        for name in entries:
            if name not in named and _BUCKET_NAME.fullmatch(name):
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
