"""Similar cases: each case's weighted key terms (whole words), compared as sparse tf·idf vectors."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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


class SimilarityModel:
    """Similar cases from the key terms stored with every document, compared as sparse vectors.

    Weights are tf·idf over the stored key terms; each case keeps its 20 heaviest
    terms. Terms found in more than a tenth of the library (at least 50 cases)
    are left out of the comparison: they say little, and they would make every
    case a candidate of every other. Scores are dot products, computed with
    SciPy a block of cases at a time (10,000 cases: about a second).
    """

    TOP_TERMS = 20
    BLOCK = 256

    def __init__(self, documents: list[dict]):
        import numpy as np
        from scipy import sparse

        self.ids = [d["id"] for d in documents]
        self.position = {case_id: i for i, case_id in enumerate(self.ids)}
        self.info = {d["id"]: (d["title"], d["classification"]) for d in documents}
        count = max(1, len(documents))
        vocabulary: dict[str, int] = {}
        rows, term_ids, counts = [], [], []
        for row, document in enumerate(documents):
            for term, n in (document.get("terms") or {}).items():
                rows.append(row)
                term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(n)
        self.terms = list(vocabulary)
        rows, term_ids = np.array(rows, dtype=np.int64), np.array(term_ids, dtype=np.int64)
        frequency = np.bincount(term_ids, minlength=len(vocabulary))
        weights = np.array(counts, dtype=np.float64) * (np.log(count / frequency[term_ids]) + 1)
        kept = frequency[term_ids] <= max(50, count // 10)
        rows, term_ids, weights = rows[kept], term_ids[kept], weights[kept]
        # Each case's TOP_TERMS heaviest terms, ties by the term itself (as sorted strings).
        term_rank = np.argsort(np.argsort(np.array(self.terms, dtype=object))) if self.terms else np.array([])
        order = np.lexsort((term_rank[term_ids] if len(term_ids) else term_ids, -weights, rows))
        rows, term_ids, weights = rows[order], term_ids[order], weights[order]
        starts = np.searchsorted(rows, np.arange(len(documents)))
        top = (np.arange(len(rows)) - starts[rows]) < self.TOP_TERMS
        self.rows, self.term_ids, self.weights = rows[top], term_ids[top], weights[top]
        self.starts = np.searchsorted(self.rows, np.arange(len(documents) + 1))
        self.matrix = sparse.csr_matrix((self.weights, (self.rows, self.term_ids)),
                                        shape=(len(documents), max(1, len(vocabulary))), dtype=np.float64)
        self.transposed = self.matrix.T.tocsr()
        self.id_rank = np.argsort(np.argsort(np.array(self.ids, dtype=object)))
        self.public = np.array([d["classification"] == "公开" for d in documents], dtype=bool)

    def vector(self, row: int) -> list[str]:
        """The case's compared terms, heaviest first."""
        return [self.terms[t] for t in self.term_ids[self.starts[row]:self.starts[row + 1]].tolist()]

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
