"""The number codec of the index files: non-negative integers as variable-length base-32 digits.

A character from the first half of ALPHABET ends a number, one from the second half continues it
(most significant digit first). A postings string holds the doc-number gaps - 1 of a term's n docs,
then their n scores (gaps apart from scores compress better: most gaps of a common term are 0);
this module encodes, decodes and patches them.
"""

from __future__ import annotations

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_DIGIT = {ch: i for i, ch in enumerate(ALPHABET)}
_ALPHA = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_LUT = np.full(256, 255, dtype=np.uint8)
_LUT[_ALPHA] = np.arange(64, dtype=np.uint8)


CHUNK = 1 << 20  # numbers encoded at a time: the temporaries of a whole library's postings took 600 MB


def encode_numbers(values: np.ndarray) -> tuple[str, np.ndarray]:
    """Non-negative integers → one ASCII string of base-32 digits, and where each number ends in it."""
    if len(values) <= CHUNK:
        return _encode_chunk(values)
    texts, ends, offset = [], [], 0
    for start in range(0, len(values), CHUNK):
        text, chunk_ends = _encode_chunk(values[start:start + CHUNK])
        texts.append(text)
        ends.append(chunk_ends + offset)
        offset += len(text)
    return "".join(texts), np.concatenate(ends)


def _encode_chunk(values: np.ndarray) -> tuple[str, np.ndarray]:
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return "", np.zeros(0, dtype=np.int64)
    if int(values.min()) < 0:
        raise ValueError("negative number in postings")
    top = int(values.max())
    sizes = np.ones(len(values), dtype=np.int64)
    limit, longest = 32, 1
    while top >= limit:
        sizes += values >= limit
        limit <<= 5
        longest += 1
    ends = np.cumsum(sizes)
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    last = ends - 1
    out[last] = _ALPHA[values & 31]
    for j in range(1, longest):  # the continuation digits, j places before the last
        sel = np.flatnonzero(sizes > j)
        out[last[sel] - j] = _ALPHA[32 + ((values[sel] >> (5 * j)) & 31)]
    return out.tobytes().decode("ascii"), ends


def decode_numbers(text: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The numbers of a digit string, and where each ends in it (None: every number is one digit)."""
    if not text:
        return np.zeros(0, dtype=np.int64), None
    digits = _LUT[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    if int(digits.max()) >= 64:
        raise ValueError("not a postings string")
    final = digits < 32
    values = (digits & 31).astype(np.int64)
    if final.all():
        return values, None
    if not final[-1]:
        raise ValueError("truncated postings string")
    # a number ending at digit t also has the digits t-1, t-2, … for as long as they are continuations
    total, run, j = values.copy(), np.ones(len(values), dtype=bool), 1
    continued = ~final
    while True:
        run[j:] &= continued[:-j]
        run[:j] = False
        if not run.any():
            break
        total[j:] += (values[:-j] << (5 * j)) * run[j:]
        j += 1
    ends = np.flatnonzero(final)
    return total[ends], ends + 1


def small_numbers(text: str) -> list[int]:
    return decode_numbers(text)[0].tolist()


def _encode_one(value: int, out: list[str]) -> None:
    digits = []
    while True:
        digits.append(value & 31)
        value >>= 5
        if not value:
            break
    for digit in reversed(digits[1:]):
        out.append(ALPHABET[32 + digit])
    out.append(ALPHABET[digits[0]])


def encode_few(numbers: list[int]) -> str:
    """encode_numbers for a handful of numbers, without numpy."""
    out: list[str] = []
    for number in numbers:
        _encode_one(number, out)
    return "".join(out)


# --- postings --------------------------------------------------------------------------

def encode_posting_arrays(docs: np.ndarray, scores: np.ndarray) -> str:
    return encode_numbers(np.concatenate([np.diff(docs, prepend=-1) - 1, scores]))[0]


def decode_posting_arrays(text: str) -> tuple[np.ndarray, np.ndarray]:
    numbers = decode_numbers(text)[0]
    if len(numbers) % 2:
        raise ValueError("odd postings string")
    count = len(numbers) // 2
    return np.cumsum(numbers[:count] + 1) - 1, numbers[count:]


def encode_postings(postings: list[tuple[int, int]]) -> str:
    """[(doc number ascending, score)] → the compact string."""
    if not postings:
        return ""
    pairs = np.asarray(postings, dtype=np.int64).reshape(-1, 2)
    return encode_posting_arrays(pairs[:, 0], pairs[:, 1])


def decode_postings(text: str) -> list[tuple[int, int]]:
    docs, scores = decode_posting_arrays(text)
    return list(zip(docs.tolist(), scores.tolist()))


def posting_count(text: str) -> int:
    return sum(1 for ch in text if _DIGIT[ch] < 32) // 2


def _splice(encoded: str, number: int, score: int | None) -> tuple[str, int]:
    """patch_postings for one doc: re-encodes only the gaps and the score around it."""
    numbers, ends = decode_numbers(encoded)
    if len(numbers) % 2:
        raise ValueError("odd postings string")
    count = len(numbers) // 2
    gaps = numbers[:count]
    docs = np.cumsum(gaps + 1) - 1
    i = int(np.searchsorted(docs, number))

    def start(j: int) -> int:  # where number j of the stream starts (j == 2·count: the end)
        return 0 if j == 0 else (j if ends is None else int(ends[j - 1]))

    def edit(gap: int, gaps_replaced: int, new_gaps: list[int], scores_replaced: int, new_scores: list[int]) -> str:
        """Replace numbers gap… of the gaps and count+i… of the scores (the gaps come first)."""
        score = count + i
        return (encoded[:start(gap)] + encode_few(new_gaps) + encoded[start(gap + gaps_replaced):start(score)]
                + encode_few(new_scores) + encoded[start(score + scores_replaced):])

    previous = int(docs[i - 1]) if i else -1
    if i < count and int(docs[i]) == number:
        if score is not None:
            return edit(i, 0, [], 1, [score]), count
        if i + 1 < count:
            return edit(i, 2, [int(gaps[i]) + int(gaps[i + 1]) + 1], 1, []), count - 1
        return edit(i, 1, [], 1, []), count - 1
    if score is None:
        return encoded, count
    if i == count:
        return edit(i, 0, [number - previous - 1], 0, [score]), count + 1
    return edit(i, 1, [number - previous - 1, int(docs[i]) - number - 1], 0, [score]), count + 1


def patch_postings(encoded: str, changes: dict[int, int | None]) -> tuple[str, int]:
    """Postings with the docs in changes removed, then those with a score (re-)added; and their count."""
    if len(changes) == 1 and encoded:
        return _splice(encoded, *next(iter(changes.items())))
    docs, scores = decode_posting_arrays(encoded)
    if len(docs):
        keep = ~np.isin(docs, np.fromiter(changes, dtype=np.int64, count=len(changes)))
        docs, scores = docs[keep], scores[keep]
    added = [(number, score) for number, score in changes.items() if score is not None]
    if added:
        new = np.asarray(added, dtype=np.int64)
        docs, scores = np.concatenate([docs, new[:, 0]]), np.concatenate([scores, new[:, 1]])
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
    return (encode_posting_arrays(docs, scores) if len(docs) else ""), len(docs)
