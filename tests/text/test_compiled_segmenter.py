"""jieba-rs given jieba's dictionary segments exactly as jieba does: the texts of the bundled library and of the
held-out one, and random mixtures of dictionary words, rare scripts, spaces and punctuation."""

import random
from functools import lru_cache

import pytest
import yaml
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.text.compiled_segmenter import FILLER, CompiledSegmenter, bulk_segmenter
from generator.text.dictionary import jieba_ready
from generator.text.tokenizer import index_tokens, normalize

pytest.importorskip("rjieba")


@pytest.fixture(scope="module")
def compiled() -> CompiledSegmenter:
    return CompiledSegmenter(jieba_ready())


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def library_texts() -> list[str]:
    texts = []
    for folder in (REPO / "cases", REPO / "tests" / "fixtures" / "heldout" / "cases"):
        for path in sorted(folder.rglob("*.yaml")):
            texts += _strings(yaml.safe_load(path.read_text("utf-8")))
    return texts


def jieba_words(text: str) -> list[tuple[str, int, int]]:
    return [tuple(token) for token in jieba_ready().dt.tokenize(text, HMM=False)]


def test_library_texts_segment_the_same(compiled):
    texts = library_texts()
    assert len(texts) > 500
    for text in texts:
        for form in (text, normalize(text)):
            assert [tuple(t) for t in compiled.tokenize(form)] == jieba_words(form), form[:60]
            assert index_tokens(form, compiled) == index_tokens(form)


@lru_cache(maxsize=1)
def dictionary_words() -> list[str]:
    """Every 331st word of jieba's dictionary (loaded when a test first needs it, not when tests are collected)."""
    return [word for word, frequency in list(jieba_ready().dt.FREQ.items())[::331] if frequency]


ODD = (["\u3400", "\u4dbf", "\u9fd6", "\u9fff", "\uf900", "\U00020000", "😀", "\u200b", "\ufeff", "é", "ß",
        "０", "Ａ", "％", " ", "\t", "\n", "\r\n", "\u3000", "\xa0", "-", ".", "_", "#", "+", "&", "%"]
       + list("，。、；：？！“”‘’（）《》【】—…·abcXYZ0123456789"))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_random_mixtures_segment_the_same(compiled, data):
    parts = data.draw(st.lists(st.one_of(st.sampled_from(dictionary_words()), st.sampled_from(ODD),
                                         st.characters(min_codepoint=0x20, max_codepoint=0x2FFFF)), max_size=25))
    text = "".join(parts)
    assert [tuple(t) for t in compiled.tokenize(text)] == jieba_words(text)


def test_lone_surrogates_segment_as_jieba_does(compiled):
    """Found by an adversarial pass: jieba-rs cannot take text that is not UTF-8; such text goes to jieba."""
    for text in ("\ud800", "a\udfffb", "中\ud83d国", "检察建议\ud800检察建议"):
        assert [tuple(t) for t in compiled.tokenize(text)] == jieba_words(text)


def test_the_dictionary_and_total_are_jiebas(compiled):
    """Near-ties between routes with different word counts depend on the total: it must be jieba's."""
    jieba = jieba_ready()
    sample = random.Random(3).sample([w for w, f in jieba.dt.FREQ.items() if f], 2000)
    rust = compiled._rust
    assert all(rust.has_word(word) for word in sample)
    assert jieba.dt.total > sum(jieba.dt.FREQ.values())  # the user dictionary's re-added words
    assert rust.has_word(FILLER)
    assert FILLER[0] == "\x00"  # never inside a run of Han characters, letters or digits


def test_bulk_segmenter_is_loaded_once():
    assert bulk_segmenter() is bulk_segmenter()
