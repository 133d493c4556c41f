"""What the site index is made from (SearchDoc) and what writing it reports (SiteSearchReport)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class SearchDoc:
    location: str                       # page URL relative to the site root, e.g. "cases/CZ-2025-001.html"
    title: str                          # plain text, untrusted
    text: str                           # plain teaser text, untrusted
    fields: dict[str, tuple[str, ...]]  # field name -> the field's index terms, in order
    scores: dict[str, int] | None = None  # term_scores(doc) precomputed (then fields is not used)
    key: str | None = None              # changes whenever title, text, meta or scores change (the caller's promise)
    meta: tuple[str, ...] = ()          # shown with a result: case id, date, region, category
    facets: dict | None = None          # facet name -> values (cases only), see planfiles.plan_files


@dataclass(frozen=True)
class DocSource:
    """The docs to index, each made only when needed: an update makes only the docs whose key is not the one
    recorded, and the planner's files (planfiles.py) are made again only when the facet keys changed.

    keys: location → the key of the doc made there (SearchDoc.key; None: it is always made), in the docs' order.
    facet_keys: location → a key that changes whenever that doc's facets do, or the code making them (None:
    the planner's files are made from every doc each time)."""

    keys: dict[str, str | None]
    make: Callable[[str], SearchDoc]
    facet_keys: dict[str, str] | None = None

    def made(self) -> list[SearchDoc]:
        """Every doc, in order."""
        return [self.make(location) for location in self.keys]


def doc_source(docs: list[SearchDoc]) -> DocSource:
    """Docs already made, as a source (duplicate locations are refused)."""
    by_location = {doc.location: doc for doc in docs}
    if len(by_location) != len(docs):
        raise ValueError("检索文档的地址重复")
    return DocSource({doc.location: doc.key for doc in docs}, by_location.__getitem__)


@dataclass
class SiteSearchReport:
    docs: int = 0
    terms: int = 0
    shards: int = 0
    files: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    total_bytes: int = 0
    written_files: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict, repr=False)  # location -> doc number
    incremental: bool = False       # patched from the build state (not a full build)
    fallback: str = ""              # why an incremental update was not possible (Chinese), if it was tried

    def __str__(self) -> str:
        text = (f"站内检索索引：{self.docs} 个页面，{self.terms} 个词，{self.files} 个文件"
                f"（写入 {self.written}，未变 {self.kept}，删除 {self.removed}），共 {self.total_bytes / 1024:.0f} KB")
        if self.fallback:
            text += f"；未能增量更新，已全部重建：{self.fallback}"
        return text
