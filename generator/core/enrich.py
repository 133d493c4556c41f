"""Stage 3 — enrich: where each finding and clue stands on a reference date.

One place for the closed-loop rules, used by the CLI (alerts, ledger,
stats), the site (badges, ledger page, dashboard) and documents.

Flags follow the city 督办 platforms: 蓝 due within 7 days (today included),
黄 overdue up to 30 days, 红 overdue more than 30 days, none otherwise — and
none once the unit has reported back (待销号) or the finding is signed off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.core.model import Case, Clue, Finding

BLUE, YELLOW, RED = "蓝", "黄", "红"
DUE_SOON_DAYS = 7
RED_AFTER_DAYS = 30


@dataclass(frozen=True)
class FindingState:
    case: Case
    finding: Finding
    as_of: date

    @property
    def days_left(self) -> int:
        """Days to the deadline (negative: days past it)."""
        return (self.finding.deadline - self.as_of).days

    @property
    def overdue(self) -> bool:
        return self.finding.is_overdue(self.as_of)

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.overdue else 0

    @property
    def flag(self) -> str | None:
        if not self.finding.is_open:
            return None
        if self.overdue:
            return RED if self.overdue_days > RED_AFTER_DAYS else YELLOW
        return BLUE if self.days_left <= DUE_SOON_DAYS else None

    @property
    def signed_off(self) -> bool:
        return self.finding.status == "已销号"

    @property
    def signed_off_on_time(self) -> bool | None:
        if not self.signed_off:
            return None
        return self.finding.closed_on <= self.finding.deadline

    @property
    def reported_late(self) -> bool:
        reported = self.finding.reported_on
        return reported is not None and reported > self.finding.deadline

    @property
    def status_text(self) -> str:
        status = self.finding.status
        if status == "已报告":
            status = "已报告（待销号）"
        if self.overdue:
            return f"{status}，超期 {self.overdue_days} 天"
        if self.finding.is_open:
            return f"{status}，{'今天到期' if self.days_left == 0 else f'剩 {self.days_left} 天'}"
        if self.signed_off:
            return f"已销号（{'按期' if self.signed_off_on_time else '逾期'}）"
        return status


@dataclass(frozen=True)
class ClueState:
    case: Case
    clue: Clue
    as_of: date

    @property
    def closed(self) -> bool:
        return self.clue.is_closed

    @property
    def days_open(self) -> int:
        return ((self.clue.closed_on or self.as_of) - self.clue.date).days

    @property
    def has_feedback(self) -> bool:
        return bool(self.clue.result.strip())

    @property
    def stage(self) -> int:
        """Position in the loop 线索发现—初审分流—协同处置—结果反馈 (1–4)."""
        return {"已移送": 1, "已受理": 2, "办理中": 3, "已办结": 4}[self.clue.status]


def finding_states(cases: list[Case], as_of: date) -> list[FindingState]:
    return [FindingState(case, finding, as_of) for case in cases for finding in case.findings]


def clue_states(cases: list[Case], as_of: date) -> list[ClueState]:
    return [ClueState(case, clue, as_of) for case in cases for clue in case.clues]


def open_by_unit(cases: list[Case], as_of: date, unit: str | None = None) -> dict[str, list[FindingState]]:
    """Open findings grouped by responsible unit; units and findings most overdue first."""
    groups: dict[str, list[FindingState]] = {}
    for state in finding_states(cases, as_of):
        if state.finding.is_open and (unit is None or state.finding.unit == unit):
            groups.setdefault(state.finding.unit, []).append(state)
    for states in groups.values():
        states.sort(key=lambda s: (s.days_left, s.case.id, s.finding.id))
    return dict(sorted(groups.items(), key=lambda item: (item[1][0].days_left, item[0])))


@dataclass(frozen=True)
class Alerts:
    """`jiandu alerts`: open findings by unit (most overdue first), their number and how many are red."""
    groups: dict
    total: int
    red: int


def overdue_alerts(cases: list[Case], as_of: date, unit: str | None = None) -> Alerts:
    groups = open_by_unit(cases, as_of, unit)
    states = [state for members in groups.values() for state in members]
    return Alerts(groups, len(states), sum(1 for state in states if state.flag == RED))
