"""The SearchDoc of a case page: its scores (or fields), the meta shown with a result, its facets."""

from __future__ import annotations

from generator.siteindex.model import SearchDoc


def case_search_doc(case, scores=None, key=None, fields=None) -> SearchDoc:
    """The SearchDoc of a case page (cases/<id>.html), from its scores or its fields."""
    flags = (["典型案例"] if case.typical else []) + (["可复制可推广"] if case.replicable else [])
    facets = {"category": [case.category], "mechanism": list(case.mechanisms), "year": [str(case.year)],
              "region": [case.region], "unit": list(dict.fromkeys(case.supervised)), "flag": flags,
              "date": int(case.date.strftime("%Y%m%d"))}
    return SearchDoc(location=f"cases/{case.id}.html", title=case.title, text=case.summary, fields=fields or {},
                     scores=scores, key=key, meta=(case.id, case.date.isoformat(), case.region, case.category),
                     facets=facets)


def search_docs_for_cases(cases) -> list[SearchDoc]:
    """SearchDocs for case pages, segmented with the shared tokenizer (tests and benchmarks; the site
    build takes the scores from its analysis cache)."""
    from generator.search.fields import TEXT_FIELDS, case_document
    from generator.search.queryplan import extra_fields
    from generator.text.tokenizer import index_tokens

    docs = []
    for case in cases:
        document = case_document(case)
        fields = {name: tuple(word for _, word, _, _ in index_tokens(document[name])) for name in TEXT_FIELDS}
        fields.update(extra_fields(document))
        docs.append(case_search_doc(case, fields=fields))
    return docs
