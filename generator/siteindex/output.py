"""Writing index files (infra.files.write_file): never into an existing file (the site folder may hold
hard links to the previous build's files), and only when the content changed."""

from __future__ import annotations

from pathlib import Path

from generator.infra.files import write_file
from generator.siteindex.model import SiteSearchReport
from generator.siteindex.shards import stub_index


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
            write_file(path, data)
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
            write_file(path, data, durable=False)  # a new file, never through the old (a hard link)
            report.written += 1
            report.written_files.append(f"{label}/{name}")
        report.files += 1
        report.total_bytes += len(data)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if (path.is_file() or path.is_symlink()) and path.relative_to(folder).as_posix() not in files:
            path.unlink()
            report.removed += 1
