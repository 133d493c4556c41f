"""Term scores: each index term's weight in one document, computed at build time.

Field-weighted BM25 term-frequency saturation, length-normalised against a FIXED reference
length per field, so a document's scores never depend on other documents; stored as integers
in 1/SCALE steps. The query side multiplies them by an idf (queryplan.idf_q).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Mapping

from generator.search.fields import FIELD_BOOSTS
from generator.search.queryplan import GRAM_LENGTH, META_BOOSTS, META_LENGTH, STOP
from generator.siteindex.model import SearchDoc

SCORES_VERSION = 2           # of term_scores: a cache of SearchDoc.scores must depend on it
# Reference field lengths (terms), roughly the sample library's averages; fixed so that one
# document's postings never depend on the others.
REFERENCE_LENGTHS = {"title": 10, "subtitle": 16, "keywords": 12, "summary": 45, "body": 400}
K1, B = 1.2, 0.75
SCALE = 8                    # posting scores in 1/8 steps
_SEP = "\x1f"


def field_scores(fields: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Each term's score over the fields (field name → its terms in order), in 1/SCALE steps (at least 1)."""
    total: dict[str, float] = {}
    for name, terms in fields.items():
        weight = FIELD_BOOSTS.get(name, META_BOOSTS.get(name))
        if weight is None:
            raise ValueError(f"未知的检索字段：{name}")
        kept = [term for term in terms if term and term not in STOP]
        if not kept:
            continue
        reference = REFERENCE_LENGTHS.get(name, GRAM_LENGTH if name == "gram" else META_LENGTH)
        norm = K1 * (1 - B + B * len(kept) / reference)
        for term, tf in Counter(kept).items():
            total[term] = total.get(term, 0.0) + weight * tf * (K1 + 1) / (tf + norm)
    return {term: max(1, math.floor(score * SCALE + 0.5)) for term, score in total.items()}


def term_scores(doc: SearchDoc) -> dict[str, int]:
    """A document's term scores: doc.scores when given, else field_scores(doc.fields)."""
    if doc.scores is not None:  # any mapping (the build passes scores unpacked on first use)
        return doc.scores if type(doc.scores) is dict else dict(doc.scores.items())
    return field_scores(doc.fields)


def pack_score_text(scores: dict[str, int]) -> str:
    """Scores as one string, "term␟score␟term␟score…" (cheap to keep in a cache and to load)."""
    return _SEP.join(f"{term}{_SEP}{score}" for term, score in sorted(scores.items()))


class LazyScores(Mapping):
    """Scores of pack_score_text unpacked when used, and not kept: an incremental index update reads
    only the changed cases', and a full one holds each case's dict only while it encodes it."""

    def __init__(self, packed: str):
        self._packed = packed

    def _unpacked(self) -> dict[str, int]:
        parts = self._packed.split(_SEP) if self._packed else []
        intern = sys.intern  # one string object per term across the library
        return {intern(parts[i]): int(parts[i + 1]) for i in range(0, len(parts), 2)}

    def items(self):
        return self._unpacked().items()

    def __getitem__(self, term: str) -> int:
        return self._unpacked()[term]

    def __iter__(self):
        return iter(self._unpacked())

    def __len__(self) -> int:
        return self._packed.count(_SEP) // 2 + 1 if self._packed else 0
