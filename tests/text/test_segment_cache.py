"""The segment cache: every text segmented once per content version, invalidated by dictionary changes."""

import generator.text.segment_cache as segments_module
from generator.text.segment_cache import SegmentCache, words
from generator.text.tokenizer import index_tokens


def test_tokens_come_from_the_cache_the_second_time(tmp_path):
    texts = ["人民检察院发出检察建议", "政法委一案双查", "人民检察院发出检察建议"]
    first = SegmentCache(tmp_path)
    tokens = first.tokens(texts)
    assert tokens[0] == index_tokens(texts[0]) and first.misses == 2  # the repeated text is segmented once
    assert "检察建议" in words(tokens[0]) and "检察院" in words(tokens[0])  # sub-words kept
    again = SegmentCache(tmp_path)
    assert again.tokens(texts) == tokens and again.misses == 0 and again.hits == 2


def test_a_dictionary_change_starts_a_new_cache(tmp_path, monkeypatch):
    SegmentCache(tmp_path).tokens(["政法委一案双查"])
    old_files = list(tmp_path.glob("segments-*.sqlite"))
    monkeypatch.setattr(segments_module, "dictionary_signature", lambda: "another-dictionary")
    cache = SegmentCache(tmp_path)
    cache.tokens(["政法委一案双查"])
    assert cache.misses == 1
    assert [p.name for p in tmp_path.glob("segments-*.sqlite")] == ["segments-another-dictionary.sqlite"]
    assert not any(p.exists() for p in old_files)


def test_an_unusable_cache_folder_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = SegmentCache(blocker / "cache")
    assert cache.path is None
    assert words(cache.tokens(["挂案清理"])[0]) == words(index_tokens("挂案清理"))


def test_many_texts_are_segmented_in_two_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(segments_module, "PARALLEL_FROM", 4)
    texts = [f"第{i}件案例涉及检察建议和挂案清理" for i in range(12)]
    assert SegmentCache(tmp_path).tokens(texts) == [index_tokens(text) for text in texts]
