"""Lights of tasks and reports (pure rules, no app), around weekends, holidays and make-up
workdays of 2026: 09-20 (Sunday) and 10-10 (Saturday) are make-up workdays, 09-25
(Mid-Autumn) and 10-01..10-07 (National Day) are days off."""

from datetime import date

import pytest

from tracker.calendar.rules import WorkingCalendar
from tracker.plans import lights
from tracker.plans.lights import GREEN, RED, YELLOW
from tracker.reports import rules as report_rules

D = date.fromisoformat
CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("status", "due", "today", "expected"),
    [
        ("in_progress", "2026-12-31", "2026-11-23", GREEN),
        ("in_progress", None, "2026-11-23", GREEN),  # no due date: nothing to be late for
        ("closed", "2020-12-31", "2026-11-23", GREEN),  # closed is never red
        ("pending", "2020-12-31", "2026-11-23", RED),  # not yet assigned but long overdue
        ("assigned", "2026-11-20", "2026-11-23", RED),
        ("in_progress", "2026-11-23", "2026-11-23", YELLOW),  # due today
        ("in_progress", "2026-11-30", "2026-11-23", YELLOW),  # 5 working days left
        ("in_progress", "2026-12-01", "2026-11-23", GREEN),  # 6 working days left
        # National Day: 09-30 -> 10-08 is one working day
        ("in_progress", "2026-10-08", "2026-09-30", YELLOW),
        ("in_progress", "2026-10-09", "2026-09-24", YELLOW),  # 09-28..30, 10-08, 10-09
        ("in_progress", "2026-10-10", "2026-09-24", GREEN),  # the make-up Saturday is 6th
        # a due date on a holiday moves to the next working day (10-01 -> 10-08)
        ("in_progress", "2026-10-01", "2026-10-07", YELLOW),
        ("in_progress", "2026-10-01", "2026-10-08", YELLOW),
        ("in_progress", "2026-10-01", "2026-10-09", RED),
        # Mid-Autumn 09-25 (Fri) -> due Monday 09-28: not red on the weekend
        ("in_progress", "2026-09-25", "2026-09-26", YELLOW),
        ("in_progress", "2026-09-25", "2026-09-29", RED),
        # the make-up Sunday 09-20 counts: 09-14 -> 09-21 is 6 working days
        ("in_progress", "2026-09-21", "2026-09-14", GREEN),
        ("in_progress", "2026-09-18", "2026-09-14", YELLOW),
    ],
)
def test_task_light_with_calendar(status, due, today, expected):
    due = D(due) if due else None
    assert lights.task_light(status, due, D(today), CAL, 5) == expected


@pytest.mark.parametrize(
    ("workdays_left", "warn", "today", "due", "expected"),
    [
        (10, 5, "2026-11-02", "2026-11-16", GREEN),
        (5, 5, "2026-11-09", "2026-11-16", YELLOW),
        (6, 5, "2026-11-09", "2026-11-16", GREEN),
        (6, 10, "2026-11-09", "2026-11-16", YELLOW),  # the warning window is a setting
        (0, 5, "2026-11-16", "2026-11-16", YELLOW),
        (-1, 5, "2026-11-17", "2026-11-16", RED),
    ],
)
def test_task_light_with_working_days_counted(workdays_left, warn, today, due, expected):
    assert lights.task_light("in_progress", D(due), D(today), workdays_left, warn) == expected


@pytest.mark.parametrize(
    ("state", "submitted", "today", "expected"),
    [
        (None, None, "2026-11-16", GREEN),
        (None, None, "2026-11-19", YELLOW),
        ("draft", None, "2026-11-25", YELLOW),
        ("returned", None, "2026-11-26", RED),
        (None, None, "2026-11-26", RED),
        ("submitted", "2026-11-20", "2026-11-30", GREEN),
        ("accepted", "2026-11-26", "2026-11-30", RED),  # came in late
    ],
)
def test_report_light(state, submitted, today, expected):
    due = D("2026-11-25")
    left = CAL.workdays_between(D(today), due)
    submitted = D(submitted) if submitted else None
    assert report_rules.report_light(state, due, submitted, D(today), left, 5) == expected


@pytest.mark.parametrize(
    ("status", "light", "differs"),
    [
        ("in_progress", RED, True),
        ("in_progress", YELLOW, True),
        ("in_progress", GREEN, False),
        ("assigned", RED, True),
        ("pending", RED, True),
        ("closed", GREEN, False),
    ],
)
def test_status_shown_beside_the_light_when_they_differ(status, light, differs):
    assert lights.light_differs(status, light) is differs


def test_task_lights_for_a_list():
    from types import SimpleNamespace as T

    tasks = [
        T(id=1, status="in_progress", due_date=D("2026-11-20")),
        T(id=2, status="in_progress", due_date=D("2026-11-27")),
        T(id=3, status="assigned", due_date=D("2027-06-30")),
        T(id=4, status="closed", due_date=D("2020-12-31")),
    ]
    assert lights.task_lights(tasks, D("2026-11-23"), CAL, 5) == {
        1: RED,
        2: YELLOW,
        3: GREEN,
        4: GREEN,
    }
