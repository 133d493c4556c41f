"""Stage 4 — render site pages: validated cases → the HTML body of every generated page.

Each page is a `Page`: its path in the site, title, body HTML and table of
contents. frames.py puts the body into the theme's page frame; MkDocs never
sees the thousands of case pages (rendering each through the theme and
Markdown cost about 6 ms a page).

Every value that comes from a case file goes through safetext (escape or the
safe Markdown renderer), so case text can never inject markup into the site.
Case pages and per-value browse pages are not in the nav: the nav stays small
however large the library grows.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from datetime import date
from hashlib import sha1
from pathlib import PurePosixPath
from typing import Callable, Iterable
from urllib.parse import quote

from generator.text.chinese import cn_date, cn_number
from generator.site.charts import bar_chart
from generator.core.enrich import BLUE, RED, YELLOW, clue_states, open_by_unit, finding_states
from generator.core.model import Case, Finding
from generator.core.stats import compute, percent
from generator.text.safetext import escape, markdown_to_html
from generator.core.taxonomy import Taxonomy

LATEST_MARKER = "<!-- jiandu:latest -->"


@dataclass(frozen=True)
class Page:
    path: str                              # in the site, e.g. "cases/CZ-2025-001.html"
    title: str                             # plain text
    body: str                              # safe HTML
    toc: tuple[tuple[str, str], ...] = ()  # (anchor, plain heading text) of each h2


@dataclass(frozen=True)
class PagePlan:
    """A page not rendered yet: `inputs` is everything it shows (its key in the build state), `make` renders it
    from exactly those inputs, so an unchanged key means an unchanged page."""

    path: str
    title: str
    has_toc: bool
    inputs: tuple
    make: Callable[[], Page]


# The texts only a case's own page shows: no listing, browse, ledger, clue, compilation or home page reads them.
PAGE_ONLY_FIELDS = frozenset({"subtitle", "summary", "background", "practice", "outcome", "insight"})
_LISTED_FIELDS = tuple(item.name for item in fields(Case) if item.name not in PAGE_ONLY_FIELDS)


def listed_fields(case: Case) -> tuple:
    """Everything of a case the pages other than its own can show (every field but PAGE_ONLY_FIELDS; a new
    field counts unless it is added there): a build plans those pages again only when this changes."""
    return tuple(getattr(case, name) for name in _LISTED_FIELDS)


def planned(page: Page) -> PagePlan:
    """A page already rendered, as a plan (its inputs are the page itself)."""
    return PagePlan(page.path, page.title, bool(page.toc), (page,), lambda: page)


def heading(text: str, anchor: str, level: int = 2) -> str:
    return f'<h{level} id="{anchor}">{escape(text)}</h{level}>\n'


def toc_of(body: str) -> tuple[tuple[str, str], ...]:
    """The h2 headings of a body made with heading()."""
    return tuple((anchor, _unescape(text)) for anchor, text in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', body))


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    values: Callable[[Case], Iterable[str]]


DIMENSIONS = (
    Dimension("area", "监督内容", lambda c: [c.category]),
    Dimension("mechanism", "工作机制", lambda c: c.mechanisms),
    Dimension("year", "年份", lambda c: [str(c.year)]),
    Dimension("region", "地区", lambda c: [c.region]),
    Dimension("unit", "被监督单位", lambda c: c.supervised),
    Dimension("keyword", "关键词", lambda c: c.keywords),
    Dimension("statute", "法律依据", lambda c: list(dict.fromkeys(statute_name(item) for item in c.legal_basis))),
)

_STATUTE_RE = re.compile(r"《[^《》]{1,80}》")


def statute_name(citation: str) -> str:
    """The law or document a 法律依据 entry cites: its first 《…》 title (articles are cited under it), else the entry."""
    found = _STATUTE_RE.search(citation)
    return found.group(0) if found else citation.strip()


def slug(value: str) -> str:
    """A file name for a browse value: the value itself when safe, else a short hash."""
    # Lower case only: AI and ai would be one file on a case-insensitive file system.
    if re.fullmatch(r"[\w·（）()-]{1,40}", value) and not value.startswith(".") and value.lower() != "index" \
            and value == value.lower():
        return value
    return "v-" + sha1(value.encode("utf-8")).hexdigest()[:10]


def case_href(case_id: str, from_dir: str) -> str:
    return _relative(f"cases/{case_id}.html", from_dir)


def browse_href(dimension: str, value: str, from_dir: str) -> str:
    return _relative(f"browse/{dimension}/{quote(slug(value))}.html", from_dir)


def _relative(target: str, from_dir: str) -> str:
    depth = len([part for part in from_dir.split("/") if part])
    return "../" * depth + target


# --- case page ---------------------------------------------------------------

def _links(dimension: str, values: Iterable[str], from_dir: str) -> str:
    return "、".join(f'<a href="{browse_href(dimension, v, from_dir)}">{escape(v)}</a>' for v in values)


def _meta_table(case: Case) -> str:
    here = "cases"
    badges = []
    if case.typical:
        badges.append('<span class="jiandu-badge jiandu-typical">典型案例</span>')
    if case.replicable:
        badges.append('<span class="jiandu-badge jiandu-replicable">可复制可推广</span>')
    badges.append(f'<span class="jiandu-badge jiandu-class-{ "public" if case.is_public else "internal"}">'
                  f'{escape(case.classification)}</span>')
    rows = [
        ("案例编号", escape(case.id)),
        ("监督日期", cn_date(case.date)),
        ("地区", _links("region", [case.region], here)),
        ("监督内容", _links("area", [case.category], here)),
        ("工作机制", _links("mechanism", case.mechanisms, here)),
        ("监督主体", "、".join(escape(s) for s in case.supervisors)),
        ("被监督单位", _links("unit", case.supervised, here)),
        ("标识", " ".join(badges)),
    ]
    if case.keywords:
        rows.append(("关键词", _links("keyword", case.keywords, here)))
    body = "\n".join(f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' for label, value in rows)
    return f'<table class="jiandu-meta" data-jiandu-case="{escape(case.id)}">\n<tbody>\n{body}\n</tbody>\n</table>'


def _section(title: str, anchor: str, text: str) -> str:
    if not text:
        return ""
    return heading(title, anchor) + f'<div class="jiandu-text">\n{markdown_to_html(text)}\n</div>\n'



def _status_cell(finding: Finding, as_of: date) -> str:
    label = escape(finding.status)
    if finding.is_overdue(as_of):
        days = (as_of - finding.deadline).days
        return f'{label} <span class="jiandu-badge jiandu-overdue">超期 {days} 天</span>'
    if finding.closed_on:
        return f"{label}（{cn_date(finding.closed_on)}）"
    return label


def _html_table(css_class: str, headers: list[str], rows: list[list[str]], row_attributes: list[str] = (),
                table_attributes: str = "") -> str:
    """A table of cells that are already safe HTML; each cell carries its column's name (a card on a phone)."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    attributes = list(row_attributes) or [""] * len(rows)
    body = "\n".join(f"<tr{extra}>" + "".join(f'<td data-label="{h}">{cell}</td>' for h, cell in zip(headers, row)) + "</tr>"
                     for row, extra in zip(rows, attributes))
    return (f'<table class="{css_class}"{table_attributes}>\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}\n</tbody>\n</table>\n")


def _findings_table(case: Case, as_of: date) -> str:
    if not case.findings:
        return ""
    rows = [[escape(f.id), escape(f.problem), escape(f.unit), escape(f.requirement), cn_date(f.deadline),
             _status_cell(f, as_of)] for f in case.findings]
    return heading("发现问题与整改", "findings") + _html_table(
        "jiandu-findings", ["编号", "问题", "责任单位", "整改要求", "整改期限", "状态"], rows)


def _findings_summary(case: Case, as_of: date) -> str:
    """The public edition's default: totals only, no unit and no overdue list."""
    if not case.findings:
        return ""
    by_status: dict[str, int] = {}
    for finding in case.findings:
        by_status[finding.status] = by_status.get(finding.status, 0) + 1
    counts = "，".join(f"{status} {count} 个" for status, count in by_status.items())
    return heading("发现问题与整改", "findings") + f'<p class="jiandu-findings-total">发现问题 {len(case.findings)} 个：{counts}。</p>\n'


def _policy_note(edition) -> str:
    note = edition.policy_note() if edition is not None else ""
    return f'<p class="jiandu-policy">{escape(note)}</p>\n' if note else ""


def _clue_status(clue) -> str:
    return escape(clue.status) + (f"（{cn_date(clue.closed_on)}）" if clue.closed_on else "")


def _clues_table(case: Case) -> str:
    if not case.clues:
        return ""
    rows = [[escape(c.id), cn_date(c.date), f"{escape(c.sender)} → {escape(c.receiver)}", escape(c.summary),
             _clue_status(c), escape(c.result)] for c in case.clues]
    return heading("线索移送", "clues") + _html_table(
        "jiandu-clues", ["编号", "移送日期", "移送 → 接收", "线索内容", "状态", "办理结果"], rows)


def _figures_table(case: Case) -> str:
    if not case.figures:
        return ""
    cells = "\n".join(f"<tr><th>{escape(name)}</th><td>{number}</td></tr>" for name, number in case.figures.items())
    return heading("统计数字", "figures") + f"<table class=\"jiandu-figures\">\n<tbody>\n{cells}\n</tbody>\n</table>\n"


def _legal_basis(case: Case) -> str:
    if not case.legal_basis:
        return ""
    items = "\n".join(_citation(item) for item in case.legal_basis)
    return heading("法律政策依据", "legal-basis") + f"<ul class=\"jiandu-legal\">\n{items}\n</ul>\n"


def _citation(item: str) -> str:
    """A 法律依据 entry: the cited law links to its page, which lists every case citing it."""
    name = statute_name(item)
    link = f'<a href="{browse_href("statute", name, "cases")}">{escape(name)}</a>'
    start = item.find(name)
    if start < 0:
        return f"<li>{link}</li>"
    return f"<li>{escape(item[:start])}{link}{escape(item[start + len(name):])}</li>"


def _similar_list(similar) -> str:
    if not similar:
        return ""
    items = "\n".join(
        f'<li><a href="{case_href(s.id, "cases")}">{escape(s.title)}</a>'
        f'<span class="jiandu-shared">共同关键词：{"、".join(escape(t) for t in s.shared)}</span></li>'
        for s in similar)
    return heading("相似案例", "similar") + f'<ul class="jiandu-similar">\n{items}\n</ul>\n'


def _issued_documents(entries, files: dict[str, str] | None = None) -> str:
    """Issued documents; a 文号 links to the file itself when the edition carries it (files: 文号 → site path)."""
    if not entries:
        return ""
    files = files or {}

    def number(entry) -> str:
        path = files.get(entry.doc_number)
        if not path:
            return escape(entry.doc_number)
        return f'<a href="{_relative(quote(path), "cases")}" download>{escape(entry.doc_number)}</a>'

    rows = [[number(e), escape(e.kind), cn_date(date.fromisoformat(e.date)), escape(e.addressee)]
            for e in entries]
    return heading("已印发文书", "issued") + _html_table("jiandu-issued", ["文号", "文种", "成文日期", "主送"], rows)


PRINT_BUTTON = ('<div class="jiandu-actions"><button type="button" class="md-button" data-jiandu-print hidden>'
                '打印 / 另存为 PDF</button></div>\n')


def case_page(case: Case, as_of: date, similar=(), issued=(), issued_files: dict[str, str] | None = None,
              edition=None) -> Page:
    parts = []
    if case.subtitle:
        parts.append(f'<p class="jiandu-subtitle">{escape(case.subtitle)}</p>\n')
    parts.append('<div class="admonition abstract jiandu-summary">\n<p class="admonition-title">导语</p>\n'
                 f"<p>{escape(case.summary)}</p>\n</div>\n")
    parts.append(PRINT_BUTTON)
    parts.append(_meta_table(case) + "\n")
    parts.append(_section("基本情况", "background", case.background))
    parts.append(_section("主要做法", "practice", case.practice))
    parts.append(_section("工作成效", "outcome", case.outcome))
    parts.append(_section("经验启示", "insight", case.insight))
    parts.append(_figures_table(case))
    details = edition is None or edition.finding_details
    parts.append(_findings_table(case, as_of) if details else _findings_summary(case, as_of))
    parts.append(_clues_table(case))
    if case.findings or case.clues:
        parts.append(_policy_note(edition))
    parts.append(_legal_basis(case))
    parts.append(_issued_documents(issued, issued_files))
    parts.append(_similar_list(similar))
    body = "\n".join(part for part in parts if part)
    return Page(f"cases/{case.id}.html", case.title, body, toc_of(body))


# --- lists and browse pages -----------------------------------------------------

_LIST_HEAD = ('<table class="jiandu-list" data-jiandu-sort="desc">\n<thead><tr><th scope="col">编号</th><th scope="col">标题</th>'
              '<th scope="col">日期</th><th scope="col">地区</th><th scope="col">监督内容</th></tr></thead>\n')
_TYPICAL_BADGE = ' <span class="jiandu-badge jiandu-typical">典型</span>'
PAGE_SIZE = 100  # rows of a listing page: a 10,000-case library stays at small pages


Row = tuple  # (id, title, date, typical, region, category): all a listing shows of a case


def list_row(case: Case) -> Row:
    return (case.id, case.title, case.date, case.typical, case.region, case.category)


def _list_row(row: Row, prefix: str) -> str:
    case_id, title, day, typical, region, category = row
    return (f'<tr data-date="{day.isoformat()}" data-key="{escape(case_id)}"><td data-label="编号">{escape(case_id)}</td>'
            f'<td data-label="标题"><a href="{prefix}cases/{case_id}.html">{escape(title)}</a>'
            f'{_TYPICAL_BADGE if typical else ""}</td><td data-label="日期">{cn_date(day)}</td>'
            f'<td data-label="地区">{escape(region)}</td><td data-label="监督内容">{escape(category)}</td></tr>')


def case_list(cases: list[Case], from_dir: str, sortable: bool = True) -> str:
    """A table of cases; a sortable one gets the date-order buttons (jiandu-site.js)."""
    return rows_table([list_row(case) for case in cases], from_dir, sortable)


def rows_table(rows: list[Row], from_dir: str, sortable: bool = True) -> str:
    if not rows:
        return "<p>暂无案例。</p>\n"
    prefix = _relative("", from_dir)
    head = _LIST_HEAD if sortable else _LIST_HEAD.replace(' data-jiandu-sort="desc"', "", 1)
    return head + "<tbody>\n" + "\n".join(_list_row(row, prefix) for row in rows) + "\n</tbody>\n</table>\n"


def group_by(cases: list[Case], dimension: Dimension) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        for value in dimension.values(case):
            groups[value].append(case)
    return groups


def ordered_values(dimension: Dimension, groups: dict[str, list[Case]], taxonomy: Taxonomy) -> list[str]:
    if dimension.key == "area":
        order = [v for v in taxonomy.categories if v in groups]
    elif dimension.key == "mechanism":
        order = [v for v in taxonomy.mechanisms if v in groups]
    elif dimension.key == "year":
        order = sorted(groups, reverse=True)
    else:
        order = sorted(groups, key=lambda v: (-len(groups[v]), v))
    return order + sorted(v for v in groups if v not in order)


CLOUD_DIMENSIONS = ("keyword", "unit")  # many short values, most used once: a cloud sized by use


def _size_class(count: int, most: int) -> int:
    """1–4: how large a value is drawn in a cloud, by its share of the most used value."""
    if count <= 1:
        return 1
    share = count / max(most, 1)
    return 4 if share > 0.66 else 3 if share > 0.33 else 2


def value_cloud(dimension: Dimension, groups: dict[str, list[Case]], values: list[str], from_dir: str,
                counts: bool = True) -> str:
    most = max((len(groups[v]) for v in values), default=1)
    items = "\n".join(
        f'<li><a class="jiandu-size-{_size_class(len(groups[v]), most)}" href="{browse_href(dimension.key, v, from_dir)}">'
        f'{escape(v)}</a>' + (f' <span class="jiandu-count">{len(groups[v])} 件</span>' if counts else "") + "</li>"
        for v in values)
    return f'<ul class="jiandu-cloud">\n{items}\n</ul>\n'


def _cloud_index(dimension: Dimension, groups: dict[str, list[Case]], values: list[str]) -> str:
    """Values used by several cases first (sized by use), then those used once, in one compact block."""
    from_dir = f"browse/{dimension.key}"
    shared = [v for v in values if len(groups[v]) > 1]
    single = sorted(v for v in values if len(groups[v]) <= 1)
    parts = [f"<p>共 {len(values)} 个{dimension.label}；字号越大，涉及的案例越多。</p>\n"]
    if shared:
        parts.append(heading(f"多件案例涉及（{len(shared)} 个）", "shared") + value_cloud(dimension, groups, shared, from_dir))
    if single:
        parts.append(heading(f"仅 1 件案例涉及（{len(single)} 个）", "single") + value_cloud(dimension, groups, single, from_dir, counts=False))
    return "".join(parts)


def dimension_index(dimension: Dimension, groups: dict[str, list[Case]], taxonomy: Taxonomy) -> str:
    from_dir = f"browse/{dimension.key}"
    if dimension.key in CLOUD_DIMENSIONS and groups:
        body = _cloud_index(dimension, groups, ordered_values(dimension, groups, taxonomy))
        return Page(f"browse/{dimension.key}/index.html", dimension_title(dimension), body, toc_of(body))
    descriptions = {"area": taxonomy.categories, "mechanism": taxonomy.mechanisms}.get(dimension.key, {})
    items = []
    for value in ordered_values(dimension, groups, taxonomy):
        note = descriptions.get(value, "")
        items.append(f'<li><a href="{browse_href(dimension.key, value, from_dir)}">{escape(value)}</a>'
                     f"（{len(groups[value])} 件）{'：' + escape(note) if note else ''}</li>")
    body = "\n".join(items) or "<li>暂无</li>"
    return Page(f"browse/{dimension.key}/index.html", dimension_title(dimension),
                f'<ul class="jiandu-browse">\n{body}\n</ul>\n')


def dimension_title(dimension: Dimension) -> str:
    return f"按{dimension.label}浏览"


def value_pages(dimension: Dimension, value: str, cases: list[Case]) -> list[Page]:
    """The cases with one value, newest first, PAGE_SIZE to a page."""
    return [plan.make() for plan in value_plans(dimension, value, cases)]


def value_plans(dimension: Dimension, value: str, cases: list[Case]) -> list[PagePlan]:
    back = f'<p><a href="index.html">← 按{dimension.label}浏览</a></p>\n'
    return paginated_plans(f"browse/{dimension.key}/{slug(value)}", f"{dimension.label}：{value}",
                           back + f"<p>共 {len(cases)} 件案例，按监督日期由近及远排列。</p>\n" + _combine_link(dimension, value),
                           cases)


def page_path(stem: str, number: int) -> str:
    """Page 1 is stem.html, page n is stem.pn.html (a value's slug never contains a dot, so no clash)."""
    return f"{stem}.html" if number == 1 else f"{stem}.p{number}.html"


def pager(stem: str, number: int, total: int) -> str:
    """Links to the other pages of a listing: first, neighbours, last."""
    if total <= 1:
        return ""
    name = PurePosixPath(stem).name
    shown = sorted({1, total, *range(max(1, number - 2), min(total, number + 2) + 1)})
    links, last = [], 0
    for n in shown:
        if n - last > 1:
            links.append("<span>…</span>")
        target = quote(PurePosixPath(page_path(name, n)).name)
        links.append(f'<a aria-current="page" href="{target}">{n}</a>' if n == number else f'<a href="{target}">{n}</a>')
        last = n
    previous = f'<a href="{quote(page_path(name, number - 1))}" rel="prev">上一页</a>' if number > 1 else ""
    following = f'<a href="{quote(page_path(name, number + 1))}" rel="next">下一页</a>' if number < total else ""
    return (f'<nav class="jiandu-pager" aria-label="分页">第 {number} / {total} 页 {previous} {" ".join(links)} '
            f"{following}</nav>\n")


def paginated(stem: str, title: str, intro: str, cases: list[Case], before: str = "") -> list[Page]:
    """PAGE_SIZE cases to a page; before: what goes above the listing (the combined filter)."""
    return [plan.make() for plan in paginated_plans(stem, title, intro, cases, before)]


def paginated_plans(stem: str, title: str, intro: str, cases: list[Case], before: str = "") -> list[PagePlan]:
    rows = [list_row(case) for case in cases]
    chunks = [tuple(rows[start:start + PAGE_SIZE]) for start in range(0, len(rows), PAGE_SIZE)] or [()]
    plans = []
    for number, chunk in enumerate(chunks, 1):
        name = title if number == 1 else f"{title}（第 {number} 页）"
        inputs = (stem, name, intro, before, number, len(chunks), chunk)
        plans.append(PagePlan(page_path(stem, number), name, False, inputs, lambda i=inputs: _listing_page(*i)))
    return plans


def _listing_page(stem: str, name: str, intro: str, before: str, number: int, total: int, rows: tuple) -> Page:
    nav = pager(stem, number, total)
    listing = nav + "\n" + rows_table(list(rows), str(PurePosixPath(stem).parent)) + nav
    if before:
        listing = f"<div data-jiandu-static>\n{listing}</div>\n"
    return Page(page_path(stem, number), name, intro + before + listing)


# --- combined filtering on the listing ------------------------------------------------

FILTERED = {"area", "year", "mechanism", "region", "unit"}  # the facets of the listing (jiandu-listing.js)
DATA_CHUNK = 2000  # cases per data script (about 400 KB), loaded only when a filter is chosen


def _record(case: Case) -> list:
    return [case.id, case.title, case.date.isoformat(), case.category, list(case.mechanisms), case.region,
            list(case.supervised)]


def case_data_scripts(cases: list[Case]) -> list[tuple[str, str]]:
    """(site path, script) of the data the listing filters: [id, title, date, 监督内容, 机制, 地区, 被监督单位]."""
    import json

    chunks = [cases[start:start + DATA_CHUNK] for start in range(0, len(cases), DATA_CHUNK)]
    scripts = []
    for number, chunk in enumerate(chunks):
        data = json.dumps([_record(c) for c in chunk], ensure_ascii=False, separators=(",", ":"))
        data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        scripts.append((f"data/cases-{number}.js", "/* 监督案例库 — 全部案例的组合筛选数据（构建时生成） */\n"
                        f"(window.jianduCaseData = window.jianduCaseData || []).push.apply(window.jianduCaseData, {data});\n"))
    return scripts


def _list_filter(cases: list[Case]) -> str:
    chunks = (len(cases) + DATA_CHUNK - 1) // DATA_CHUNK
    return (f'<div id="jiandu-list-filter" class="jiandu-list-filter" data-base="../data/" data-cases="" '
            f'data-chunks="{chunks}" hidden>\n<div class="jiandu-list-facets" aria-label="组合筛选"></div>\n'
            '<p class="jiandu-list-status" role="status" aria-live="polite"></p>\n'
            '<div class="jiandu-list-results"></div>\n</div>\n'
            '<script src="../assets/javascripts/jiandu-facets.js"></script>\n'
            '<script src="../assets/javascripts/jiandu-listing.js"></script>\n')


def _combine_link(dimension: Dimension, value: str) -> str:
    if dimension.key not in FILTERED:
        return ""
    return (f'<p class="jiandu-noprint"><a href="../../cases/index.html#f.{dimension.key}={quote(value)}">'
            f"与其他条件组合筛选（如再按年份、地区）→</a></p>\n")


BROWSE_TITLE = "浏览案例"
ALL_CASES_TITLE = "全部案例"


def browse_overview(cases: list[Case], taxonomy: Taxonomy, grouped: dict[str, dict[str, list[Case]]] | None = None) -> Page:
    """grouped: dimension key → group_by(cases, dimension), when the caller has it already."""
    parts = []
    for dimension in DIMENSIONS:
        groups = grouped[dimension.key] if grouped is not None else group_by(cases, dimension)
        values = ordered_values(dimension, groups, taxonomy)
        shown = values if dimension.key not in CLOUD_DIMENSIONS else values[:30]
        links = "、".join(f'<a href="{browse_href(dimension.key, v, "browse")}">{escape(v)}</a>（{len(groups[v])}）'
                         for v in shown) + ("……" if len(shown) < len(values) else "")
        parts.append(heading(f"按{dimension.label}", dimension.key)
                     + f'<p><a href="{dimension.key}/index.html">全部{dimension.label}</a>：{links or "暂无"}</p>\n')
    body = "\n".join(parts)
    return Page("browse/index.html", BROWSE_TITLE, body, toc_of(body))


def all_cases_pages(cases: list[Case]) -> list[Page]:
    return [plan.make() for plan in all_cases_plans(cases)]


def all_cases_plans(cases: list[Case]) -> list[PagePlan]:
    return paginated_plans("cases/index", ALL_CASES_TITLE,
                           f"<p>案例库共收录 {len(cases)} 件案例，按监督日期由近及远排列。</p>\n", cases, _list_filter(cases))


def _headline(label: str, value: str, note: str = "") -> str:
    return (f'<div class="jiandu-figure"><div class="jiandu-figure-value">{value}</div>'
            f'<div class="jiandu-figure-label">{label}</div>'
            + (f'<div class="jiandu-figure-note">{_unbroken(note)}</div>' if note else "") + "</div>")


def _unbroken(note: str) -> str:
    """Each "典型 3 ·" of a note kept on one line (a narrow card breaks between the parts, never inside)."""
    return " ".join(f"<span>{part}</span>" for part in note.replace(" · ", " ·\0").split("\0"))


def dashboard_block(cases: list[Case], taxonomy: Taxonomy, as_of: date) -> str:
    """Home page: headline figures, charts (inline SVG made at build time), latest and typical cases."""
    stats = compute(cases, as_of, area_order=list(taxonomy.categories))
    headline = "".join([
        _headline("收录案例", str(stats.cases), f"典型 {stats.typical} · 可推广 {stats.replicable}"),
        _headline("发现问题", str(stats.findings), f"已销号 {stats.signed_off}"),
        _headline("整改完成率", percent(stats.completion_rate), f"按期率 {percent(stats.on_time_rate)}"),
        _headline("超期未整改", str(stats.overdue), f"红 {stats.flags[RED]} · 黄 {stats.flags[YELLOW]} · 蓝 {stats.flags[BLUE]}"),
        _headline("移送线索", str(stats.clues_referred), f"已办结 {stats.clues_closed}"),
    ])
    top_units = dict(list(stats.by_unit.items())[:8])
    years = {f"{year}年": n for year, n in stats.by_year.items()}
    charts = "".join(f'<div class="jiandu-chart-box">{chart}</div>' for chart in (
        bar_chart("按监督内容", stats.by_area, "chart-area", links=_browse_links("area", stats.by_area)),
        bar_chart("按年份", years, "chart-year",
                  links={label: browse_href("year", str(year), "") for label, year in zip(years, stats.by_year)}),
        bar_chart("按被监督单位（前 8 位）", top_units, "chart-unit", links=_browse_links("unit", top_units)),
        bar_chart("问题整改状态", stats.findings_by_status, "chart-status",
                  links={status: f"ledger.html?status={quote(status)}" for status in stats.findings_by_status}),
    ))
    return (f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}（判断超期的参照日期）。</p>\n\n'
            f'<div class="jiandu-dashboard">\n<div class="jiandu-figures-row">{headline}</div>\n'
            f'<div class="jiandu-charts">{charts}</div>\n</div>\n\n' + latest_block(cases))


def _browse_links(dimension: str, values) -> dict[str, str]:
    """Each bar of a home-page chart opens the listing of its value."""
    return {value: browse_href(dimension, value, "") for value in values}


def latest_block(cases: list[Case], limit: int = 8) -> str:
    regions = len({c.region for c in cases})
    typical = [c for c in cases if c.typical][:limit]
    latest = cases[:limit]
    return (f'<p class="jiandu-headline">案例库收录案例 <strong>{len(cases)}</strong> 件，覆盖 '
            f"<strong>{regions}</strong> 个地区，其中典型案例 <strong>{sum(c.typical for c in cases)}</strong> 件、"
            f"可复制可推广 <strong>{sum(c.replicable for c in cases)}</strong> 件。</p>\n\n"
            f"{heading('最新案例', 'latest')}{case_list(latest, '', False)}\n{heading('典型案例', 'typical')}{case_list(typical, '', False)}")


# --- closed loop: ledger and clue pages -------------------------------------------

FLAG_CLASS = {RED: "red", YELLOW: "yellow", BLUE: "blue"}


def _flag_badge(flag: str | None) -> str:
    return f'<span class="jiandu-flag jiandu-flag-{FLAG_CLASS[flag]}">{flag}</span>' if flag else ""


LEDGER_TITLE = "整改台账"
CLUES_TITLE = "线索移送"
COMPILATION_TITLE = "年度汇编"


def ledger_totals_page(cases: list[Case], as_of: date, edition) -> Page:
    """整改台账 of the public edition by default: totals by status, no unit, no overdue list."""
    states = finding_states(cases, as_of)
    by_status: dict[str, int] = {}
    for state in states:
        by_status[state.finding.status] = by_status.get(state.finding.status, 0) + 1
    overdue = sum(1 for state in states if state.finding.is_overdue(as_of))
    rows = [[escape(status), str(count)] for status, count in by_status.items()]
    body = (f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}。共 {len(states)} 个问题，其中超期未整改 {overdue} 个。</p>\n'
            + _policy_note(edition) + _html_table("jiandu-ledger-totals", ["整改状态", "问题数"], rows))
    return Page("ledger.html", LEDGER_TITLE, body, toc_of(body))


LEDGER_PAGE_SIZE = 300  # findings on one ledger page (about 400 KB): a 10,000-case library stays at small pages


def _ledger_order(state) -> tuple:
    """Open findings first, the nearest deadline first; then the rest, the latest deadline first."""
    if state.finding.is_open:
        return (0, state.finding.deadline.toordinal(), state.case.id, state.finding.id)
    return (1, -state.finding.deadline.toordinal(), state.case.id, state.finding.id)


def ledger_pages(cases: list[Case], as_of: date, issued: dict, downloads: dict[str, str] | None = None,
                 edition=None) -> list[Page]:
    """整改台账: a table of every finding, open ones first, filtered in the page (open, overdue, flag, unit)
    and sorted by deadline; LEDGER_PAGE_SIZE findings to a page. downloads: label → site path of the
    .xlsx / .docx of the whole ledger. An edition without finding details gets the totals page only."""
    return [plan.make() for plan in ledger_plans(cases, as_of, issued, downloads, edition)]


def ledger_plans(cases: list[Case], as_of: date, issued: dict, downloads: dict[str, str] | None = None,
                 edition=None) -> list[PagePlan]:
    if edition is not None and not edition.finding_details:
        return [planned(ledger_totals_page(cases, as_of, edition))]
    states = sorted(finding_states(cases, as_of), key=_ledger_order)
    uses = Counter(s.finding.unit for s in states)
    units = sorted(uses, key=lambda u: (-uses[u], u))
    open_units = open_by_unit(cases, as_of)
    head = [f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}。共 {len(states)} 个问题，'
            f'{sum(len(v) for v in open_units.values())} 个尚未完成整改，{sum(s.overdue for s in states)} 个超期。标识：'
            f'{_flag_badge(RED)} 超期 30 天以上　{_flag_badge(YELLOW)} 超期 30 天以内　{_flag_badge(BLUE)} 7 天内到期。</p>\n',
            # printed across the sheet: the table has eight columns
            "<style>@page { size: A4 landscape; }</style>\n"]
    if downloads:
        head.append('<p class="jiandu-downloads jiandu-noprint">' + "".join(
            f'<a class="md-button" href="{quote(path)}" download>{escape(label)}</a>' for label, path in downloads.items())
                    + "</p>\n")
    rows = [_ledger_page_row(state, issued) for state in states]
    chunks = [tuple(rows[start:start + LEDGER_PAGE_SIZE]) for start in range(0, len(rows), LEDGER_PAGE_SIZE)] or [()]
    plans = []
    for number, chunk in enumerate(chunks, 1):
        title = LEDGER_TITLE if number == 1 else f"{LEDGER_TITLE}（第 {number} 页）"
        inputs = (tuple(head), tuple(units), number, len(chunks), title, chunk)
        plans.append(PagePlan(page_path("ledger", number), title, False, inputs, lambda i=inputs: _ledger_page(*i)))
    return plans


def _ledger_page(head: tuple, units: tuple, number: int, total: int, title: str, rows: tuple) -> Page:
    nav = pager("ledger", number, total)
    note = (f'<p class="jiandu-note">第 {number} 页列出第 {(number - 1) * LEDGER_PAGE_SIZE + 1}–'
            f"{(number - 1) * LEDGER_PAGE_SIZE + len(rows)} 项（未完成的在前）；筛选只作用于本页，"
            f"全部问题见下载的台账。</p>\n" if total > 1 else "")
    body = "\n".join([*head, note, _ledger_filters(list(units), len(rows)), nav, _ledger_table(rows), nav])
    return Page(page_path("ledger", number), title, body)


def _ledger_page_row(state, issued: dict) -> tuple:
    """Everything the ledger shows of one finding."""
    finding = state.finding
    documents = tuple(e.doc_number for e in issued.get(state.case.id, ()) if e.addressee == finding.unit)
    return (state.case.id, finding.id, finding.unit, finding.problem, finding.requirement, documents, finding.deadline,
            state.status_text, state.flag, finding.status, finding.is_open, state.overdue)


def _ledger_table(ledger_rows) -> str:
    rows, attributes = [], []
    for rank, (case_id, finding_id, unit, problem, requirement, documents, deadline, status_text, flag, status,
               is_open, overdue) in enumerate(ledger_rows):
        documents = "；".join(escape(number) for number in documents) or "—"
        rows.append([f'<a href="{case_href(case_id, "")}">{escape(case_id)}</a>', escape(unit),
                     escape(problem), escape(requirement), documents,
                     cn_date(deadline), escape(status_text), _flag_badge(flag)])
        attributes.append(f' data-rank="{rank:06d}" data-deadline="{deadline.isoformat()}" data-key="{escape(case_id)}-'
                          f'{escape(finding_id)}" data-unit="{escape(unit)}" '
                          f'data-status="{escape(status)}" data-open="{int(is_open)}" '
                          f'data-overdue="{int(overdue)}" data-flag="{escape(flag or "")}"')
    return _html_table("jiandu-ledger", ["案例", "责任单位", "问题", "整改要求", "文号", "整改期限", "状态", "标识"],
                       rows, attributes, ' id="ledger-table"')


def _ledger_filters(units: list[str], total: int) -> str:
    """The filter form (shown once jiandu-site.js runs; without it the whole table is there)."""
    from generator.core.contract import FINDING_STATUSES

    def select(name: str, label: str, options: list[tuple[str, str]]) -> str:
        choices = "".join(f'<option value="{escape(value)}">{escape(text)}</option>' for value, text in options)
        return f'<label>{label}<select name="{name}">{choices}</select></label>'

    return ('<form class="jiandu-filters" data-for="ledger-table" hidden aria-label="筛选台账">'
            + select("status", "整改状态", [("", "全部"), ("open", "未完成"), ("overdue", "已超期")]
                     + [(s, s) for s in FINDING_STATUSES])
            + select("flag", "标识", [("", "全部"), (RED, "红（超期 30 天以上）"), (YELLOW, "黄（超期 30 天以内）"),
                                     (BLUE, "蓝（7 天内到期）")])
            + select("unit", "责任单位", [("", "全部")] + [(u, u) for u in units])
            + select("order", "排序", [("", "未完成在前"), ("asc", "整改期限最早在前"), ("desc", "整改期限最晚在前")])
            + f'<button type="reset">清除筛选</button><span data-jiandu-count aria-live="polite">共 {total} 项</span></form>\n')


LOOP_STAGES = ("线索发现", "初审分流", "协同处置", "结果反馈")


CLUES_PAGE_SIZE = 400  # clues on one page (about 200 KB)


def clues_pages(cases: list[Case], as_of: date, edition=None) -> list[Page]:
    """线索移送: each clue's place in the loop 线索发现—初审分流—协同处置—结果反馈; newest first,
    CLUES_PAGE_SIZE to a page."""
    return [plan.make() for plan in clues_plans(cases, as_of, edition)]


def clues_plans(cases: list[Case], as_of: date, edition=None) -> list[PagePlan]:
    states = sorted(clue_states(cases, as_of), key=lambda s: s.clue.date, reverse=True)
    intro = (f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}。共 {len(states)} 条线索，已办结 '
             f'{sum(s.closed for s in states)} 条。</p>\n' + _policy_note(edition))
    rows = [_clue_row(state) for state in states]
    chunks = [tuple(rows[start:start + CLUES_PAGE_SIZE]) for start in range(0, len(rows), CLUES_PAGE_SIZE)] or [()]
    plans = []
    for number, chunk in enumerate(chunks, 1):
        title = CLUES_TITLE if number == 1 else f"{CLUES_TITLE}（第 {number} 页）"
        inputs = (intro, number, len(chunks), title, chunk)
        plans.append(PagePlan(page_path("clues", number), title, False, inputs, lambda i=inputs: _clues_page(*i)))
    return plans


def _clues_page(intro: str, number: int, total: int, title: str, rows: tuple) -> Page:
    nav = pager("clues", number, total)
    return Page(page_path("clues", number), title, "\n".join([intro, nav, *(_clue_block(*row) for row in rows), nav]))


def _clue_row(state) -> tuple:
    """Everything the clue page shows of one clue."""
    clue = state.clue
    return (clue.sender, clue.receiver, clue.date, state.case.id, state.case.title, clue.summary, state.stage,
            clue.result if state.has_feedback else None, clue.status, state.closed, state.days_open)


def _clue_block(sender, receiver, day, case_id, case_title, summary, stage, result, status, closed, days_open) -> str:
    """One clue as a card: who sent it to whom, the loop stages reached, the feedback."""
    steps = "".join(f'<li class="{"done" if index < stage else "todo"}">{name}</li>'
                    for index, name in enumerate(LOOP_STAGES))
    feedback = escape(result) if result is not None else "（尚无反馈）"
    return (
        f'<div class="jiandu-clue"><p><strong>{escape(sender)} → {escape(receiver)}</strong>　'
        f'{cn_date(day)}　<a href="{case_href(case_id, "")}">{escape(case_id)} '
        f'{escape(case_title)}</a></p>\n<p>{escape(summary)}</p>\n'
        f'<ol class="jiandu-loop">{steps}</ol>\n<p>状态：{escape(status)}，'
        f'{"历时" if closed else "已历时"} {days_open} 天。结果反馈：{feedback}</p></div>\n')


# --- annual compilation -----------------------------------------------------------

def compilation_index(years: dict[int, list[Case]]) -> Page:
    items = "\n".join(f'<li><a href="{year}.html">{year}年度可复制可推广经验汇编</a>（{len(cases)} 件）</li>'
                       for year, cases in sorted(years.items(), reverse=True)) or "<li>暂无</li>"
    return Page("compilation/index.html", COMPILATION_TITLE, f'<ul class="jiandu-browse">\n{items}\n</ul>\n')


def compilation_page(year: int, cases: list[Case], book_name: str, title: str, area_order: list[str] = (),
                     pdf_name: str | None = None) -> Page:
    """A year's compilation: the cases under their 监督内容 in taxonomy order (as in the book), with downloads."""
    from generator.office.bookorder import group_by_area

    buttons = f'<a class="md-button md-button--primary" href="{quote(book_name)}" download>下载《{escape(title)}》（.docx）</a>'
    if pdf_name:
        buttons += f' <a class="md-button" href="{quote(pdf_name)}" download>下载 PDF</a>'
    parts = [f'<p class="jiandu-downloads">{buttons}</p>\n',
             f"<p>收录可复制可推广经验 {len(cases)} 件，按监督内容分类，同类中按监督日期排列。</p>\n"]
    if not pdf_name:
        parts.append("<p>这份下载没有经过排版，目录中的页码是占位的；在 Word 或 WPS 中打开时按提示更新域，即得到实际页码。"
                     "（网站维护人员：用 <code>jiandu build --pdf</code> 构建，目录页码会填好并同时提供 PDF；"
                     "正式印发的汇编请用 <code>jiandu compile</code> 生成。）</p>\n")
    for index, (area, members) in enumerate(group_by_area(cases, list(area_order)), 1):
        parts.append(heading(f"{cn_number(index)}、{area}（{len(members)} 件）", f"area-{index}")
                     + case_list(members, "compilation", sortable=False))
    body = "\n".join(parts)
    return Page(f"compilation/{year}.html", f"{year}年度汇编", body, toc_of(body))


# --- every listing page ------------------------------------------------------------

def listing_pages(cases: list[Case], taxonomy: Taxonomy, as_of: date, issued: dict,
                  downloads: dict[str, str] | None = None, edition=None) -> list[Page]:
    """Every generated page except case pages, compilation pages and the home page's dashboard."""
    return [plan.make() for plan in listing_plans(cases, taxonomy, as_of, issued, downloads, edition)]


SEARCH_PAGE = "find.html"


def search_page() -> Page:
    """The search page: query box, order, facet filters and results, filled in by jiandu-search-page.js."""
    body = (
        '<form id="jiandu-search-form" class="jiandu-search" role="search" '
        'data-worker="assets/javascripts/jiandu-search-worker.js">\n'
        '<label for="jiandu-search-q">检索词</label> '
        '<input id="jiandu-search-q" type="search" name="q" autocomplete="off" '
        'placeholder="如：挂案、两法衔接、昆明 2024年、NJ-2025-004"> '
        '<label for="jiandu-search-sort">排序</label> '
        '<select id="jiandu-search-sort" name="sort"><option value="relevance">按相关度</option>'
        '<option value="date">按日期（由近及远）</option></select> '
        '<button type="submit">检索</button>\n</form>\n'
        '<p id="jiandu-search-status" class="jiandu-search-status" role="status" aria-live="polite">'
        '检索功能需要浏览器启用 JavaScript。</p>\n'
        '<div class="jiandu-search-layout">\n'
        '<aside id="jiandu-search-facets" class="jiandu-search-facets" aria-label="筛选"></aside>\n'
        '<ol id="jiandu-search-results" class="jiandu-search-results"></ol>\n</div>\n'
        '<script src="assets/javascripts/jiandu-facets.js"></script>\n'
        '<script src="assets/javascripts/jiandu-search-page.js"></script>\n')
    return Page(SEARCH_PAGE, "检索案例", body)


def listing_plans(cases: list[Case], taxonomy: Taxonomy, as_of: date, issued: dict,
                  downloads: dict[str, str] | None = None, edition=None) -> list[PagePlan]:
    """The listing pages as plans: a build renders only those whose inputs changed."""
    grouped = {dimension.key: group_by(cases, dimension) for dimension in DIMENSIONS}
    plans = [*ledger_plans(cases, as_of, issued, downloads, edition), *clues_plans(cases, as_of, edition),
             *all_cases_plans(cases), planned(browse_overview(cases, taxonomy, grouped)), planned(search_page())]
    for dimension in DIMENSIONS:
        groups = grouped[dimension.key]
        plans.append(planned(dimension_index(dimension, groups, taxonomy)))
        for value, members in groups.items():
            plans.extend(value_plans(dimension, value, members))
    return plans
