"""Segment every text once per content version: a content-hash cache on disk.

The site search index, the Whoosh index and similar cases all need the same
jieba segmentation of the same texts. Segmenting is the most expensive step of
a build (about 6 ms per case), so each text is segmented once and kept in an
SQLite file keyed by the SHA-1 of the text. The file name carries a signature
of the dictionary and the tokenizer code, so a dictionary change starts a new
cache (the old one is deleted). Missing texts are segmented in two processes
when there are many; a few (a one-case edit) by the part of jieba's dictionary
they contain (partial_dictionary.py), looked up in a copy of the dictionary kept
in the same file, so that the whole dictionary is not loaded for them.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
import sys
from pathlib import Path
from typing import Callable, Iterable

from generator.infra.parallel import map_in_processes

CACHE_FORMAT = 1
PARALLEL_FROM = 400  # texts; below this a process pool costs more than it saves
Tokens = tuple  # ((position, word, start, end), ...) as made by tokens.index_tokens


def dictionary_signature() -> str:
    """Changes whenever the segmentation could change: the dictionaries, the tokenizer code, jieba or OpenCC."""
    from generator.infra.cachekey import code_key

    return code_key("generator.text.tokenizer", "generator.text.compiled_segmenter",
                    libraries=("jieba", "rjieba", "opencc"), extra=str(CACHE_FORMAT))[:16]


def text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def _segment_in_bulk(_job: None, text: str) -> bytes:
    from generator.text.compiled_segmenter import bulk_segmenter
    from generator.text.tokenizer import index_tokens

    return marshal.dumps(index_tokens(text, bulk_segmenter()))


def _segment_all(texts: list[str]) -> list[bytes]:
    """Many texts in two processes, each with its own jieba-rs (compiled_segmenter.py: the same words, six times
    faster; built in the workers so that the main process never holds the dictionary); a few by jieba."""
    if len(texts) < PARALLEL_FROM:
        from generator.text.dictionary import jieba_ready

        return _segment_here(texts, jieba_ready().dt)
    from generator.text.compiled_segmenter import bulk_segmenter

    return map_in_processes(_segment_in_bulk, None, texts, parallel_from=PARALLEL_FROM, setup=bulk_segmenter)


def _segment_here(texts: list[str], tokenizer) -> list[bytes]:
    """In this process, by this jieba.Tokenizer (the whole dictionary or the part inside the texts)."""
    from generator.text.tokenizer import index_tokens

    return [marshal.dumps(index_tokens(text, tokenizer)) for text in texts]


class SegmentCache:
    """Tokens of texts, from the cache file or freshly segmented (and then stored)."""

    def __init__(self, cache_dir: Path | None):
        self.path = None
        self.hits = self.misses = 0  # texts read back from the cache file / segmented in this run
        # Segmented in this run and not readable back (no cache file): kept in memory instead.
        self._fresh: dict[bytes, bytes] = {}
        if cache_dir is None:
            return
        signature = dictionary_signature()
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            for stale in cache_dir.glob("segments-*.sqlite"):
                if stale.name != f"segments-{signature}.sqlite":
                    stale.unlink(missing_ok=True)
            self.path = cache_dir / f"segments-{signature}.sqlite"
            try:
                self._create()
            except sqlite3.DatabaseError:  # not a database (damaged): start a new one
                self.path.unlink(missing_ok=True)
                self._create()
        except (OSError, sqlite3.Error):
            self.path = None  # an unwritable cache only costs time

    def _create(self) -> None:
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS tokens (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
            # A copy of jieba's dictionary (partial_dictionary.py), complete once `total` is in `about`
            db.execute("CREATE TABLE IF NOT EXISTS dictionary (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) "
                       "WITHOUT ROWID")
            db.execute("CREATE TABLE IF NOT EXISTS about (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")

    def _connect(self):
        return sqlite3.connect(self.path, timeout=60)

    def _select(self, keys: list[bytes], values: bool = True) -> dict[bytes, bytes | None]:
        """The rows for these keys found in the file (values only when asked for)."""
        if self.path is None or not keys:
            return {}
        columns = "key, value" if values else "key, NULL"
        found: dict[bytes, bytes | None] = {}
        try:
            with self._connect() as db:
                for start in range(0, len(keys), 500):
                    batch = keys[start:start + 500]
                    marks = ",".join("?" * len(batch))
                    found.update(db.execute(f"SELECT {columns} FROM tokens WHERE key IN ({marks})", batch))
        except sqlite3.Error:
            return {}
        return found

    def _store(self, rows: list[tuple[bytes, bytes]]) -> None:
        if self.path is None or not rows:
            return
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO tokens (key, value) VALUES (?, ?)", rows)
        except sqlite3.Error:
            return
        for key, _ in rows:  # readable from the file now
            self._fresh.pop(key, None)

    def ensure(self, texts: Iterable[str]) -> None:
        """Segment (in two processes when many) every text not in the cache yet, and store it."""
        unique = {text_key(text): text for text in texts}
        keys = list(unique)
        present = set(self._select([key for key in keys if key not in self._fresh], values=False)) | set(self._fresh)
        missing = [key for key in keys if key not in present]
        self.misses += len(missing)
        self._fresh.update(zip(missing, self._segment([unique[key] for key in missing])))
        self._store([(key, self._fresh[key]) for key in missing])

    def _segment(self, texts: list[str]) -> list[bytes]:
        """A few texts by the part of jieba's dictionary they contain (full jieba takes a second to load,
        and is then copied into the file for the next time); many in two processes by full jieba."""
        if not texts or len(texts) >= PARALLEL_FROM or self.path is None:
            return _segment_all(texts)
        tokenizer = self._partial_tokenizer(texts)
        if tokenizer is None:
            from generator.text.dictionary import jieba_ready

            self._keep_dictionary(jieba_ready().dt)
            return _segment_all(texts)
        return _segment_here(texts, tokenizer)

    def _partial_tokenizer(self, texts: list[str]):
        """A jieba.Tokenizer holding the dictionary entries inside these texts, or None without a copy."""
        from generator.text.partial_dictionary import partial_tokenizer, words_inside
        from generator.text.tokenizer import normalize

        try:
            with self._connect() as db:
                about = dict(db.execute("SELECT name, value FROM about"))
                if "total" not in about:
                    return None

                def lookup(words: list[str]) -> dict[str, int]:
                    found: dict[str, int] = {}
                    for start in range(0, len(words), 500):
                        batch = words[start:start + 500]
                        marks = ",".join("?" * len(batch))
                        found.update(db.execute(f"SELECT word, freq FROM dictionary WHERE word IN ({marks})", batch))
                    return found

                entries = words_inside((normalize(text) for text in texts), lookup, about["longest"])
        except sqlite3.Error:
            return None
        return partial_tokenizer(entries, about["total"])

    def _keep_dictionary(self, loaded) -> None:
        """Copy loaded jieba's dictionary (FREQ, total) into the file."""
        try:
            with self._connect() as db:
                db.execute("DELETE FROM about")
                db.execute("DELETE FROM dictionary")
                db.executemany("INSERT INTO dictionary (word, freq) VALUES (?, ?)", loaded.FREQ.items())
                db.executemany("INSERT INTO about (name, value) VALUES (?, ?)",
                               [("total", loaded.total), ("longest", max(map(len, loaded.FREQ), default=0))])
        except sqlite3.Error:
            pass

    def blobs(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """The stored tokens (marshal bytes) of those keys that are in the cache."""
        keys = list(dict.fromkeys(keys))
        found = {key: self._fresh[key] for key in keys if key in self._fresh}
        stored = self._select([key for key in keys if key not in found])
        self.hits += len(stored)
        return {**found, **stored}

    def tokens(self, texts: Iterable[str]) -> list[Tokens]:
        """The tokens of each text, in order (segmented now if ensure() did not see it)."""
        texts = list(texts)
        keys = [text_key(text) for text in texts]
        blobs = self.blobs(keys)
        missing = {key: text for key, text in zip(keys, texts) if key not in blobs}
        if missing:
            self.ensure(missing.values())
            blobs.update(self.blobs(missing))
        decoded: dict[bytes, Tokens] = {}
        result = []
        for key, text in zip(keys, texts):
            if key not in decoded:
                decoded[key] = _interned(decode(blobs[key], text))
            result.append(decoded[key])
        return result

    def prune(self, keep: Callable[[], Iterable[bytes]], in_use: int) -> None:
        """Forget texts that are no longer used (keep() gives the keys of those in use, about in_use of them),
        once they make up most of the file; keep() is called only then."""
        if self.path is None:
            return
        try:
            with self._connect() as db:
                (count,) = db.execute("SELECT COUNT(*) FROM tokens").fetchone()
                if count > 2 * in_use + 1000:
                    db.execute("CREATE TEMP TABLE keep (key BLOB PRIMARY KEY)")
                    db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((key,) for key in set(keep())))
                    db.execute("DELETE FROM tokens WHERE key NOT IN (SELECT key FROM keep)")
                    db.commit()
                    db.execute("VACUUM")
        except sqlite3.Error:
            pass


def decode(blob: bytes, text: str) -> Tokens:
    """Tokens from the cache; a damaged entry is segmented again instead."""
    try:
        tokens = marshal.loads(blob)
        if isinstance(tokens, tuple) and (not tokens or (isinstance(tokens[0], tuple) and len(tokens[0]) == 4)):
            return tokens
    except (ValueError, EOFError, TypeError):
        pass
    from generator.text.tokenizer import index_tokens

    return index_tokens(text)


def _interned(tokens: tuple) -> Tokens:
    # One string object per distinct word: a 10,000-case library holds millions of tokens.
    intern = sys.intern
    return tuple((position, intern(word), start, end) for position, word, start, end in tokens)


def words(tokens: Tokens) -> tuple[str, ...]:
    return tuple(word for _, word, _, _ in tokens)
