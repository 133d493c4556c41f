"""Safe file operations shared by every stage that writes outputs."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable


def replace_dir(new: Path, target: Path) -> None:
    """Move new into target's place; the old target is removed only afterwards."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def exclusive(lock_file: Path, say: Callable[[str], None], waiting_message: str):
    """Hold an exclusive lock on lock_file; a second holder waits (and is told so). Works on Linux and Windows."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as handle:
        if not _try_lock(handle):
            say(waiting_message)
            while not _try_lock(handle):
                time.sleep(0.1)
        try:
            yield
        finally:
            _unlock(handle)


def _try_lock(handle) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no fcntl, a byte-range lock on the first byte instead
        import msvcrt

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside path, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


# --- caches in build/cache ------------------------------------------------------------------
# Pickle files written only by this tool, in the project's git-ignored build folder (the same trust as
# the project's own code, see docs/security.md). Anything unreadable, damaged or made under another
# signature is simply not there: a cache only ever saves time.

def read_cache(path: Path | None, signature: str):
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
    except Exception:  # missing, damaged, another Python or another version of this tool
        return None
    if not isinstance(data, dict) or data.get("signature") != signature:
        return None
    return data.get("value")


def write_cache(path: Path | None, signature: str, value) -> None:
    if path is None:
        return
    try:
        write_atomically(path, pickle.dumps({"signature": signature, "value": value}, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # an unwritable cache only costs time


def package_digest(*names: str, extra: str = "") -> str:
    """SHA-256 of package files (relative to generator/) and extra text: part of every cache signature."""
    from . import PACKAGE_DIR

    digest = hashlib.sha256(extra.encode("utf-8"))
    for name in names:
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()
