"""The held-out judged library (tests/fixtures/heldout, written by someone who never read the code).

- `queries()`: the judged queries; `split()` cuts them into a tuning half and a held-out half,
  deterministically and stratified by style (within a style, ordered by the SHA-1 of the query,
  alternately tuning / held-out). Boosts are tuned on the tuning half only.
- `quality()`: recall@5 and MRR, overall and per style.
- `markdown_page()`: a case as a plain Markdown page, for the plain mkdocs-material anchor site.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

HELDOUT = Path(__file__).resolve().parent / "fixtures" / "heldout"
CASES = HELDOUT / "cases"


def queries() -> list[dict]:
    return yaml.safe_load((HELDOUT / "queries.yaml").read_text("utf-8"))


def similar_pairs() -> list[dict]:
    return yaml.safe_load((HELDOUT / "similar.yaml").read_text("utf-8"))


def split() -> tuple[list[dict], list[dict]]:
    """(tuning, held-out): the judged queries with relevant cases, half of each style in each."""
    by_style: dict[str, list[dict]] = {}
    for item in queries():
        if item.get("relevant"):
            by_style.setdefault(item.get("style", ""), []).append(item)
    tuning, held = [], []
    for style in sorted(by_style):
        ordered = sorted(by_style[style], key=lambda q: hashlib.sha1(q["query"].encode("utf-8")).hexdigest())
        tuning += ordered[0::2]
        held += ordered[1::2]
    return tuning, held


def leak_queries() -> list[dict]:
    """Queries whose best matches are 内部 cases: the public edition must show none of them."""
    return [item for item in queries() if item.get("internal_only")]


def internal_ids() -> set[str]:
    found = set()
    for path in CASES.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        if data.get("classification") == "内部":
            found.add(data["id"])
    return found


def quality(items: list[dict], ranked: dict[str, list[str]]) -> dict:
    """{"recall": r, "mrr": m, "n": n, "styles": {style: {...}}} of ranked ids against items."""

    def score(group: list[dict]) -> dict:
        recalls, reciprocal = [], []
        for item in group:
            top = ranked[item["query"]][:5]
            relevant = item["relevant"]
            recalls.append(len(set(top) & set(relevant)) / len(relevant))
            first = next((rank for rank, case_id in enumerate(top, 1) if case_id in relevant), None)
            reciprocal.append(1 / first if first else 0.0)
        n = max(1, len(group))
        return {"recall": round(sum(recalls) / n, 3), "mrr": round(sum(reciprocal) / n, 3), "n": len(group)}

    result = score(items)
    styles: dict[str, list[dict]] = {}
    for item in items:
        styles.setdefault(item.get("style", ""), []).append(item)
    result["styles"] = {style: score(group) for style, group in sorted(styles.items())}
    return result


def misses(items: list[dict], ranked: dict[str, list[str]]) -> list[str]:
    """Queries whose relevant cases are not all in the top five (for reading, not for asserting)."""
    return [f"{item['query']}: want {item['relevant']}, got {ranked[item['query']][:5]}" for item in items
            if not set(item["relevant"]) <= set(ranked[item["query"]][:5])]


def markdown_page(data: dict) -> str:
    """A case as the Markdown page a plain MkDocs site would have: heading, facts, every text part."""
    def listing(value) -> str:
        return "、".join(str(v) for v in value) if isinstance(value, list) else str(value or "")

    lines = [f"# {data['title']}", ""]
    if data.get("subtitle"):
        lines += [f"**{data['subtitle']}**", ""]
    facts = [("编号", data.get("id")), ("日期", data.get("date")), ("地区", data.get("region")),
             ("监督内容", data.get("category")), ("工作机制", listing(data.get("mechanisms"))),
             ("监督主体", listing(data.get("supervisors"))), ("被监督单位", listing(data.get("supervised"))),
             ("关键词", listing(data.get("keywords")))]
    flags = [label for key, label in (("typical", "典型案例"), ("replicable", "可复制可推广")) if data.get(key)]
    if flags:
        facts.append(("标记", "、".join(flags)))
    lines += [f"- {name}：{value}" for name, value in facts if value] + [""]
    for key, heading in (("summary", "导语"), ("background", "背景"), ("practice", "做法"), ("outcome", "成效"),
                         ("insight", "启示")):
        if data.get(key):
            lines += [f"## {heading}", "", str(data[key]).strip(), ""]
    findings = data.get("findings") or []
    if findings:
        lines += ["## 发现的问题", ""]
        lines += [f"- {f.get('unit', '')}：{f.get('problem', '')}。{f.get('requirement', '')}" for f in findings]
        lines.append("")
    clues = data.get("clues") or []
    if clues:
        lines += ["## 移送线索", ""] + [f"- {c.get('summary', '')}。{c.get('result', '') or ''}" for c in clues] + [""]
    return "\n".join(lines)


def write_anchor_project(root: Path) -> Path:
    """A plain mkdocs-material project of the public held-out cases (default search plugin)."""
    docs = root / "docs"
    (docs / "cases").mkdir(parents=True, exist_ok=True)
    ids = []
    for path in sorted(CASES.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if data.get("classification") == "内部":
            continue
        ids.append(data["id"])
        (docs / "cases" / f"{data['id']}.md").write_text(markdown_page(data), "utf-8")
    (docs / "index.md").write_text("# 案例库\n\n" + "\n".join(f"- [{i}](cases/{i}.md)" for i in ids) + "\n", "utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: 案例库\nuse_directory_urls: false\ntheme:\n  name: material\n  language: zh\n"
        "plugins:\n  - search\nnav:\n  - 首页: index.md\n", "utf-8")
    return root
