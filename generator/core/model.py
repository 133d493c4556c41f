"""Validated case data. Everything downstream of validation works on these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Finding:
    id: str
    problem: str
    unit: str
    requirement: str
    deadline: date
    status: str
    closed_on: date | None = None
    reported_on: date | None = None
    evidence: str = ""
    cause: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in ("待整改", "整改中")

    def is_overdue(self, as_of: date) -> bool:
        """Overdue (超期): still open and the reference date is past the deadline."""
        return self.is_open and as_of > self.deadline


@dataclass(frozen=True)
class Clue:
    id: str
    date: date
    sender: str
    receiver: str
    summary: str
    status: str
    result: str = ""
    closed_on: date | None = None

    @property
    def is_closed(self) -> bool:
        return self.status == "已办结"


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    date: date
    region: str
    classification: str
    category: str
    mechanisms: tuple[str, ...]
    supervisors: tuple[str, ...]
    supervised: tuple[str, ...]
    summary: str
    background: str
    practice: str
    outcome: str
    source: str
    subtitle: str = ""
    keywords: tuple[str, ...] = ()
    typical: bool = False
    replicable: bool = False
    insight: str = ""
    legal_basis: tuple[str, ...] = ()
    figures: dict[str, int] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    clues: tuple[Clue, ...] = ()

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def is_public(self) -> bool:
        return self.classification == "公开"
