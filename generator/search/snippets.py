"""Result snippets: the sentences with most query words, the words marked 【】."""

from __future__ import annotations

from generator.text.tokenizer import normalize

_SENTENCE_END = "。！？；\n"


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (split after 。！？； and line ends, trimmed), in text order."""
    spans, start = [], 0
    for index, ch in enumerate(text):
        if ch in _SENTENCE_END:
            spans.append((start, index + 1))
            start = index + 1
    spans.append((start, len(text)))
    trimmed = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append((start, end))
    return trimmed


def snippet(text: str, words: list[str], top: int = 2, max_chars: int = 160) -> str:
    """The sentences (split on 。！？；) with most query words, in text order, words in 【】.

    Matching is on the normalised text (Traditional → Simplified, full-width →
    half-width), which has the same length as the original, so a Traditional
    query highlights Simplified text and the other way round.
    """
    scored = []
    normal_text = normalize(text)  # once for the whole text (same length), not per sentence
    for order, (start, end) in enumerate(_sentence_spans(text)):
        sentence, normal = text[start:end], normal_text[start:end]
        hits = sum(normal.count(word) for word in words)
        if hits:
            scored.append((-len({w for w in words if w in normal}), -hits, order, sentence, normal))
    chosen = sorted(sorted(scored)[:top], key=lambda item: item[2])
    return "……".join(_mark(sentence, normal, words)[:max_chars] for *_, sentence, normal in chosen)


def _mark(sentence: str, normal: str, words: list[str]) -> str:
    marked = [False] * len(sentence)
    for word in words:
        start = normal.find(word)
        while start != -1:
            marked[start:start + len(word)] = [True] * len(word)
            start = normal.find(word, start + len(word))
    out, inside = [], False
    for ch, flag in zip(sentence, marked):
        if flag != inside:
            out.append("【" if flag else "】")
            inside = flag
        out.append(ch)
    return "".join(out) + ("】" if inside else "")
