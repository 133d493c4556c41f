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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from hashlib import sha1
from typing import Callable, Iterable
from urllib.parse import quote

from .chinese import cn_date
from .charts import bar_chart
from .enrich import BLUE, RED, YELLOW, clue_states, open_by_unit, finding_states
from .model import Case, Finding
from .stats import compute, percent
from .safetext import escape, markdown_to_html
from .taxonomy import Taxonomy

LATEST_MARKER = "<!-- jiandu:latest -->"


@dataclass(frozen=True)
class Page:
    path: str                              # in the site, e.g. "cases/CZ-2025-001.html"
    title: str                             # plain text
    body: str                              # safe HTML
    toc: tuple[tuple[str, str], ...] = ()  # (anchor, plain heading text) of each h2


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
)


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
    body = "\n".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="jiandu-meta">\n<tbody>\n{body}\n</tbody>\n</table>'


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


def _html_table(css_class: str, headers: list[str], rows: list[list[str]]) -> str:
    """A table of cells that are already safe HTML."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<table class="{css_class}">\n<thead><tr>{head}</tr></thead>\n'
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
    items = "\n".join(f"<li>{escape(item)}</li>" for item in case.legal_basis)
    return heading("法律政策依据", "legal-basis") + f"<ul class=\"jiandu-legal\">\n{items}\n</ul>\n"


def _similar_list(similar) -> str:
    if not similar:
        return ""
    items = "\n".join(
        f'<li><a href="{case_href(s.id, "cases")}">{escape(s.title)}</a>'
        f'<span class="jiandu-shared">共同关键词：{"、".join(escape(t) for t in s.shared)}</span></li>'
        for s in similar)
    return heading("相似案例", "similar") + f'<ul class="jiandu-similar">\n{items}\n</ul>\n'


def _issued_documents(entries) -> str:
    if not entries:
        return ""
    rows = [[escape(e.doc_number), escape(e.kind), cn_date(date.fromisoformat(e.date)), escape(e.addressee)]
            for e in entries]
    return heading("已印发文书", "issued") + _html_table("jiandu-issued", ["文号", "文种", "成文日期", "主送"], rows)


def case_page(case: Case, as_of: date, similar=(), issued=(), edition=None) -> Page:
    parts = []
    if case.subtitle:
        parts.append(f'<p class="jiandu-subtitle">{escape(case.subtitle)}</p>\n')
    parts.append(_meta_table(case) + "\n")
    parts.append('<div class="admonition abstract jiandu-summary">\n<p class="admonition-title">导语</p>\n'
                 f"<p>{escape(case.summary)}</p>\n</div>\n")
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
    parts.append(_issued_documents(issued))
    parts.append(_similar_list(similar))
    body = "\n".join(part for part in parts if part)
    return Page(f"cases/{case.id}.html", case.title, body, toc_of(body))


# --- lists and browse pages -----------------------------------------------------

_LIST_HEAD = '<table class="jiandu-list">\n<thead><tr><th>编号</th><th>标题</th><th>日期</th><th>地区</th><th>监督内容</th></tr></thead>\n'
_TYPICAL_BADGE = ' <span class="jiandu-badge jiandu-typical">典型</span>'


def _list_row(case: Case, prefix: str) -> str:
    return (f'<tr><td>{escape(case.id)}</td><td><a href="{prefix}cases/{case.id}.html">{escape(case.title)}</a>'
            f'{_TYPICAL_BADGE if case.typical else ""}</td><td>{cn_date(case.date)}</td>'
            f"<td>{escape(case.region)}</td><td>{escape(case.category)}</td></tr>")


_rows_cache: dict[tuple[int, str], str] = {}  # listing_pages fills and clears it: a case is in seven lists


def case_list(cases: list[Case], from_dir: str) -> str:
    if not cases:
        return "<p>暂无案例。</p>\n"
    prefix = _relative("", from_dir)
    rows = []
    for case in cases:
        key = (id(case), prefix)
        row = _rows_cache.get(key)
        if row is None:
            row = _list_row(case, prefix)
            if _caching:
                _rows_cache[key] = row
        rows.append(row)
    return _LIST_HEAD + "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"


_caching = False


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


def dimension_index(dimension: Dimension, groups: dict[str, list[Case]], taxonomy: Taxonomy) -> str:
    from_dir = f"browse/{dimension.key}"
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


def value_page(dimension: Dimension, value: str, cases: list[Case]) -> Page:
    from_dir = f"browse/{dimension.key}"
    back = f'<p><a href="index.html">← 按{dimension.label}浏览</a></p>\n'
    return Page(f"browse/{dimension.key}/{slug(value)}.html", f"{dimension.label}：{value}",
                back + f"<p>共 {len(cases)} 件案例。</p>\n\n" + case_list(cases, from_dir))


BROWSE_TITLE = "浏览案例"
ALL_CASES_TITLE = "全部案例"


def browse_overview(cases: list[Case], taxonomy: Taxonomy) -> Page:
    parts = []
    for dimension in DIMENSIONS:
        groups = group_by(cases, dimension)
        values = ordered_values(dimension, groups, taxonomy)
        shown = values if dimension.key != "keyword" else values[:30]
        links = "、".join(f'<a href="{browse_href(dimension.key, v, "browse")}">{escape(v)}</a>（{len(groups[v])}）'
                         for v in shown) + ("……" if len(shown) < len(values) else "")
        parts.append(heading(f"按{dimension.label}", dimension.key)
                     + f'<p><a href="{dimension.key}/index.html">全部{dimension.label}</a>：{links or "暂无"}</p>\n')
    body = "\n".join(parts)
    return Page("browse/index.html", BROWSE_TITLE, body, toc_of(body))


def all_cases_page(cases: list[Case]) -> Page:
    return Page("cases/index.html", ALL_CASES_TITLE,
                f"<p>案例库共收录 {len(cases)} 件案例，按监督日期由近及远排列。</p>\n\n" + case_list(cases, "cases"))


def _headline(label: str, value: str, note: str = "") -> str:
    return (f'<div class="jiandu-figure"><div class="jiandu-figure-value">{value}</div>'
            f'<div class="jiandu-figure-label">{label}</div>'
            + (f'<div class="jiandu-figure-note">{note}</div>' if note else "") + "</div>")


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
    charts = "".join(f'<div class="jiandu-chart-box">{chart}</div>' for chart in (
        bar_chart("按监督内容", stats.by_area, "chart-area"),
        bar_chart("按年份", {f"{year}年": n for year, n in stats.by_year.items()}, "chart-year"),
        bar_chart("按被监督单位（前 8 位）", top_units, "chart-unit"),
        bar_chart("问题整改状态", stats.findings_by_status, "chart-status"),
    ))
    return (f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}（判断超期的参照日期）。</p>\n\n'
            f'<div class="jiandu-dashboard">\n<div class="jiandu-figures-row">{headline}</div>\n'
            f'<div class="jiandu-charts">{charts}</div>\n</div>\n\n' + latest_block(cases))


def latest_block(cases: list[Case], limit: int = 8) -> str:
    regions = len({c.region for c in cases})
    typical = [c for c in cases if c.typical][:limit]
    latest = cases[:limit]
    return (f'<p class="jiandu-headline">案例库收录案例 <strong>{len(cases)}</strong> 件，覆盖 '
            f"<strong>{regions}</strong> 个地区，其中典型案例 <strong>{sum(c.typical for c in cases)}</strong> 件、"
            f"可复制可推广 <strong>{sum(c.replicable for c in cases)}</strong> 件。</p>\n\n"
            f"{heading('最新案例', 'latest', 3)}{case_list(latest, '')}\n{heading('典型案例', 'typical', 3)}{case_list(typical, '')}")


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


def ledger_page(cases: list[Case], as_of: date, issued: dict, edition=None) -> Page:
    """整改台账: every finding, grouped by responsible unit (one anchor per unit for filtering)."""
    if edition is not None and not edition.finding_details:
        return ledger_totals_page(cases, as_of, edition)
    states = finding_states(cases, as_of)
    units = sorted({s.finding.unit for s in states}, key=lambda u: (-sum(s.finding.unit == u for s in states), u))
    open_units = open_by_unit(cases, as_of)
    parts = [f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}。共 {len(states)} 个问题，'
             f'{sum(len(v) for v in open_units.values())} 个尚未完成整改。标识：'
             f'{_flag_badge(RED)} 超期 30 天以上　{_flag_badge(YELLOW)} 超期 30 天以内　{_flag_badge(BLUE)} 7 天内到期。</p>\n',
             '<p class="jiandu-unit-index">按责任单位：' + "　".join(
                 f'<a href="#{_anchor(u)}">{escape(u)}</a>' for u in units) + "</p>\n"]
    for unit in units:
        rows = []
        for state in sorted((s for s in states if s.finding.unit == unit), key=lambda s: (s.finding.deadline, s.case.id)):
            documents = "；".join(escape(e.doc_number) for e in issued.get(state.case.id, ())
                                 if e.addressee == unit) or "—"
            rows.append([f'<a href="{case_href(state.case.id, "")}">{escape(state.case.id)}</a>', escape(state.finding.problem),
                         escape(state.finding.requirement), documents, cn_date(state.finding.deadline),
                         escape(state.status_text), _flag_badge(state.flag)])
        parts.append(heading(unit, _anchor(unit))
                     + _html_table("jiandu-ledger", ["案例", "问题", "整改要求", "文号", "整改期限", "状态", "标识"], rows))
    body = "\n".join(parts)
    return Page("ledger.html", LEDGER_TITLE, body, toc_of(body))


def _anchor(value: str) -> str:
    return "unit-" + sha1(value.encode("utf-8")).hexdigest()[:8]


LOOP_STAGES = ("线索发现", "初审分流", "协同处置", "结果反馈")


def clues_page(cases: list[Case], as_of: date, edition=None) -> Page:
    """线索移送: each clue's place in the loop 线索发现—初审分流—协同处置—结果反馈."""
    states = sorted(clue_states(cases, as_of), key=lambda s: s.clue.date, reverse=True)
    parts = [f'<p class="jiandu-as-of">数据截至 {cn_date(as_of)}。共 {len(states)} 条线索，已办结 '
             f'{sum(s.closed for s in states)} 条。</p>\n' + _policy_note(edition)]
    for state in states:
        steps = "".join(f'<li class="{"done" if index < state.stage else "todo"}">{name}</li>'
                        for index, name in enumerate(LOOP_STAGES))
        feedback = escape(state.clue.result) if state.has_feedback else "（尚无反馈）"
        parts.append(
            f'<div class="jiandu-clue"><p><strong>{escape(state.clue.sender)} → {escape(state.clue.receiver)}</strong>　'
            f'{cn_date(state.clue.date)}　<a href="{case_href(state.case.id, "")}">{escape(state.case.id)} '
            f'{escape(state.case.title)}</a></p>\n<p>{escape(state.clue.summary)}</p>\n'
            f'<ol class="jiandu-loop">{steps}</ol>\n<p>状态：{escape(state.clue.status)}，'
            f'{"历时" if state.closed else "已历时"} {state.days_open} 天。结果反馈：{feedback}</p></div>\n')
    return Page("clues.html", CLUES_TITLE, "\n".join(parts))


# --- annual compilation -----------------------------------------------------------

def compilation_index(years: dict[int, list[Case]]) -> Page:
    items = "\n".join(f'<li><a href="{year}.html">{year}年度可复制可推广经验汇编</a>（{len(cases)} 件）</li>'
                       for year, cases in sorted(years.items(), reverse=True)) or "<li>暂无</li>"
    return Page("compilation/index.html", COMPILATION_TITLE, f'<ul class="jiandu-browse">\n{items}\n</ul>\n')


def compilation_page(year: int, cases: list[Case], book_name: str, title: str) -> Page:
    return Page(f"compilation/{year}.html", f"{year}年度汇编",
                f'<p><a class="md-button md-button--primary" href="{quote(book_name)}" download>下载《{escape(title)}》（.docx）</a></p>\n'
                + f"<p>收录可复制可推广经验 {len(cases)} 件，按监督内容分类。</p>\n"
                + "<p>网站构建时不运行 LibreOffice 排版，下载文件目录中的页码是占位的；在 Word 或 WPS 中打开时按提示更新域，"
                  "即得到实际页码。需要页码已填好的文件，请用 <code>jiandu compile</code> 生成。</p>\n\n"
                + case_list(cases, "compilation"))


# --- every listing page ------------------------------------------------------------

def listing_pages(cases: list[Case], taxonomy: Taxonomy, as_of: date, issued: dict, edition=None) -> list[Page]:
    """Every generated page except case pages, compilation pages and the home page's dashboard."""
    global _caching
    _caching = True
    try:
        return _listing_pages(cases, taxonomy, as_of, issued, edition)
    finally:
        _caching = False
        _rows_cache.clear()


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


def _listing_pages(cases: list[Case], taxonomy: Taxonomy, as_of: date, issued: dict, edition=None) -> list[Page]:
    pages = [ledger_page(cases, as_of, issued, edition), clues_page(cases, as_of, edition), all_cases_page(cases),
             browse_overview(cases, taxonomy), search_page()]
    for dimension in DIMENSIONS:
        groups = group_by(cases, dimension)
        pages.append(dimension_index(dimension, groups, taxonomy))
        pages.extend(value_page(dimension, value, members) for value, members in groups.items())
    return pages
