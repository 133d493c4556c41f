"""Shared fixtures and helpers of the site-index tests."""

import os
from itertools import chain
from pathlib import Path

import pytest
from conftest import sample_cases

from generator.siteindex.casedocs import search_docs_for_cases
from generator.siteindex.model import SearchDoc
from generator.siteindex.planfiles import PLAN_DIR
from generator.siteindex.query import query_site
from generator.siteindex.shards import INDEX_DIR, read_shard
from generator.siteindex.writer import write_site_search
from generator.text.tokenizer import index_tokens


@pytest.fixture(scope="module")
def sample_docs() -> list[SearchDoc]:
    return search_docs_for_cases(sample_cases())


@pytest.fixture
def site_search(tmp_path, sample_docs) -> Path:
    search_dir = tmp_path / "site" / "search"
    write_site_search(search_dir, sample_docs)
    return search_dir


def doc(location: str, title: str, body: str = "", text: str = "") -> SearchDoc:
    words = lambda value: tuple(word for _, word, _, _ in index_tokens(value))
    return SearchDoc(location, title, text or body[:40], {"title": words(title), "body": words(body)})


def ids(locations):
    return [location.rsplit("/", 1)[-1].removesuffix(".html") for location in locations]


def doc_numbers(search_dir: Path) -> dict[str, int]:
    """location → doc number, from the doc shards."""
    return {row[0]: int(path.stem) * 16 + i for path in (search_dir / INDEX_DIR / "d").glob("*.js")
            for i, row in enumerate(read_shard(path)) if row}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def link_copy(old: Path, new: Path) -> None:
    """What the build does: the new site's search/jiandu starts as hard links to the previous build's."""
    for path in chain((old / INDEX_DIR).rglob("*"), (old / PLAN_DIR).rglob("*")):
        if path.is_file():
            target = new / path.relative_to(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)


def full_ranking(search_dir: Path, query: str) -> tuple[int, list]:
    result = query_site(search_dir, query, top=10**6)
    return result.total, sorted((-item["score"], item["location"]) for item in result.items)
