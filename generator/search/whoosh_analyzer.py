"""The Whoosh adapter of the tokenizer: Whoosh analyses fields with generator/text/tokenizer.py.

JiebaTokenizer is pickled into the index schema, so moving or renaming it means a new INDEX_FORMAT.
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from generator.text.tokenizer import index_tokens, query_words


class Pretokenized(str):
    """Text that carries its index tokens, so that segmentation can run in other processes."""

    def __new__(cls, text: str, tokens: tuple):
        value = super().__new__(cls, text)
        value.tokens = tokens
        return value

    def __reduce__(self):
        return (Pretokenized, (str(self), self.tokens))


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer over index_tokens / query_words (pickled into the index schema)."""

    dictionary = None  # a search session's jieba.Tokenizer over the index vocabulary (never pickled)

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __getstate__(self):
        return {key: value for key, value in self.__dict__.items() if key != "dictionary"}

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if mode == "query":
            for index, word in enumerate(query_words(value, self.dictionary)):
                token.text = word
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = start_pos + index
                yield token
            return
        # Highlighting re-analyses stored text at search time: use the fast query dictionary there.
        tokens = value.tokens if isinstance(value, Pretokenized) and mode == "index" else \
            index_tokens(value, None if mode == "index" else self.dictionary)
        for position, word, start, end in tokens:
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def analyzer():
    return JiebaTokenizer()
