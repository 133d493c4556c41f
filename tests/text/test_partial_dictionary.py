"""A few texts segmented by the part of jieba's dictionary inside them: exactly what full jieba gives."""

import random
from pathlib import Path

import pytest

import generator.text.segment_cache as segments_module
from generator import DATA_DIR
from generator.text.dictionary import jieba_ready
from generator.text.partial_dictionary import partial_tokenizer, words_inside
from generator.text.segment_cache import SegmentCache
from generator.text.tokenizer import index_tokens, normalize

SEEDS = Path("/work/shared/seeds")
MIXED = ["人民检察院发出检察建议，政法委一案双查。", "中华人民共和国刑事诉讼法第177条规定",
         "挂案清理 2024年 ABC-12 办理", "監督檢察院的檢察建議（繁體）", "全角ＡＢＣ１２３和半角abc", "", "。。！？", "x",
         "两法衔接行刑衔接机制"]


def sample_texts() -> list[str]:
    texts = list(MIXED)
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt")):
            text = path.read_text("utf-8")
            texts += [text[start:start + 400] for start in range(0, len(text), 400)]
    # the domain dictionary's own words, run together and cut at random places
    words = [line.split()[0] for line in (DATA_DIR / "userdict.txt").read_text("utf-8").splitlines() if line.strip()]
    rng = random.Random(5)
    for _ in range(40):
        run = "".join(rng.choice(words + ["的", "和", "在", "了"]) for _ in range(rng.randint(2, 12)))
        texts.append(run[rng.randrange(len(run)):])
    return texts


def full_lookup():
    freq = jieba_ready().dt.FREQ
    return lambda words: {word: freq[word] for word in words if word in freq}


def test_each_text_segments_as_with_full_jieba():
    freq = jieba_ready().dt.FREQ
    longest = max(map(len, freq))
    for text in sample_texts():
        entries = words_inside([normalize(text)], full_lookup(), longest)
        assert index_tokens(text, partial_tokenizer(entries, jieba_ready().dt.total)) == index_tokens(text), text


def test_every_dictionary_word_inside_a_text_is_found():
    freq = jieba_ready().dt.FREQ
    text = normalize("区人民检察院对行政执法机关的检察建议落实情况开展跟踪监督")
    entries = words_inside([text], full_lookup(), max(map(len, freq)))
    inside = {text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1) if text[i:j] in freq}
    assert entries.keys() == inside


def test_the_segment_cache_segments_a_few_texts_without_full_jieba(tmp_path, monkeypatch):
    SegmentCache(tmp_path).tokens(["政法委一案双查"])  # the first time: full jieba, copied into the file
    texts = sample_texts()[:30]

    def no_full_jieba(texts):
        raise AssertionError("full jieba used")

    monkeypatch.setattr(segments_module, "_segment_all", no_full_jieba)
    cache = SegmentCache(tmp_path)
    assert cache.tokens(texts) == [index_tokens(text) for text in texts]
    assert cache.misses == len(set(texts))


def test_a_cache_without_a_complete_dictionary_copy_uses_full_jieba(tmp_path):
    import sqlite3

    cache = SegmentCache(tmp_path)
    with sqlite3.connect(cache.path) as db:
        db.execute("INSERT INTO dictionary VALUES ('半截', 1)")  # a copy interrupted before its `about` rows
    assert cache.tokens(["挂案清理和检察建议"]) == [index_tokens("挂案清理和检察建议")]
    with sqlite3.connect(cache.path) as db:
        assert db.execute("SELECT COUNT(*) FROM dictionary").fetchone()[0] == len(jieba_ready().dt.FREQ)
        assert dict(db.execute("SELECT name, value FROM about"))["total"] == jieba_ready().dt.total
