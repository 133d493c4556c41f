"""The Whoosh adapter of the shared tokenizer."""

import pickle

from generator.search.whoosh_analyzer import JiebaTokenizer


def test_whoosh_tokenizer_modes():
    tokenizer = JiebaTokenizer()
    indexed = [(t.text, t.pos) for t in tokenizer("人民检察院", positions=True, mode="index")]
    assert indexed[0] == ("人民检察院", 0) and ("检察院", 0) in indexed
    queried = [t.text for t in tokenizer("人民检察院", mode="query")]
    assert queried == ["人民检察院"]


def test_a_session_dictionary_segments_queries_and_is_never_pickled(tmp_path):
    """A search session hands its analysers the index vocabulary; nothing module-wide changes, and the
    dictionary does not travel into a pickled schema."""
    import jieba

    words = tmp_path / "dict.txt"
    words.write_text("人民 5\n检察院 5\n", "utf-8")  # a vocabulary without 人民检察院
    session = JiebaTokenizer()
    session.dictionary = jieba.Tokenizer(dictionary=str(words))
    assert [t.text for t in session("人民检察院", mode="query")] == ["人民", "检察院"]
    assert [t.text for t in JiebaTokenizer()("人民检察院", mode="query")] == ["人民检察院"]  # others: full jieba
    assert pickle.loads(pickle.dumps(session)).dictionary is None
