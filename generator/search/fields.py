"""What of a case is searchable: its text fields (one list for the Whoosh index and the site index),
their boosts, and the case as a document of those fields and its metadata."""

from __future__ import annotations

import re

from generator.core.model import Case

TEXT_FIELDS = ("title", "subtitle", "keywords", "summary", "body")
FIELD_BOOSTS = {"title": 4.0, "subtitle": 2.5, "keywords": 3.0, "summary": 1.5, "body": 1.0}


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
        "supervisors": ",".join(case.supervisors),
        "classification": case.classification, "typical": case.typical, "replicable": case.replicable,
        "date": case.date.isoformat(),
    }
