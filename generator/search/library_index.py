"""The CLI's search index kept in step with the case files: built on first use, brought up to date whenever a
case file changed since it was last indexed (the site build does not touch it)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

from generator.core.project import Project
from generator.infra.files import write_file
from generator.search import whoosh_index
from generator.search.whoosh_index import META_FILE, IndexReport, update_index

STAMP_FILE = "cases.stamp"


def cases_stamp(cases_dir: Path) -> str:
    """What the case files look like on disk (names, sizes, modification times): changes with any edit."""
    digest = hashlib.sha256(str(whoosh_index.INDEX_FORMAT).encode("ascii"))
    stack = [cases_dir]
    entries = []
    while stack:
        try:
            with os.scandir(stack.pop()) as found:
                for entry in found:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.name.endswith((".yaml", ".yml")):
                        info = entry.stat()
                        entries.append(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}")
        except FileNotFoundError:
            continue
    for line in sorted(entries):
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def index_library(project: Project, index_dir: Path, *, rebuild: bool = False,
                  say: Callable[[str], None] = print) -> IndexReport:
    """Index every valid case of the library (only changed cases are analysed again)."""
    from generator.search.analysis import analyse_cases
    from generator.text.segment_cache import SegmentCache

    stamp = cases_stamp(project.cases_dir)
    cases = project.load_valid().cases
    segments = SegmentCache(project.cache_dir)
    report = update_index(index_dir, cases, rebuild=rebuild, say=say, segments=segments,
                          analysis=analyse_cases(cases, segments, project.cache_dir))
    write_file(index_dir / STAMP_FILE, stamp.encode("ascii"), durable=False)
    return report


def ensure_current_index(project: Project, index_dir: Path, say: Callable[[str], None]) -> IndexReport | None:
    """Before a search: build the index if there is none, update it if a case file changed (None: it was current)."""
    try:
        recorded = (index_dir / STAMP_FILE).read_text("ascii")
    except (OSError, UnicodeDecodeError):
        recorded = ""
    if (index_dir / META_FILE).is_file() and recorded == cases_stamp(project.cases_dir):
        return None
    say("首次使用，正在建立检索索引……" if not (index_dir / META_FILE).is_file() else "案例有改动，正在更新检索索引……")
    return index_library(project, index_dir, say=say)
