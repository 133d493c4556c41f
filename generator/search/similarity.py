"""Similar cases: each case's weighted key terms (whole words), compared as sparse tf·idf vectors."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable
from functools import cached_property

from generator.core.problems import UserError
from generator.text.tokenizer import STOPWORDS, normalize

SIMILAR_FIELDS = {"title": 3.0, "keywords": 3.0, "summary": 1.5, "body": 1.0}
KEY_TERMS_STORED = 40
KEYWORD_WEIGHT, MECHANISM_WEIGHT = 6.0, 2.0  # whole keywords and mechanisms as similar-case terms


def key_term_weights(tokens_by_field: dict[str, tuple], document: dict | None = None) -> dict[str, float]:
    """The heaviest key terms of a case (field-weighted counts), stored for similar cases.

    Only whole words: jieba's precise-mode words (not the pieces inside longer words, such as
    委会 in 人大常委会), the case's keywords and its mechanisms. Synonyms count as one word (the
    first of their group), so 行刑衔接 and 两法衔接 make two cases similar.
    """
    from generator.search.queryplan import canonical_terms

    canonical = canonical_terms()
    counts: dict[str, float] = defaultdict(float)
    for name, weight in SIMILAR_FIELDS.items():
        last = None
        for position, word, _, _ in tokens_by_field.get(name, ()):
            if position == last:
                continue  # a piece of the word before it
            last = position
            if len(word) > 1 and word not in STOPWORDS and not word.isdigit():  # tokens.key_terms, inlined
                counts[canonical.get(word, word)] += weight
    if document is not None:
        for word, weight in [(k, KEYWORD_WEIGHT) for k in document.get("keywords", "").split(" ")] + \
                [(m, MECHANISM_WEIGHT) for m in document.get("mechanism", "").split(",")]:
            word = normalize(word.strip())
            if len(word) > 1:
                counts[canonical.get(word, word)] += weight
    return dict(sorted(counts.items(), key=lambda item: -item[1])[:KEY_TERMS_STORED])


@dataclass
class Similar:
    id: str
    title: str
    score: float                 # rounded for display
    classification: str = ""
    exact_score: float = 0.0     # unrounded: changes whenever the compared terms or their weights do
    _pair: tuple = field(default=(), repr=False, compare=False)  # (model, row, other): shared terms on demand

    @property
    def shared(self) -> list[str]:
        """The key terms both cases were compared by (at most 5, none inside a longer one)."""
        model, row, other = self._pair
        return model.shared_terms(row, other)


class TermVectors:
    """Each case's compared terms and their weights: the part of the similarity model that the build state
    keeps (search/analysis.py), so that after an edit only the vectors that change are weighed again.

    Weights are tf·idf over the stored key terms; each case keeps its TOP_TERMS heaviest terms (ties by the
    term). Terms found in more than a tenth of the library (at least 50 cases) are left out: they say
    little, and they would make every case a candidate of every other. A vector is stored heaviest first and
    dot products add up its terms in that order, so a score depends only on the two vectors, never on the
    columns the terms happen to have (which an update appends to).
    """

    TOP_TERMS = 20

    def __init__(self, count: int, frequency: dict[str, int], vocabulary: list[str], indptr, indices, data):
        self.count, self.frequency, self.vocabulary = count, frequency, vocabulary
        self.indptr, self.indices, self.data = indptr, indices, data

    @classmethod
    def weigh(cls, all_terms: list[dict[str, float]]) -> "TermVectors":
        """The vectors of these cases (each case's key terms and their counts)."""
        import numpy as np

        empty = cls(len(all_terms), _frequency(all_terms), [], np.zeros(len(all_terms) + 1, dtype=np.int64),
                    np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        rows = range(len(all_terms))
        return empty._replaced(list(rows), empty._weighed(all_terms.__getitem__, rows))

    def updated(self, names: list[list[str]], terms_of: Callable[[int], dict[str, float]], edited: list[int]) \
            -> tuple["TermVectors", list[int]]:
        """The vectors after the key terms of the `edited` rows changed (same cases, same order), and the rows
        whose vector is now different. names: each row's key terms; terms_of(row): with their counts.
        Exact: a vector depends only on the case's own counts, the number of cases and the frequency of its
        terms, so only edited rows and rows holding a term whose frequency changed are weighed again, with the
        same arithmetic as weigh()."""
        frequency = _frequency(names)
        shifted = {term for term in frequency.keys() | self.frequency.keys()
                   if frequency.get(term) != self.frequency.get(term)}
        rows = sorted(set(edited) | ({row for row, terms in enumerate(names) if not shifted.isdisjoint(terms)}
                                     if shifted else set()))
        new = TermVectors(self.count, frequency, list(self.vocabulary), self.indptr, self.indices, self.data)
        weighed = new._weighed(terms_of, rows)
        changed = [row for row, vector in zip(rows, weighed) if vector != self.vector(row)]
        by_row = dict(zip(rows, weighed))
        return new._replaced(changed, [by_row[row] for row in changed]), changed

    def __eq__(self, other) -> bool:
        """The same vectors and frequencies (whatever the columns of their terms)."""
        import numpy as np

        if not isinstance(other, TermVectors):
            return NotImplemented
        return self.count == other.count and self.frequency == other.frequency \
            and np.array_equal(self.indptr, other.indptr) and np.array_equal(self.data, other.data) \
            and [self.vocabulary[t] for t in self.indices.tolist()] == [other.vocabulary[t] for t in other.indices.tolist()]

    __hash__ = None

    def vector(self, row: int) -> list[tuple[str, float]]:
        """The row's compared terms and weights, heaviest first."""
        start, end = self.indptr[row], self.indptr[row + 1]
        return [(self.vocabulary[t], w) for t, w in zip(self.indices[start:end].tolist(), self.data[start:end].tolist())]

    def _weighed(self, terms_of: Callable[[int], dict[str, float]], rows) -> list[list[tuple[str, float]]]:
        count, cut = self.count, max(50, self.count // 10)
        idf: dict[str, float] = {}
        vectors = []
        for row in rows:
            weighed = []
            for term, n in terms_of(row).items():
                weight = idf.get(term)
                if weight is None:
                    frequency = self.frequency[term]
                    weight = idf[term] = math.log(count / frequency) + 1 if frequency <= cut else 0.0
                if weight:
                    weighed.append((term, n * weight))
            weighed.sort(key=lambda pair: (-pair[1], pair[0]))
            vectors.append(weighed[:self.TOP_TERMS])
        return vectors

    def _replaced(self, rows: list[int], vectors: list[list[tuple[str, float]]]) -> "TermVectors":
        """These vectors with the given rows' vectors replaced (new terms get new columns)."""
        import numpy as np

        if not rows:
            return self
        column = {term: position for position, term in enumerate(self.vocabulary)}
        for vector in vectors:
            for term, _ in vector:
                if term not in column:
                    column[term] = len(self.vocabulary)
                    self.vocabulary.append(term)
        lengths = np.diff(self.indptr)
        entry_rows = np.repeat(np.arange(self.count), lengths)
        kept = ~np.isin(entry_rows, rows)
        new_rows = np.repeat(np.array(rows, dtype=np.int64), [len(vector) for vector in vectors])
        all_rows = np.concatenate([entry_rows[kept], new_rows])
        order = np.argsort(all_rows, kind="stable")  # by row, each row's entries in their order
        indices = np.concatenate([self.indices[kept], np.array([column[t] for v in vectors for t, _ in v], dtype=np.int64)])
        data = np.concatenate([self.data[kept], np.array([w for v in vectors for _, w in v], dtype=np.float64)])
        lengths = lengths.copy()
        lengths[rows] = [len(vector) for vector in vectors]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return TermVectors(self.count, self.frequency, self.vocabulary, indptr, indices[order], data[order])


def _frequency(all_terms: list) -> dict[str, int]:
    """How many cases hold each key term."""
    from collections import Counter
    from itertools import chain

    return dict(Counter(chain.from_iterable(all_terms)))


class SimilarityModel:
    """Similar cases from the key terms stored with every document, compared as sparse vectors (TermVectors).

    Scores are dot products, computed with SciPy a block of cases at a time. vectors: the documents'
    TermVectors when already known (the build state's, updated)."""

    BLOCK = 256

    def __init__(self, documents: list[dict], vectors: TermVectors | None = None):
        import numpy as np

        self.ids = [d["id"] for d in documents]
        self.position = {case_id: i for i, case_id in enumerate(self.ids)}
        self.info = {d["id"]: (d["title"], d["classification"]) for d in documents}
        self.vectors = vectors if vectors is not None else TermVectors.weigh([d.get("terms") or {} for d in documents])
        self.public = np.array([d["classification"] == "公开" for d in documents], dtype=bool)

    # Made when first compared (SciPy takes a tenth of a second to import; a rebuild often compares nothing).
    @cached_property
    def matrix(self):
        from scipy import sparse

        v = self.vectors
        return sparse.csr_matrix((v.data, v.indices, v.indptr), shape=(len(self.ids), max(1, len(v.vocabulary))))

    @cached_property
    def transposed(self):
        return self.matrix.T.tocsr()

    @cached_property
    def id_rank(self):
        import numpy as np

        return np.argsort(np.argsort(np.array(self.ids, dtype=object)))

    def rows_sharing(self, terms) -> set[int]:
        """The rows whose vector holds one of these terms."""
        column = {term: position for position, term in enumerate(self.vectors.vocabulary)}
        transposed, rows = self.transposed, set()
        for term in terms:
            position = column.get(term)
            if position is not None:
                rows.update(transposed.indices[transposed.indptr[position]:transposed.indptr[position + 1]].tolist())
        return rows

    def vector(self, row: int) -> list[str]:
        """The case's compared terms, heaviest first."""
        return [term for term, _ in self.vectors.vector(row)]

    def similar_to(self, case_id: str, limit: int = 5, public_only: bool = False) -> list["Similar"]:
        if case_id not in self.position:
            raise UserError(f"案例 {case_id} 不在检索索引中（编号是否正确？必要时运行 jiandu index）")
        return self._rows([self.position[case_id]], limit, public_only)[0]

    def similar_all(self, limit: int = 5, public_only: bool = False) -> dict[str, list["Similar"]]:
        found: dict[str, list[Similar]] = {}
        for start in range(0, len(self.ids), self.BLOCK):
            rows = list(range(start, min(start + self.BLOCK, len(self.ids))))
            found.update(zip((self.ids[row] for row in rows), self._rows(rows, limit, public_only)))
        return found

    def _rows(self, rows: list[int], limit: int, public_only: bool) -> list[list["Similar"]]:
        import numpy as np

        scores = (self.matrix[rows] @ self.transposed).tocsr()
        results = []
        for offset, row in enumerate(rows):
            start, end = scores.indptr[offset], scores.indptr[offset + 1]
            others, values = scores.indices[start:end], scores.data[start:end]
            keep = (others != row) & (values > 0)
            if public_only:
                keep &= self.public[others]
            others, values = others[keep], values[keep]
            if len(values) > 4 * limit:  # keep the best (and any tied with the last of them) before sorting
                threshold = np.partition(values, len(values) - limit)[len(values) - limit]
                best = values >= threshold
                others, values = others[best], values[best]
            order = np.lexsort((self.id_rank[others], -values))[:limit]
            results.append([self._similar(row, int(others[i]), float(values[i])) for i in order])
        return results

    def _similar(self, row: int, other: int, score: float) -> "Similar":
        other_id = self.ids[other]
        title, classification = self.info[other_id]
        return Similar(id=other_id, title=title, score=round(score, 3), classification=classification,
                       exact_score=score, _pair=(self, row, other))

    def shared_terms(self, row: int, other: int) -> list[str]:
        target = set(self.vector(other))
        common = [term for term in self.vector(row) if term in target]
        return [t for t in common if not any(len(longer) > len(t) and t in longer for longer in common)][:5]
