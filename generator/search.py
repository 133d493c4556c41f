"""Ranked search and similar cases over a Whoosh index of the library.

The index is rebuildable: it lives in a git-ignored folder (build/index by
default), is updated incrementally by content digest, and is rebuilt with a
message when it is missing, corrupt, or made by another schema or dictionary.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import DATA_DIR
from .files import exclusive, replace_dir
from .model import Case
from .problems import UserError
from .segment import jieba_ready
from .tokens import (
    Pretokenized,
    analyzer,
    index_tokens,
    key_terms,
    normalize,
    query_words,
    set_query_tokenizer,
)

INDEX_FORMAT = 3
META_FILE = "jiandu-index.json"
QUERY_DICT = "query-dict.txt"
TEXT_FIELDS = ("title", "subtitle", "keywords", "summary", "body")
FIELD_BOOSTS = {"title": 4.0, "subtitle": 2.5, "keywords": 3.0, "summary": 1.5, "body": 1.0}
SCOPES = {"title": ("title", "subtitle"), "keywords": ("keywords",), "summary": ("summary",), "body": ("body",)}
SIMILAR_FIELDS = {"title": 3.0, "keywords": 3.0, "summary": 1.5, "body": 1.0}
MP_THRESHOLD = 400  # from this many new documents on, segment and index in two processes
KEY_TERMS_STORED = 40


def _schema():
    from whoosh.fields import BOOLEAN, ID, KEYWORD, STORED, TEXT, Schema

    def text(stored: bool = False):
        return TEXT(analyzer=analyzer(), stored=stored, multitoken_query="and")

    return Schema(
        id=ID(stored=True, unique=True), title=text(stored=True), subtitle=text(), keywords=text(stored=True),
        summary=text(stored=True), body=text(stored=True),
        category=ID(stored=True), mechanism=KEYWORD(commas=True, stored=True), year=ID(stored=True),
        region=ID(stored=True), unit=KEYWORD(commas=True), classification=ID(stored=True),
        typical=BOOLEAN(stored=True), replicable=BOOLEAN(stored=True), date=STORED(), terms=STORED(),
    )


def _plain(markdown_text: str) -> str:
    """Markdown to reading text for snippets: markers dropped, one line per paragraph."""
    text = re.sub(r"^\s*(?:[-*+]|\d+[.、)])\s+", "", markdown_text, flags=re.M)
    text = re.sub(r"[*_`#>]+", "", text)
    return re.sub(r"\n{2,}", "\n", text).strip()


def case_document(case: Case) -> dict:
    findings = "\n".join(f"{f.problem}。{f.requirement}。" for f in case.findings)
    clues = "\n".join(f"{c.summary}。{c.result}" for c in case.clues)
    body = "\n".join(part for part in (_plain(case.background), _plain(case.practice), _plain(case.outcome),
                                        _plain(case.insight), findings, clues) if part)
    return {
        "id": case.id, "title": case.title, "subtitle": case.subtitle, "keywords": " ".join(case.keywords),
        "summary": case.summary, "body": body, "category": case.category, "mechanism": ",".join(case.mechanisms),
        "year": str(case.year), "region": case.region,
        "unit": ",".join(dict.fromkeys(list(case.supervised) + [f.unit for f in case.findings])),
        "classification": case.classification, "typical": case.typical, "replicable": case.replicable,
        "date": case.date.isoformat(),
    }


def prepare(document: dict) -> dict:
    """Segment a document's text fields once: the tokens travel with the text, and the
    weighted key terms for similar cases are stored with the document."""
    prepared = dict(document)
    counts: dict[str, float] = defaultdict(float)
    for name in TEXT_FIELDS:
        tokens = index_tokens(document[name])
        prepared[name] = Pretokenized(document[name], tokens)
        for _, word, _, _ in tokens:
            if name in SIMILAR_FIELDS and key_terms([word]):
                counts[word] += SIMILAR_FIELDS[name]
    prepared["terms"] = dict(sorted(counts.items(), key=lambda item: -item[1])[:KEY_TERMS_STORED])
    return prepared


def _prepare_all(documents: list[dict]) -> list[dict]:
    if len(documents) < MP_THRESHOLD:
        return [prepare(document) for document in documents]
    from multiprocessing import get_context

    with get_context("fork").Pool(2, initializer=jieba_ready) as pool:
        return pool.map(prepare, documents, chunksize=50)


def _digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _dictionary_signature() -> str:
    tokens_source = (Path(__file__).parent / "tokens.py").read_bytes()
    userdict = (DATA_DIR / "userdict.txt").read_bytes()
    return hashlib.sha256(tokens_source + userdict + str(INDEX_FORMAT).encode()).hexdigest()[:16]


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    reason: str = ""
    total: int = 0


# --- building and updating -------------------------------------------------------

def _read_meta(index_dir: Path) -> dict | None:
    try:
        meta = json.loads((index_dir / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _open_existing(index_dir: Path):
    """The index and its digests, or (None, reason) when it must be rebuilt."""
    from whoosh import index as whoosh_index

    if not index_dir.exists():
        return None, {}, ""
    meta = _read_meta(index_dir)
    if meta is None or meta.get("format") != INDEX_FORMAT or not isinstance(meta.get("digests"), dict):
        return None, {}, "索引缺少说明文件或格式版本不同"
    if meta.get("dictionary") != _dictionary_signature():
        return None, {}, "分词词典或分词规则已更新"
    try:
        ix = whoosh_index.open_dir(str(index_dir))
        if set(ix.schema.names()) != set(_schema().names()):
            return None, {}, "索引字段与当前版本不一致"
        with ix.searcher() as searcher:
            if searcher.doc_count() != len(meta["digests"]):
                return None, {}, "索引内容与说明文件不一致"
    except Exception as exc:  # any failure to read means a corrupt index; it is rebuilt
        return None, {}, f"索引无法读取（{type(exc).__name__}）"
    return ix, meta["digests"], ""


def _write_meta(index_dir: Path, digests: dict) -> None:
    meta = {"format": INDEX_FORMAT, "dictionary": _dictionary_signature(), "digests": digests}
    temp = index_dir / (META_FILE + ".tmp")
    temp.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    temp.replace(index_dir / META_FILE)


def _write_query_dictionary(ix, index_dir: Path) -> None:
    """Every indexed word, with jieba's frequency: a small dictionary for fast query segmentation."""
    from .segment import jieba_ready

    freq = jieba_ready().dt.FREQ
    words: set[str] = set()
    with ix.reader() as reader:
        for name in TEXT_FIELDS:
            words.update(term.decode("utf-8") if isinstance(term, bytes) else term for term in reader.lexicon(name))
    lines = [f"{word} {max(freq.get(word, 0), 3)}" for word in sorted(words) if " " not in word]
    temp = index_dir / (QUERY_DICT + ".tmp")
    temp.write_text("\n".join(lines) + "\n", "utf-8")
    temp.replace(index_dir / QUERY_DICT)


def _rebuild(index_dir: Path, documents: dict[str, dict], digests: dict[str, str]) -> None:
    from whoosh import index as whoosh_index

    index_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.tmp-", dir=index_dir.parent))
    try:
        ix = whoosh_index.create_in(str(temp), _schema())
        options = {"procs": 2, "multisegment": True, "limitmb": 128} if len(documents) >= MP_THRESHOLD else {}
        prepared = _prepare_all(list(documents.values()))
        writer = ix.writer(**options)
        for document in prepared:
            writer.add_document(**document)
        writer.commit()
        _write_meta(temp, digests)
        _write_query_dictionary(ix, temp)
        ix.close()
        replace_dir(temp, index_dir)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def update_index(index_dir: Path, cases: Iterable[Case], *, rebuild: bool = False,
                 say: Callable[[str], None] = print) -> IndexReport:
    """Bring the index in line with the cases: only changed cases are re-analysed."""
    from whoosh.writing import LockError

    documents = {case.id: case_document(case) for case in cases}
    digests = {case_id: _digest(document) for case_id, document in documents.items()}
    with exclusive(index_dir.parent / f".{index_dir.name}.lock", say, "另一个进程正在更新索引，等待其完成……"):
        ix, old, reason = (None, {}, "按要求重建") if rebuild else _open_existing(index_dir)
        if ix is None:
            if reason:
                say(f"重建检索索引：{reason}")
            _rebuild(index_dir, documents, digests)
            return IndexReport(added=len(documents), rebuilt=True, reason=reason, total=len(documents))
        changed = [case_id for case_id in documents if old.get(case_id) != digests[case_id]]
        removed = [case_id for case_id in old if case_id not in documents]
        report = IndexReport(added=sum(1 for c in changed if c not in old), updated=sum(1 for c in changed if c in old),
                             removed=len(removed), total=len(documents))
        if changed or removed:
            try:
                writer = ix.writer(timeout=30)
            except LockError:
                raise UserError(f"检索索引 {index_dir} 正被其他程序写入，请稍后再试") from None
            try:
                for case_id in removed:
                    writer.delete_by_term("id", case_id)
                for document in _prepare_all([documents[case_id] for case_id in changed]):
                    writer.update_document(**document)
            except BaseException:
                writer.cancel()  # nothing half-written stays; the lock is released
                raise
            writer.commit()
            _write_meta(index_dir, digests)
            _write_query_dictionary(ix, index_dir)
        ix.close()
        return report


# --- searching -------------------------------------------------------------------------

@dataclass
class Hit:
    rank: int
    id: str
    title: str
    score: float
    year: str
    region: str
    category: str
    snippet: str
    classification: str


@dataclass
class Filters:
    category: str | None = None
    mechanism: str | None = None
    year: int | None = None
    region: str | None = None
    unit: str | None = None
    typical: bool = False
    replicable: bool = False
    public_only: bool = False

    def query(self):
        from whoosh.query import And, Term

        terms = [Term(name, value) for name, value in (
            ("category", self.category), ("mechanism", self.mechanism),
            ("year", str(self.year) if self.year else None), ("region", self.region), ("unit", self.unit)) if value]
        if self.typical:
            terms.append(Term("typical", True))
        if self.replicable:
            terms.append(Term("replicable", True))
        if self.public_only:
            terms.append(Term("classification", "公开"))
        return And(terms) if terms else None


def _use_index_dictionary(index_dir: Path) -> None:
    """Segment queries with the index vocabulary: the full jieba dictionary takes a second to load."""
    import jieba

    from .segment import cache_dir

    path = index_dir / QUERY_DICT
    if not path.is_file():
        set_query_tokenizer(None)
        return
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary=str(path))
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.initialize()
    set_query_tokenizer(tokenizer)


def open_index(index_dir: Path):

    ix, _, reason = _open_existing(index_dir)
    if ix is None:
        raise UserError(f"检索索引不可用（{reason or '尚未建立'}）：请先运行 jiandu index")
    _use_index_dictionary(index_dir)
    return ix


_SENTENCE_END = "。！？；\n"


def _sentences(text: str) -> list[str]:
    sentences, current = [], ""
    for ch in text:
        current += ch
        if ch in _SENTENCE_END:
            sentences.append(current.strip())
            current = ""
    sentences.append(current.strip())
    return [s for s in sentences if s]


def snippet(text: str, words: list[str], top: int = 2, max_chars: int = 160) -> str:
    """The sentences (split on 。！？；) with most query words, in text order, words in 【】.

    Matching is on the normalised text (Traditional → Simplified, full-width →
    half-width), which has the same length as the original, so a Traditional
    query highlights Simplified text and the other way round.
    """
    scored = []
    for order, sentence in enumerate(_sentences(text)):
        normal = normalize(sentence)
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


class SearchSession:
    """An open index and searcher, for several queries in a row (site build, benchmarks, services)."""

    def __init__(self, index_dir: Path):
        self.index = open_index(index_dir)
        self.searcher = self.index.searcher()
        self._parsers: dict = {}
        self._similarity: SimilarityModel | None = None

    def __enter__(self) -> "SearchSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.searcher.close()
        self.index.close()

    def _parser(self, scope: str | None):
        from whoosh.qparser import AndGroup, MultifieldParser

        if scope not in self._parsers:
            fields = list(SCOPES[scope]) if scope else list(TEXT_FIELDS)
            self._parsers[scope] = MultifieldParser(fields, self.index.schema, group=AndGroup,
                                                    fieldboosts={f: FIELD_BOOSTS[f] for f in fields})
        return self._parsers[scope]

    def search(self, text: str, *, filters: Filters | None = None, scope: str | None = None,
               limit: int = 10) -> list[Hit]:
        """BM25F-ranked search; every word of the query must occur (AND)."""
        if scope is not None and scope not in SCOPES:
            raise UserError(f"检索范围“{scope}”无效，可选：{'、'.join(SCOPES)}")
        words = query_words(text)
        if not words:
            raise UserError(f"检索词“{text}”为空或只含标点，请输入要查找的词语")
        # Segment first so that each word may match in any field (AND across words, OR across
        # fields); a quoted phrase goes to the parser as typed.
        query = self._parser(scope).parse(text if '"' in text else " ".join(words))
        marked = [w for w in words if len(w) > 1] or words
        results = self.searcher.search(query, limit=limit, filter=(filters or Filters()).query())
        hits = []
        for rank, hit in enumerate(results, 1):
            text_snippet = snippet(hit["body"], marked) or snippet(hit["summary"], marked) or hit["summary"][:80]
            hits.append(Hit(rank=rank, id=hit["id"], title=hit["title"], score=round(hit.score, 3),
                            year=hit["year"], region=hit["region"], category=hit["category"],
                            snippet=" ".join(text_snippet.split()), classification=hit["classification"]))
        return hits

    def similar(self, case_id: str, limit: int = 5, public_only: bool = False) -> list["Similar"]:
        if self._similarity is None:
            fields = ("id", "title", "classification", "terms")
            self._similarity = SimilarityModel([{name: stored.get(name) for name in fields}
                                                for stored in self.searcher.all_stored_fields()])
        return self._similarity.similar(case_id, limit, public_only)


def search(index_dir: Path, text: str, *, filters: Filters | None = None, scope: str | None = None,
           limit: int = 10) -> list[Hit]:
    with SearchSession(index_dir) as session:
        return session.search(text, filters=filters, scope=scope, limit=limit)


# --- similar cases ----------------------------------------------------------------------

@dataclass
class Similar:
    id: str
    title: str
    score: float
    shared: list[str] = field(default_factory=list)
    classification: str = ""


class SimilarityModel:
    """Similar cases from the key terms stored with every document, compared in memory.

    Weights are tf·idf over the stored key terms; each case keeps its 20 heaviest
    terms. Terms found in more than a tenth of the library (at least 50 cases)
    are left out of the candidate lists: they say little, and they would make
    every case a candidate of every other (quadratic work on large libraries).
    """

    TOP_TERMS = 20

    def __init__(self, documents: list[dict]):
        self.info = {d["id"]: (d["title"], d["classification"]) for d in documents}
        count = max(1, len(documents))
        frequency: dict[str, int] = defaultdict(int)
        for document in documents:
            for term in document.get("terms") or {}:
                frequency[term] += 1
        cap = max(50, count // 10)
        self.vectors: dict[str, dict[str, float]] = {}
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for document in documents:
            weights = {term: n * (math.log(count / frequency[term]) + 1)
                       for term, n in (document.get("terms") or {}).items()}
            top = dict(sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:self.TOP_TERMS])
            self.vectors[document["id"]] = top
            for term, weight in top.items():
                if frequency[term] <= cap:
                    self.postings[term].append((document["id"], weight))

    def similar(self, case_id: str, limit: int = 5, public_only: bool = False) -> list["Similar"]:
        if case_id not in self.vectors:
            raise UserError(f"案例 {case_id} 不在检索索引中（编号是否正确？必要时运行 jiandu index）")
        scores: dict[str, float] = defaultdict(float)
        shared: dict[str, list[str]] = defaultdict(list)
        source = self.vectors[case_id]
        for term, weight in source.items():
            for other, other_weight in self.postings.get(term, ()):
                if other != case_id and (not public_only or self.info[other][1] == "公开"):
                    scores[other] += weight * other_weight
                    shared[other].append(term)
        ranked = sorted(scores, key=lambda other: (-scores[other], other))[:limit]
        found = []
        for other in ranked:
            common = shared[other]
            terms = [t for t in common if not any(t != longer and t in longer for longer in common)][:5]
            title, classification = self.info[other]
            found.append(Similar(id=other, title=title, score=round(scores[other], 3), shared=terms,
                                 classification=classification))
        return found


def similar(index_dir: Path, case_id: str, limit: int = 5) -> list[Similar]:
    with SearchSession(index_dir) as session:
        return session.similar(case_id, limit)


def similar_for_all(index_dir: Path, case_ids: Iterable[str], limit: int = 5,
                    public_only: bool = False) -> dict[str, list[Similar]]:
    with SearchSession(index_dir) as session:
        return {case_id: session.similar(case_id, limit, public_only) for case_id in case_ids}
