"""Closed-loop rules: flags and their boundaries, sign-off timing, clue states."""

from datetime import date, timedelta

import pytest
from conftest import make_case
from conftest import valid_text

from generator.core.enrich import BLUE, RED, YELLOW, ClueState, FindingState, open_by_unit

CASE = make_case(valid_text())
OPEN = CASE.findings[1]  # 整改中, deadline 2025-08-31
SIGNED = CASE.findings[0]  # 已销号 2025-10-08, deadline 2025-09-30


def state(finding, as_of):
    return FindingState(CASE, finding, as_of)


@pytest.mark.parametrize("days_before_deadline, flag, overdue", [
    (30, None, False), (8, None, False), (7, BLUE, False), (1, BLUE, False), (0, BLUE, False),
    (-1, YELLOW, True), (-30, YELLOW, True), (-31, RED, True), (-400, RED, True),
])
def test_flag_boundaries(days_before_deadline, flag, overdue):
    current = state(OPEN, OPEN.deadline - timedelta(days=days_before_deadline))
    assert current.flag == flag and current.overdue == overdue
    assert current.days_left == days_before_deadline
    assert current.overdue_days == (max(0, -days_before_deadline))


def test_due_today_reads_as_such():
    assert state(OPEN, OPEN.deadline).status_text == "整改中，今天到期"


def test_signed_off_and_reported_findings_carry_no_flag():
    late = state(SIGNED, date(2030, 1, 1))
    assert late.flag is None and not late.overdue and late.signed_off_on_time is False
    assert late.status_text == "已销号（逾期）"
    reported = state(OPEN.__class__(**{**OPEN.__dict__, "status": "已报告", "reported_on": date(2025, 9, 3)}),
                     date(2026, 1, 1))
    assert reported.flag is None and not reported.overdue and reported.reported_late
    assert reported.status_text == "已报告（待销号）"


def test_clue_state():
    clue = CASE.clues[0]
    closed = ClueState(CASE, clue, date(2030, 1, 1))
    assert closed.closed and closed.has_feedback and closed.days_open == 30 and closed.stage == 4
    still_open = ClueState(CASE, clue.__class__(**{**clue.__dict__, "status": "已受理", "result": "", "closed_on": None}),
                           date(2025, 7, 12))
    assert not still_open.closed and still_open.days_open == 10 and still_open.stage == 2


def test_open_by_unit_most_overdue_first():
    groups = open_by_unit([CASE], date(2025, 10, 1))
    assert list(groups) == ["市中级人民法院"] and groups["市中级人民法院"][0].flag == RED
    assert open_by_unit([CASE], date(2025, 10, 1), unit="市公安局") == {}
