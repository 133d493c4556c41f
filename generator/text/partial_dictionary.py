"""Segment a few texts without loading jieba's whole dictionary (a second at every one-case rebuild).

Without HMM (tokenizer.py never uses it), jieba's segmentation of a text reads its dictionary only
through `word in FREQ` and `FREQ.get(word)` for substrings of that text, and `total`. FREQ holds every
prefix of every word (at frequency 0), so walking the substrings one character longer at a time, as
jieba's get_DAG does, finds every dictionary word inside the text. A jieba.Tokenizer given exactly
those entries and the same total segments the text exactly as full jieba does
(tests/text/test_partial_dictionary.py compares them). The entries are looked up in the segment cache's
file (segment_cache.py), which keeps a copy of the full dictionary under the same signature.
"""

from __future__ import annotations

from typing import Callable, Iterable

Lookup = Callable[[list[str]], dict[str, int]]  # words → {word: frequency} for those in the dictionary


def words_inside(texts: Iterable[str], lookup: Lookup, longest: int) -> dict[str, int]:
    """Every dictionary entry that is a substring of one of the texts (at most `longest` characters)."""
    texts = list(dict.fromkeys(texts))
    found: dict[str, int] = {}
    # (text, start) pairs whose substring of the current length is a dictionary entry
    frontier = [(text, start) for text in texts for start in range(len(text))]
    for length in range(1, longest + 1):
        candidates = [(text, start) for text, start in frontier if start + length <= len(text)]
        if not candidates:
            break
        known = lookup(list({text[start:start + length] for text, start in candidates}))
        found.update(known)
        frontier = [(text, start) for text, start in candidates if text[start:start + length] in known]
    return found


def partial_tokenizer(entries: dict[str, int], total: int):
    """A jieba.Tokenizer whose dictionary is these entries of the full one (with the full one's total)."""
    from generator.text.dictionary import import_jieba

    tokenizer = import_jieba().Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(entries), total, True
    return tokenizer
