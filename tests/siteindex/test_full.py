"""The full build: doc numbers kept and filled from the lowest free, the same files for the same input."""

import pytest

from generator.siteindex.full import assign_numbers, build_files
from generator.siteindex.model import SearchDoc


def test_numbers_are_kept_and_new_docs_take_the_lowest_free():
    assert assign_numbers(["a", "b", "c"], {"b": 0, "gone": 1}) == {"b": 0, "a": 1, "c": 2}
    assert assign_numbers(["a", "b"], {"a": 3, "b": 3}) == {"a": 0, "b": 1}  # clashing numbers are dropped


def test_the_same_docs_give_the_same_files_in_any_order():
    docs = [SearchDoc(f"cases/{i}.html", f"标题{i}", "导语", {"title": ("挂案", f"词{i % 7}")}) for i in range(60)]
    files, info = build_files(docs, large=16, shard_bytes=256)
    again, _ = build_files(list(reversed(docs)), numbers=info["numbers"], shards=info["shards"], large=16,
                           shard_bytes=256)
    assert files == again and any(name.startswith("p/") for name in files)


def test_duplicate_locations_are_refused():
    doc = SearchDoc("a.html", "甲", "", {"title": ("甲",)})
    with pytest.raises(ValueError, match="地址重复"):
        build_files([doc, doc])
