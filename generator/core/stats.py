"""Figures for any year, region or unit: what annual reports count."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

from generator.core.contract import FINDING_STATUSES
from generator.core.enrich import BLUE, RED, YELLOW, clue_states, finding_states
from generator.text.chinese import cn_date
from generator.core.model import Case


def rate(part: int, whole: int) -> float | None:
    """A share in [0, 1], or None when there is nothing to divide by."""
    return None if whole == 0 else part / whole


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class Stats:
    as_of: str
    scope: str
    cases: int
    typical: int
    replicable: int
    by_area: dict = field(default_factory=dict)
    by_mechanism: dict = field(default_factory=dict)
    by_region: dict = field(default_factory=dict)
    by_unit: dict = field(default_factory=dict)
    by_year: dict = field(default_factory=dict)
    findings: int = 0
    findings_by_status: dict = field(default_factory=dict)
    signed_off: int = 0
    signed_off_on_time: int = 0
    overdue: int = 0
    flags: dict = field(default_factory=dict)
    completion_rate: float | None = None
    on_time_rate: float | None = None
    clues_referred: int = 0
    clues_closed: int = 0
    clues_with_feedback: int = 0
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self) | {"sentences": self.sentences()}

    def sentences(self) -> list[str]:
        """Sentences ready for an annual report."""
        lines = [f"{self.scope}共收录监督案例{self.cases}件，其中典型案例{self.typical}件、可复制可推广案例{self.replicable}件。"]
        if self.by_area:
            lines.append("按监督内容分：" + "，".join(f"{k}{v}件" for k, v in self.by_area.items()) + "。")
        if self.findings:
            lines.append(f"发现问题{self.findings}个，已整改销号{self.signed_off}个，整改完成率{percent(self.completion_rate)}；"
                         f"按期销号{self.signed_off_on_time}个，按期率{percent(self.on_time_rate)}；"
                         f"截至{cn_date(date.fromisoformat(self.as_of))}尚有{self.overdue}个问题超期未完成整改。")
        if self.clues_referred:
            lines.append(f"全年移送线索{self.clues_referred}条，已办结{self.clues_closed}条。"
                         if self.scope.endswith("年") else
                         f"移送线索{self.clues_referred}条，已办结{self.clues_closed}条。")
        if self.figures:
            lines.append("案例所记数字合计：" + "，".join(f"{k}{v}" for k, v in self.figures.items()) + "。")
        return lines


def _count(values) -> dict:
    return dict(Counter(values).most_common())


def cases_in_scope(cases: list[Case], year: int | None = None, region: str | None = None, unit: str | None = None) -> list[Case]:
    return [c for c in cases if (year is None or c.year == year) and (region is None or c.region == region)
            and (unit is None or unit in c.supervised or any(f.unit == unit for f in c.findings))]


def compute(cases: list[Case], as_of: date, *, year: int | None = None, region: str | None = None,
            unit: str | None = None, area_order: list[str] | None = None) -> Stats:
    chosen = cases_in_scope(cases, year, region, unit)
    scope = "".join(filter(None, [f"{year}年" if year else "", region or "", unit or ""])) or "案例库"
    states = [s for s in finding_states(chosen, as_of) if unit is None or s.finding.unit == unit]
    clues = clue_states(chosen, as_of)
    by_area = _count(c.category for c in chosen)
    if area_order:
        by_area = {area: by_area[area] for area in area_order if area in by_area}
    figures: Counter = Counter()
    for case in chosen:
        figures.update(case.figures)
    signed = [s for s in states if s.signed_off]
    on_time = [s for s in signed if s.signed_off_on_time]
    status_counts = Counter(s.finding.status for s in states)
    return Stats(
        as_of=as_of.isoformat(), scope=scope, cases=len(chosen), typical=sum(c.typical for c in chosen),
        replicable=sum(c.replicable for c in chosen), by_area=by_area,
        by_mechanism=_count(m for c in chosen for m in c.mechanisms), by_region=_count(c.region for c in chosen),
        by_unit=_count(u for c in chosen for u in c.supervised), by_year=dict(sorted(_count(c.year for c in chosen).items())),
        findings=len(states), findings_by_status={status: status_counts.get(status, 0) for status in FINDING_STATUSES},
        signed_off=len(signed), signed_off_on_time=len(on_time), overdue=sum(s.overdue for s in states),
        flags={flag: sum(s.flag == flag for s in states) for flag in (RED, YELLOW, BLUE)},
        completion_rate=rate(len(signed), len(states)), on_time_rate=rate(len(on_time), len(signed)),
        clues_referred=len(clues), clues_closed=sum(c.closed for c in clues),
        clues_with_feedback=sum(c.closed and c.has_feedback for c in clues), figures=dict(figures.most_common()),
    )
