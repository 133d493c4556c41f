"""The shared tokenizer: normalisation, positions, sub-words, query words."""


from generator.text.tokenizer import index_tokens, key_terms, normalize, query_words


def test_normalize_traditional_and_full_width_keeps_length():
    text = "市人民檢察院ＡＢＣ１２３與政法委"
    normal = normalize(text)
    assert normal == "市人民检察院abc123与政法委"
    assert len(normal) == len(text)


def test_index_tokens_have_sequential_positions_and_sub_words_share_them():
    tokens = index_tokens("市人民检察院与市委政法委")
    words = {(word, position) for position, word, _, _ in tokens}
    assert ("人民检察院", 1) in words and ("检察院", 1) in words
    assert ("市委政法委", 3) in words and ("政法委", 3) in words
    precise_positions = sorted({position for position, *_ in tokens})
    assert precise_positions == list(range(len(precise_positions)))
    for _, word, start, end in tokens:
        assert normalize("市人民检察院与市委政法委")[start:end] == word


def test_domain_dictionary_keeps_words_whole():
    for word in ["检察建议", "挂案", "一案双查", "执法监督", "政法委", "犯罪记录封存"]:
        assert query_words(f"开展{word}工作")[1] == word


def test_query_words_are_precise_normalised_and_without_punctuation():
    assert query_words("人民檢察院，檢察建議！") == ["人民检察院", "检察建议"]
    assert query_words("，。！") == []


def test_key_terms_drop_single_characters_and_function_words():
    assert key_terms(["市", "的", "开展", "挂案", "2024", "检察建议"]) == ["挂案", "检察建议"]


def test_the_tokenizer_needs_no_whoosh():
    """The site build segments with this module: it must not pull in Whoosh."""
    import subprocess
    import sys

    code = "import sys, generator.text.tokenizer; print('whoosh' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
