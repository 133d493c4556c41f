"""Safe file operations shared by every stage that writes outputs."""

from __future__ import annotations

import errno
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable


def replace_dir(new: Path, target: Path, discard: Callable[[Path], None] | None = None) -> None:
    """Move new into target's place; the old target is removed only afterwards (discard: what to do with it
    instead, e.g. delete it in the background; it is then at path `new` or in a `.old-` folder beside target).

    With an existing target the two folders are exchanged in one step (renameat2 RENAME_EXCHANGE), so a
    kill at any moment leaves either the old or the new site at target, never none. Where the kernel or
    file system cannot exchange, two renames are the fallback (a kill between them leaves no target until
    the next build, which cleans up the .old folder).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    discard = discard or (lambda folder: shutil.rmtree(folder, ignore_errors=True))
    if target.exists() and exchange_paths(new, target):
        discard(new)  # new now holds the previous site
        return
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
        discard(old)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_paths(first: Path, second: Path) -> bool:
    """Atomically swap two existing paths (Linux renameat2); False when not supported here."""
    import ctypes
    import ctypes.util

    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0


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


def new_temp_file(path: Path) -> tuple[Path, int]:
    """A temporary file beside path that this call created (name, open descriptor).

    Created exclusively and without following links: a link planted under the temporary name in a
    shared folder cannot make us write into the file it points to."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(100):
        suffix = f"-{attempt}" if attempt else ""
        temp = path.with_name(f".{path.name}.tmp-{os.getpid()}{suffix}")
        try:
            return temp, os.open(temp, flags, 0o644)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "临时文件名都已被占用", str(path))


def write_file(path: Path, data: bytes, *, new: bool = False, durable: bool = True) -> None:
    """The one way this tool writes a file: a reader never sees half of it.

    - Default: data goes to a temporary file beside path, which then takes path's place. The old name is
      replaced, never written through (it may be a hard link into the previous site).
    - new: path must not exist yet, and an existing file is never replaced (FileExistsError). With durable,
      the complete temporary file is linked to path, so the file appears whole or not at all (issued documents).
      Without durable, the file is written directly: only for folders a build makes and discards on failure.
    - durable: flushed to disk before it takes path's place (the register, issued documents, settings). Build
      outputs skip the flush; when durable is off an existing file is unlinked before the rename, which spares
      ext4 a flush per file (auto_da_alloc).
    A failed write (a full disk) removes the temporary file and names path in the error.
    """
    try:
        if new and not durable:
            _write_new(path, data)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = _write_temp(path, data, durable)
        try:
            if new:
                os.link(temp, path, follow_symlinks=False)
            else:
                if not durable:
                    _unlink_quietly(path)
                os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        if exc.filename is None or not new:
            exc.filename = str(path)
        raise


def _write_new(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o644)
    with open(fd, "wb") as handle:
        handle.write(data)


def _write_temp(path: Path, data: bytes, durable: bool) -> Path:
    temp, fd = new_temp_file(path)
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
