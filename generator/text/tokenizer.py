"""The one Chinese tokenizer, shared by the Whoosh index, similar cases and the site search.

Pure: no Whoosh here (the site build does not need it); the Whoosh adapter is
generator/search/whoosh_analyzer.py.

- Normalisation before segmenting, at index and query time: Traditional →
  Simplified (OpenCC t2s), full-width → half-width (NFKC), lower case. It keeps
  the text length so character offsets still point into the original text.
- Index time: jieba precise mode gives the positions (one per word, so phrase
  queries work); search-mode sub-words (检察院 inside 人民检察院) are emitted at
  the position of the word that contains them, for recall.
- Query time: precise mode only, no stemming. The query segmenter can be
  swapped for a small one built from the index vocabulary (see search.py), so
  that `jiandu search` does not pay jieba's one-second dictionary load.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

from generator.text.dictionary import jieba_ready

_WORD = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
# Single characters and function words that say nothing about what a case is about.
STOPWORDS = frozenset("的 了 和 与 及 或 在 对 为 以 将 把 被 等 是 有 中 并 其 之 于 由 从 向 也 都 而 "
                      "一 个 这 那 该 此 各 上 下 不 未 已 又 还 就 让 使 到 给 所 着 过 可 能 会 要 "
                      "进行 开展 工作 情况 问题 相关 有关 方面 部分 通过 推动 推进 加强 建立 形成 实现 "
                      "案件 监督 全市 市 县 区 我们 他们 一个 一些 没有 以及 以上 以下 其中 同时 进一步".split())


@lru_cache(maxsize=1)
def opencc_t2s():
    import opencc

    return opencc.OpenCC("t2s")


# Full-width forms and other one-to-one compatibility characters (NFKC), as a translate table.
_FOLD_RANGES = ((0x2000, 0x206F), (0x3000, 0x3000), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))
_FOLD = {code: folded for low, high in _FOLD_RANGES for code in range(low, high + 1)
         if len(folded := unicodedata.normalize("NFKC", chr(code))) == 1 and folded != chr(code)}


def normalize(text: str) -> str:
    """Traditional → Simplified, full-width → half-width, lower case; same length as the input."""
    folded = text.translate(_FOLD).lower()
    simplified = opencc_t2s().convert(folded)
    if len(simplified) != len(folded):  # a phrase conversion changed the length: convert per character
        simplified = "".join(opencc_t2s().convert(ch) if len(opencc_t2s().convert(ch)) == 1 else ch for ch in folded)
    return simplified


def is_word(token: str) -> bool:
    return bool(_WORD.search(token))


def _jieba_words(text: str, dictionary=None) -> Iterator[tuple[str, int, int]]:
    """jieba's precise words of text, by the given jieba.Tokenizer (an index's own vocabulary) or full jieba.
    No HMM guessing of unknown words: it costs 40 % of segmentation time, and the query side (a dictionary of
    the index vocabulary) could not reproduce its guesses anyway."""
    return (dictionary or jieba_ready()).tokenize(text, HMM=False)


def _frequencies(dictionary=None) -> dict:
    return dictionary.FREQ if dictionary is not None else jieba_ready().dt.FREQ


def sub_words(word: str, freq: dict) -> list[str]:
    """Dictionary words of two or three characters inside a longer word (jieba's search mode)."""
    if len(word) <= 2:
        return []
    return [word[i:i + size] for size in (2, 3) for i in range(len(word) - size + 1)
            if size < len(word) and freq.get(word[i:i + size])]


@lru_cache(maxsize=32)  # Whoosh analyses each field twice (postings, then term vectors): segment once
def index_tokens(text: str, dictionary=None) -> tuple[tuple[int, str, int, int], ...]:
    """(position, word, start, end): precise words plus their sub-words (jieba's search mode).
    dictionary: a jieba.Tokenizer to segment with instead of full jieba (see query_words)."""
    normal = normalize(text)
    freq = _frequencies(dictionary)
    tokens, position = [], -1
    for word, start, end in _jieba_words(normal, dictionary):
        if not is_word(word):
            continue
        position += 1
        tokens.append((position, word, start, end))
        offset_of = {}
        for part in sub_words(word, freq):
            offset = word.find(part, offset_of.get(part, 0))
            offset_of[part] = offset + 1
            tokens.append((position, part, start + offset, start + offset + len(part)))
    return tuple(tokens)


def query_words(text: str, dictionary=None) -> list[str]:
    """Precise-mode words of a query, normalised; punctuation dropped. dictionary: a jieba.Tokenizer over an
    index's vocabulary (loads in milliseconds, where full jieba takes a second), or None for full jieba."""
    return [word for word, _, _ in _jieba_words(normalize(text), dictionary) if is_word(word)]


def key_terms(words) -> list[str]:
    """Words worth comparing cases by: no single characters, no function words."""
    return [w for w in words if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]
