"""Writing index files: never into an existing file (the site folder may hold hard links to the
previous build's files), and only when the content changed."""

from __future__ import annotations

import os
from pathlib import Path

from generator.infra.files import write_atomically
from generator.siteindex.model import SiteSearchReport
from generator.siteindex.shards import stub_index


def replace_file(path: Path, data: bytes) -> None:
    """Write data to a new file at path (never into the existing file, which may be a hard link).

    The new file is complete under a temporary name before it takes path's place; unlinking the old
    name first (rather than renaming over it) spares ext4 a flush per file (auto_da_alloc).
    """
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        os.rename(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_stubs(search_dir: Path, separator: str, report: SiteSearchReport) -> None:
    """material's search_index.json and .js: configuration only."""
    stub = stub_index(separator)
    for name, data in (("search_index.json", stub.encode("utf-8")),
                       ("search_index.js", f"var __index = {stub}".encode())):
        path = search_dir / name
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if same:
            report.kept += 1
        else:
            write_atomically(path, data)
            report.written += 1
            report.written_files.append(name)
        report.files += 1
        report.total_bytes += len(data)


def sync_folder(folder: Path, label: str, files: dict[str, bytes], report: SiteSearchReport) -> None:
    """Make folder hold exactly files: unchanged ones are kept, changed ones written as new files,
    the rest (and any link planted there) deleted; report counts what happened."""
    for name, data in files.items():
        path = folder / name
        try:
            same = path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
        if same:
            report.kept += 1
        else:
            replace_file(path, data)
            report.written += 1
            report.written_files.append(f"{label}/{name}")
        report.files += 1
        report.total_bytes += len(data)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if (path.is_file() or path.is_symlink()) and path.relative_to(folder).as_posix() not in files:
            path.unlink()
            report.removed += 1
