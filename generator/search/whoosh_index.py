"""Ranked search and similar cases over a Whoosh index of the library (`jiandu index`, `jiandu search`).

The index is rebuildable: it lives in a git-ignored folder (build/index by
default), is updated incrementally by content digest, and is rebuilt with a
message when it is missing, corrupt, or made by another schema or dictionary.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from generator.infra.files import exclusive, replace_dir, write_file
from generator.core.model import Case
from generator.core.problems import UserError
from generator.text.segment_cache import SegmentCache, dictionary_signature
from generator.search.fields import FIELD_BOOSTS, TEXT_FIELDS, case_document
from generator.search.whoosh_analyzer import Pretokenized, analyzer
from generator.siteindex.scoring import pack_score_text
from generator.search.similarity import Similar, SimilarityModel, key_term_weights
from generator.search.snippets import snippet
from generator.text.tokenizer import is_word, normalize, query_words

INDEX_FORMAT = 5              # 5: the schema's tokenizer moved to search/whoosh_analyzer.py
META_FILE = "jiandu-index.json"
QUERY_DICT = "query-dict.txt"
SCOPES = {"title": ("title", "subtitle"), "keywords": ("keywords",), "summary": ("summary",), "body": ("body",)}
MP_THRESHOLD = 400  # from this many new documents on, segment and index in two processes
PLAN_DIR = "plan"             # the planner's index (siteindex format) inside the index folder
PLAN_SCORES = "_plan_scores"  # a prepared document's packed planner scores (not a Whoosh field)


# Text fields whose words are shown with a hit (title, snippet); every other text field is indexed only.
_STORED_TEXT = {"title", "keywords", "summary", "body"}


def _schema():
    """The Whoosh schema: every text field of search/fields.py, analysed by the shared tokenizer, and the metadata."""
    from whoosh.fields import BOOLEAN, ID, KEYWORD, STORED, TEXT, Schema

    text = {name: TEXT(analyzer=analyzer(), stored=name in _STORED_TEXT, multitoken_query="and") for name in TEXT_FIELDS}
    return Schema(
        id=ID(stored=True, unique=True), **text,
        category=ID(stored=True), mechanism=KEYWORD(commas=True, stored=True), year=ID(stored=True),
        region=ID(stored=True), unit=KEYWORD(commas=True), classification=ID(stored=True),
        typical=BOOLEAN(stored=True), replicable=BOOLEAN(stored=True), date=STORED(), terms=STORED(),
        supervisors=KEYWORD(commas=True, stored=True),
    )


def prepare(document: dict, tokens_by_field: dict[str, tuple], known=None) -> dict:
    """A document with its text fields carrying their tokens (segmented once, see segments.py).

    known: the case's analysis.CaseAnalysis (the site build's cache), whose key terms and planner scores
    are these same numbers, so they are not computed again."""
    prepared = dict(document)
    for name in TEXT_FIELDS:
        prepared[name] = Pretokenized(document[name], tokens_by_field[name])
    if known is not None:
        prepared["terms"], prepared[PLAN_SCORES] = dict(known.terms), known.packed_scores
    else:
        prepared["terms"] = key_term_weights(tokens_by_field, document)
        prepared[PLAN_SCORES] = pack_score_text(plan_scores(document, tokens_by_field))
    return prepared


def plan_scores(document: dict, tokens_by_field: dict[str, tuple]) -> dict[str, int]:
    """The query planner's term scores of a case: the same numbers as the site index's."""
    from generator.search.queryplan import extra_fields
    from generator.siteindex.scoring import field_scores

    fields = {name: tuple(word for _, word, _, _ in tokens_by_field[name]) for name in TEXT_FIELDS}
    fields.update(extra_fields(document))
    return field_scores(fields)


def iter_tokens(documents: list[dict], segments: SegmentCache, batch: int = 500):
    """(document, its tokens by field), a batch at a time: all tokens of a large library would not fit in memory."""
    segments.ensure(document[name] for document in documents for name in TEXT_FIELDS)
    width = len(TEXT_FIELDS)
    for start in range(0, len(documents), batch):
        chunk = documents[start:start + batch]
        tokens = segments.tokens(document[name] for document in chunk for name in TEXT_FIELDS)
        for index, document in enumerate(chunk):
            yield document, dict(zip(TEXT_FIELDS, tokens[index * width:(index + 1) * width]))


def _prepare_all(documents: list[dict], segments: SegmentCache, analysis: Mapping | None = None):
    analysis = analysis or {}
    return (prepare(document, tokens, analysis.get(document["id"]))
            for document, tokens in iter_tokens(documents, segments))


def _document_digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _dictionary_signature() -> str:
    return f"{dictionary_signature()}-{INDEX_FORMAT}"


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
    if not (index_dir / PLAN_DIR / "search" / "jiandu" / "manifest.js").is_file():
        return None, {}, "索引缺少排序数据"
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
    write_file(index_dir / META_FILE, json.dumps(meta, ensure_ascii=False).encode("utf-8"), durable=False)


def _write_query_dictionary(ix, index_dir: Path) -> None:
    """Every indexed word, with jieba's frequency: a small dictionary for fast query segmentation."""
    from generator.text.dictionary import jieba_ready

    freq = jieba_ready().dt.FREQ
    words: set[str] = set()
    with ix.reader() as reader:
        for name in TEXT_FIELDS:
            words.update(term.decode("utf-8") if isinstance(term, bytes) else term for term in reader.lexicon(name))
    lines = [f"{word} {max(freq.get(word, 0), 3)}" for word in sorted(words) if " " not in word]
    write_file(index_dir / QUERY_DICT, ("\n".join(lines) + "\n").encode("utf-8"), durable=False)


def _unpacked_later(packed: str):
    """Packed planner scores, unpacked only when the plan index reads them."""
    from generator.siteindex.scoring import LazyScores

    return LazyScores(packed)


class _DeferredScores(Mapping):
    """An unchanged case's planner scores: computed only if the plan index has to be rebuilt whole."""

    def __init__(self, document: dict, segments: SegmentCache):
        self._document, self._segments, self._scores = document, segments, None

    def _computed(self) -> dict[str, int]:
        if self._scores is None:
            (_, tokens), = iter_tokens([self._document], self._segments)
            self._scores = plan_scores(self._document, tokens)
        return self._scores

    def items(self):
        return self._computed().items()

    def __getitem__(self, term: str) -> int:
        return self._computed()[term]

    def __iter__(self):
        return iter(self._computed())

    def __len__(self) -> int:
        return len(self._computed())


def _plan_doc(document: dict, scores, digests: dict[str, str]):
    from generator.siteindex.model import SearchDoc

    return SearchDoc(location=f"cases/{document['id']}.html", title=document["title"], text="", fields={},
                     scores=scores, key=f"{digests[document['id']]}-{_plan_signature()}")


@lru_cache(maxsize=1)
def _plan_signature() -> str:
    """Changes whenever a case's planner scores could: the dictionary, the tokenizer, the scoring code."""
    from generator.infra.cachekey import code_key
    from generator.siteindex import source_files

    modules = [f"generator.{name[:-3].replace('/', '.')}".removesuffix(".__init__") for name in source_files()]
    return code_key("generator.search.queryplan", "generator.search.fields", *modules, extra=_dictionary_signature())[:16]


def _write_plan(index_dir: Path, docs: list) -> None:
    """The planner's index of the cases, in the site index's format: `jiandu search` ranks as the site does."""
    from generator.siteindex.writer import write_site_search

    plan = index_dir / PLAN_DIR
    write_site_search(plan / "search", docs, state_dir=plan / "state")


def _rebuild_index(index_dir: Path, documents: dict[str, dict], digests: dict[str, str], segments: SegmentCache,
             analysis: Mapping | None = None) -> None:
    from whoosh import index as whoosh_index

    index_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.tmp-", dir=index_dir.parent))
    try:
        ix = whoosh_index.create_in(str(temp), _schema())
        options = {"procs": 2, "multisegment": True, "limitmb": 128} if len(documents) >= MP_THRESHOLD else {}
        prepared = _prepare_all(list(documents.values()), segments, analysis)
        writer = ix.writer(**options)
        plan_docs = []
        for document in prepared:
            plan_docs.append(_plan_doc(document, _unpacked_later(document.pop(PLAN_SCORES)), digests))
            writer.add_document(**document)
        writer.commit()
        _write_plan(temp, plan_docs)
        _write_meta(temp, digests)
        _write_query_dictionary(ix, temp)
        ix.close()
        replace_dir(temp, index_dir)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def update_index(index_dir: Path, cases: Iterable[Case], *, rebuild: bool = False,
                 say: Callable[[str], None] = print, segments: SegmentCache | None = None,
                 only_if_current: bool = False, analysis: Mapping | None = None) -> IndexReport:
    """Bring the index in line with the cases: only changed cases are re-analysed.

    Segmentation comes from `segments` (the project's segment cache: a site build
    has usually segmented every text already); without it texts are segmented here.
    With only_if_current, an index that would have to be rebuilt is removed instead
    (the report says why): the site build leaves full rebuilds to `jiandu index`.
    analysis: case id → analysis.CaseAnalysis of these cases (key terms and planner scores already computed).
    """
    segments = segments or SegmentCache(None)
    documents = {case.id: case_document(case) for case in cases}
    digests = {case_id: _document_digest(document) for case_id, document in documents.items()}
    with exclusive(index_dir.parent / f".{index_dir.name}.lock", say, "另一个进程正在更新索引，等待其完成……"):
        ix, old, reason = (None, {}, "按要求重建") if rebuild else _open_existing(index_dir)
        if ix is None and only_if_current:
            shutil.rmtree(index_dir, ignore_errors=True)
            return IndexReport(reason=reason or "索引不存在", total=len(documents))
        if ix is None:
            if reason:
                say(f"重建检索索引：{reason}")
            _rebuild_index(index_dir, documents, digests, segments, analysis)
            return IndexReport(added=len(documents), rebuilt=True, reason=reason, total=len(documents))
        changed = [case_id for case_id in documents if old.get(case_id) != digests[case_id]]
        removed = [case_id for case_id in old if case_id not in documents]
        if changed or removed:
            _apply_changes(ix, index_dir, documents, digests, changed, removed, segments, analysis)
        ix.close()
        return IndexReport(added=sum(1 for c in changed if c not in old), updated=sum(1 for c in changed if c in old),
                           removed=len(removed), total=len(documents))


def _apply_changes(ix, index_dir: Path, documents: dict, digests: dict, changed: list, removed: list,
                   segments: SegmentCache, analysis: Mapping | None) -> None:
    """Delete the removed cases, re-add the changed ones in one Whoosh commit, then the plan index and meta."""
    from whoosh.writing import LockError

    try:
        writer = ix.writer(timeout=30)
    except LockError:
        raise UserError(f"检索索引 {index_dir} 正被其他程序写入，请稍后再试") from None
    fresh = {}
    try:
        for case_id in removed:
            writer.delete_by_term("id", case_id)
        for document in _prepare_all([documents[case_id] for case_id in changed], segments, analysis):
            fresh[document["id"]] = _unpacked_later(document.pop(PLAN_SCORES))
            writer.update_document(**document)
    except BaseException:
        writer.cancel()  # nothing half-written stays; the lock is released
        raise
    (index_dir / META_FILE).unlink(missing_ok=True)  # until the plan index matches (a crash: rebuild)
    writer.commit()
    _write_plan(index_dir, [_plan_doc(document, fresh.get(case_id) or _DeferredScores(document, segments), digests)
                            for case_id, document in documents.items()])
    _write_meta(index_dir, digests)
    _write_query_dictionary(ix, index_dir)


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
    date: str = ""
    missing: list[str] = field(default_factory=list)   # query words this case lacks (soft matching)


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


def _index_dictionary(index_dir: Path):
    """A jieba.Tokenizer over the index vocabulary (None without one): the full jieba dictionary takes a second to load."""
    from generator.text.dictionary import cache_dir, import_jieba

    jieba = import_jieba()
    path = index_dir / QUERY_DICT
    if not path.is_file():
        return None
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary=str(path))
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.initialize()
    return tokenizer


def open_index(index_dir: Path):

    ix, _, reason = _open_existing(index_dir)
    if ix is None:
        raise UserError(f"检索索引不可用（{reason or '尚未建立'}）：请先运行 jiandu index")
    return ix


class SearchSession:
    """An open index and searcher, for several queries in a row (site build, benchmarks, services)."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self.index = open_index(index_dir)
        self._dictionary = False  # not loaded yet
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
               limit: int = 10, synonyms: dict[str, list[str]] | None = None) -> list[Hit]:
        """Ranked by the query planner (queryplan.py), as the site search ranks: soft matching,
        synonyms, metadata. With a scope, every word must occur in that part (BM25F, AND)."""
        if scope is not None and scope not in SCOPES:
            raise UserError(f"检索范围“{scope}”无效，可选：{'、'.join(SCOPES)}")
        if not is_word(text):
            raise UserError(f"检索词“{text}”为空或只含标点，请输入要查找的词语")
        if scope is not None:
            return self._scoped(text, filters, scope, limit)
        from generator.search.queryplan import marks, parse, rank

        source = self.plan_source()
        words = parse(normalize(text), source, synonyms if synonyms is not None else load_default_synonyms())
        if not words:
            raise UserError(f"检索词“{text}”只含虚词，请输入要查找的词语")
        filter_query = (filters or Filters()).query()
        allowed = None
        if filter_query is not None:
            numbers = self._plan_numbers()
            allowed = {numbers[f"cases/{self.searcher.stored_fields(docnum)['id']}.html"]
                       for docnum in self.searcher.docs_for_query(filter_query)}
        marked = marks(words)
        hits = []
        for position, found in enumerate(rank(words, source, allowed)[:limit], 1):
            location = source.row(found.doc)[0]
            stored = self.searcher.stored_fields(self.searcher.document_number(id=location[len("cases/"):-5]))
            hits.append(self._hit(position, stored, found.score / 10000, marked, found.missing))
        return hits

    def plan_source(self):
        """The planner's index as a queryplan.Source; fresh per query (shards are read for the query)."""
        from generator.siteindex.query import ShardSource
        from generator.siteindex.shards import INDEX_DIR

        return ShardSource.in_folder(self.index_dir / PLAN_DIR / "search" / INDEX_DIR)

    def _plan_numbers(self) -> dict[str, int]:
        """Case page location → its number in the planner's index (from the plan index's build state)."""
        state = json.loads((self.index_dir / PLAN_DIR / "state" / "state.json").read_text("utf-8"))
        return {location: entry[0] for location, entry in state["docs"].items()}

    @staticmethod
    def _hit(rank: int, stored: dict, score: float, marked: list[str], missing: list[str]) -> Hit:
        text_snippet = snippet(stored["body"], marked) or snippet(stored["summary"], marked) or stored["summary"][:80]
        return Hit(rank=rank, id=stored["id"], title=stored["title"], score=round(score, 3), year=stored["year"],
                   region=stored["region"], category=stored["category"], snippet=" ".join(text_snippet.split()),
                   classification=stored["classification"], date=stored.get("date", ""), missing=missing)

    def _scoped(self, text: str, filters: Filters | None, scope: str, limit: int) -> list[Hit]:
        words = query_words(text, self._query_dictionary())
        if not words:
            raise UserError(f"检索词“{text}”为空或只含标点，请输入要查找的词语")
        # Segment first so that each word may match in any field of the scope; a quoted phrase goes as typed.
        query = self._parser(scope).parse(text if '"' in text else " ".join(words))
        marked = [w for w in words if len(w) > 1] or words
        results = self.searcher.search(query, limit=limit, filter=(filters or Filters()).query())
        return [self._hit(position, hit.fields(), hit.score, marked, []) for position, hit in enumerate(results, 1)]

    def _query_dictionary(self):
        """The index vocabulary as this session's segmenter, also handed to the analysers of its own schema
        (Whoosh's query parser and highlighting segment through them)."""
        if self._dictionary is False:
            self._dictionary = _index_dictionary(self.index_dir)
            for name in TEXT_FIELDS:
                self.index.schema[name].analyzer.dictionary = self._dictionary
        return self._dictionary

    def similar(self, case_id: str, limit: int = 5, public_only: bool = False) -> list["Similar"]:
        if self._similarity is None:
            fields = ("id", "title", "classification", "terms")
            self._similarity = SimilarityModel([{name: stored.get(name) for name in fields}
                                                for stored in self.searcher.all_stored_fields()])
        return self._similarity.similar_to(case_id, limit, public_only)


def search(index_dir: Path, text: str, *, filters: Filters | None = None, scope: str | None = None,
           limit: int = 10, synonyms: dict[str, list[str]] | None = None) -> list[Hit]:
    with SearchSession(index_dir) as session:
        return session.search(text, filters=filters, scope=scope, limit=limit, synonyms=synonyms)


def load_default_synonyms() -> dict[str, list[str]]:
    from generator.search.queryplan import load_synonyms

    return load_synonyms()


def similar(index_dir: Path, case_id: str, limit: int = 5) -> list[Similar]:
    with SearchSession(index_dir) as session:
        return session.similar(case_id, limit)
