"""The Whoosh adapter of the shared tokenizer."""

import pytest

from generator.search.whoosh_analyzer import JiebaTokenizer
from generator.text.tokenizer import set_query_tokenizer


@pytest.fixture(autouse=True)
def full_jieba():
    """Search tests install an index's query dictionary; these tests are about full jieba."""
    set_query_tokenizer(None)
    yield


def test_whoosh_tokenizer_modes():
    tokenizer = JiebaTokenizer()
    indexed = [(t.text, t.pos) for t in tokenizer("人民检察院", positions=True, mode="index")]
    assert indexed[0] == ("人民检察院", 0) and ("检察院", 0) in indexed
    queried = [t.text for t in tokenizer("人民检察院", mode="query")]
    assert queried == ["人民检察院"]
