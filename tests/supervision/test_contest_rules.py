"""The rules of contesting an assignment (退回交办), as tables: tracker.supervision.workflow.
contest.rules. The calendar is China's: 2026-10-01..07 are National Day holidays and
Saturday 2026-10-10 is a make-up workday."""

from datetime import date

import pytest

from tracker.calendar.rules import WorkingCalendar
from tracker.supervision.workflow.contest import rules

CAL = WorkingCalendar()
D = date


@pytest.mark.parametrize(
    ("assigned_on", "window", "deadline"),
    [
        (D(2026, 11, 2), 3, D(2026, 11, 5)),  # Monday + 3 working days: Thursday
        (D(2026, 11, 6), 3, D(2026, 11, 11)),  # Friday: the weekend does not count
        (D(2026, 11, 7), 1, D(2026, 11, 9)),  # assigned on a Saturday
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # over National Day, to the make-up Saturday
        (D(2026, 11, 2), 1, D(2026, 11, 3)),
        (D(2026, 11, 2), 15, D(2026, 11, 23)),
    ],
)
def test_contest_deadline(assigned_on, window, deadline):
    assert rules.contest_deadline(assigned_on, window, CAL) == deadline


DEADLINE = D(2026, 11, 5)


@pytest.mark.parametrize(
    ("status", "has_lead", "acked", "filed", "today", "deadline", "reason", "error"),
    [
        ("assigned", True, False, False, D(2026, 11, 2), DEADLINE, "不属职责", None),
        ("assigned", True, False, False, DEADLINE, DEADLINE, "不属职责", None),  # last day
        ("in_progress", True, False, False, D(2026, 11, 3), DEADLINE, "x", None),
        ("assigned", True, False, False, D(2026, 11, 6), DEADLINE, "x", "contest_window_closed"),
        ("pending", False, False, False, D(2026, 11, 2), None, "x", "not_assigned"),
        ("closed", True, False, False, D(2026, 11, 2), DEADLINE, "x", "task_closed"),
        ("archived", True, False, False, D(2026, 11, 2), DEADLINE, "x", "not_assigned"),
        ("assigned", False, False, False, D(2026, 11, 2), None, "x", "contest_not_assigned"),
        ("assigned", True, True, False, D(2026, 11, 2), DEADLINE, "x", "contest_acknowledged"),
        ("assigned", True, False, True, D(2026, 11, 2), DEADLINE, "x", "contest_already_filed"),
        # once is once, even acknowledged afterwards or late
        ("assigned", True, True, True, D(2026, 11, 9), DEADLINE, "x", "contest_already_filed"),
        ("assigned", True, False, False, D(2026, 11, 2), DEADLINE, "  ", "contest_reason_required"),
        ("assigned", True, False, False, D(2026, 11, 2), DEADLINE, "", "contest_reason_required"),
    ],
)
def test_check_contest(status, has_lead, acked, filed, today, deadline, reason, error):
    assert rules.check_contest(status, has_lead, acked, filed, today, deadline, reason) == error


@pytest.mark.parametrize(
    ("outcome", "decision", "reason", "new_lead", "error"),
    [
        (None, "reassign", "属市科技局职责", 7, None),
        (None, "insist", "属你单位职责", None, None),
        (None, "insist", "属你单位职责", 7, None),  # the unit is ignored when insisting
        (None, "reassign", "理由", None, "lead_required"),
        (None, "reassign", "理由", 3, "contest_same_unit"),
        (None, "reassign", " ", 7, "contest_reason_required"),
        (None, "insist", "", None, "contest_reason_required"),
        (None, "approve", "理由", 7, "bad_decision"),
        ("reassigned", "insist", "理由", None, "contest_decided"),
        ("insisted", "reassign", "理由", 7, "contest_decided"),
    ],
)
def test_check_decision(outcome, decision, reason, new_lead, error):
    assert rules.check_decision(outcome, decision, reason, new_lead, 3) == error


@pytest.mark.parametrize(
    ("filed_on", "decided_on", "paused"),
    [
        (D(2026, 11, 2), D(2026, 11, 2), 0),  # decided the same day
        (D(2026, 11, 2), D(2026, 11, 4), 2),
        (D(2026, 11, 6), D(2026, 11, 9), 1),  # Friday to Monday
        (D(2026, 9, 30), D(2026, 10, 9), 2),  # National Day does not count
        (D(2026, 11, 4), D(2026, 11, 2), 0),  # never negative
    ],
)
def test_paused_working_days(filed_on, decided_on, paused):
    assert rules.paused_working_days(filed_on, decided_on, CAL) == paused


@pytest.mark.parametrize(
    ("due", "paused", "moved"),
    [
        (D(2026, 11, 26), 0, D(2026, 11, 26)),
        (D(2026, 11, 26), 2, D(2026, 11, 30)),  # over a weekend
        (D(2026, 11, 6), 1, D(2026, 11, 9)),
        (None, 3, None),
    ],
)
def test_moved_date(due, paused, moved):
    assert rules.moved_date(due, paused, CAL) == moved
