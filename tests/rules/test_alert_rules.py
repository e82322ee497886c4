"""Alert decisions (pure, no app), around weekends, holidays and make-up workdays of 2026:
09-20 (Sunday) and 10-10 (Saturday) are make-up workdays, 09-25 (Mid-Autumn) and
10-01..10-07 (National Day) are days off."""

from datetime import date, timedelta

import pytest

from tracker.calendar.rules import WorkingCalendar
from tracker.plans import lights
from tracker.plans.lights import GREEN, RED, YELLOW
from tracker.supervision.alerts import rules as alerts
from tracker.supervision.alerts.rules import (
    REPORT_DUE_SOON,
    REPORT_MISSING,
    TASK_DUE_SOON,
    TASK_OVERDUE,
)

D = date.fromisoformat
CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "runs"),
    [
        ("2026-11-23", True),  # Monday
        ("2026-11-21", False),  # Saturday
        ("2026-11-22", False),  # Sunday
        ("2026-09-20", True),  # make-up Sunday
        ("2026-10-10", True),  # make-up Saturday
        ("2026-09-25", False),  # Mid-Autumn
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
    ],
)
def test_sweep_runs_on_working_days_only(day, runs):
    assert alerts.sweep_runs_on(CAL, D(day)) is runs


@pytest.mark.parametrize(
    ("first_submitted", "due", "today", "expected"),
    [
        (None, "2026-11-25", "2026-11-16", None),  # 7 working days left
        (None, "2026-11-25", "2026-11-18", REPORT_DUE_SOON),  # 5 left
        (None, "2026-11-25", "2026-11-25", REPORT_DUE_SOON),  # due today (a draft, say)
        ("2026-11-19", "2026-11-25", "2026-11-20", None),  # submitted (then returned, say)
        ("2026-11-26", "2026-11-25", "2026-11-30", None),  # in, though late: not missing
        (None, "2026-11-25", "2026-11-26", REPORT_MISSING),
        # returned before it was due and never resubmitted: it was submitted, not missing
        ("2026-11-20", "2026-11-25", "2026-12-10", None),
        # September's period: the 25th is Mid-Autumn, so due Monday 09-28
        (None, "2026-09-28", "2026-09-26", REPORT_DUE_SOON),
        (None, "2026-09-28", "2026-09-28", REPORT_DUE_SOON),
        (None, "2026-09-28", "2026-09-29", REPORT_MISSING),
        # on the make-up Sunday 09-20, five working days are left (21..24, 28): due soon
        (None, "2026-09-28", "2026-09-20", REPORT_DUE_SOON),
        (None, "2026-09-28", "2026-09-18", None),
        # October's period is due 10-26; the National Day holiday lies far before it
        (None, "2026-10-26", "2026-10-10", None),
        (None, "2026-10-26", "2026-10-19", REPORT_DUE_SOON),
    ],
)
def test_report_alert_kind(first_submitted, due, today, expected):
    due, today = D(due), D(today)
    left = CAL.workdays_between(today, due)
    first = D(first_submitted) if first_submitted else None
    assert alerts.report_alert_kind(first, due, today, left, 5) == expected


@pytest.mark.parametrize(
    ("status", "due", "today", "expected"),
    [
        ("pending", "2020-12-31", "2026-11-23", None),  # 待交办: no task alerts
        ("closed", "2020-12-31", "2026-11-23", None),
        ("assigned", "2020-12-31", "2026-11-23", TASK_OVERDUE),
        ("in_progress", "2026-11-20", "2026-11-23", TASK_OVERDUE),
        ("in_progress", "2026-11-23", "2026-11-23", TASK_DUE_SOON),
        ("in_progress", "2026-11-30", "2026-11-23", TASK_DUE_SOON),
        ("in_progress", "2026-12-01", "2026-11-23", None),
        ("in_progress", "2026-10-08", "2026-09-30", TASK_DUE_SOON),  # across National Day
        ("in_progress", "2026-10-10", "2026-09-24", None),  # make-up Saturday is the 6th
        ("in_progress", "2026-10-09", "2026-09-24", TASK_DUE_SOON),
        ("in_progress", "2026-10-12", "2026-10-13", TASK_OVERDUE),
        ("in_progress", None, "2026-10-13", None),
    ],
)
def test_task_alert_kind(status, due, today, expected):
    today = D(today)
    raw_due = D(due) if due else None
    due = CAL.next_workday(raw_due) if raw_due else None
    left = CAL.workdays_between(today, due) if due else 0
    assert alerts.task_alert_kind(status, due, today, left, 5) == expected
    # the alert is the task's light, never a second opinion
    light = lights.task_light(status, raw_due, today, CAL, 5)
    if status in ("assigned", "in_progress"):
        assert {TASK_OVERDUE: RED, TASK_DUE_SOON: YELLOW, None: GREEN}[expected] == light


@pytest.mark.parametrize(
    ("due", "answered", "today", "overdue"),
    [
        ("2026-10-09", False, "2026-10-09", False),  # due today: not yet
        ("2026-10-09", False, "2026-10-10", True),  # the make-up Saturday
        ("2026-10-09", True, "2026-10-12", False),
        (None, False, "2026-10-12", False),
    ],
)
def test_answer_overdue(due, answered, today, overdue):
    assert alerts.answer_overdue(D(due) if due else None, answered, D(today)) is overdue


@pytest.mark.parametrize(
    ("days", "level"),
    [(0, 1), (2, 1), (3, 2), (4, 2), (5, 3), (9, 3), (10, 4), (40, 4)],
)
def test_escalation_level(days, level):
    assert alerts.escalation_level(days, 3, 5, 10) == level


@pytest.mark.parametrize(
    ("today", "workdays", "cutoff"),
    [
        ("2026-11-23", 0, "2026-11-23"),
        ("2026-11-23", 1, "2026-11-22"),  # opened the Sunday before counts 1 day by Monday
        ("2026-11-25", 3, "2026-11-22"),  # 23, 24, 25
        ("2026-10-09", 3, "2026-09-29"),  # 09-30, 10-08, 10-09 across National Day
        ("2026-10-12", 3, "2026-10-08"),  # 10-09, 10-10 (make-up), 10-12
        ("2026-09-21", 2, "2026-09-19"),  # 09-20 (make-up Sunday), 09-21
    ],
)
def test_escalation_cutoff(today, workdays, cutoff):
    today, cutoff = D(today), D(cutoff)
    assert alerts.escalation_cutoff(CAL, today, workdays) == cutoff
    if workdays:
        assert CAL.workdays_between(cutoff, today) == workdays
        assert CAL.workdays_between(cutoff + timedelta(days=1), today) < workdays


def test_alert_key():
    key = alerts.alert_key(REPORT_MISSING, task=12, unit=3, period="2026-11")
    assert key == "report_missing:task=12:unit=3:period=2026-11"
