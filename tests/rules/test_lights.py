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
    ("first_submitted", "today", "expected"),
    [
        (None, "2026-11-16", GREEN),  # not started, 7 working days left
        (None, "2026-11-19", YELLOW),
        (None, "2026-11-25", YELLOW),  # a draft on the due day
        (None, "2026-11-26", RED),  # never submitted after the due date
        ("2026-11-20", "2026-11-30", GREEN),
        ("2026-11-25", "2026-11-30", GREEN),  # on the due day itself: on time
        ("2026-11-26", "2026-11-30", RED),  # first submitted late
        # returned and resubmitted after the due date: on time by its first submission
        ("2026-11-20", "2026-12-02", GREEN),
    ],
)
def test_report_light(first_submitted, today, expected):
    due = D("2026-11-25")
    left = CAL.workdays_between(D(today), due)
    first = D(first_submitted) if first_submitted else None
    assert report_rules.report_light(first, due, D(today), left, 5) == expected


@pytest.mark.parametrize(
    ("due", "done_on", "today", "left", "warn", "state"),
    [
        ("2026-11-25", None, "2026-11-16", 7, 5, lights.ON_TRACK),
        ("2026-11-25", None, "2026-11-18", 5, 5, lights.DUE_SOON),
        ("2026-11-25", None, "2026-11-18", 5, 4, lights.ON_TRACK),  # the window is a setting
        ("2026-11-25", None, "2026-11-25", 0, 5, lights.DUE_SOON),  # due today
        ("2026-11-25", None, "2026-11-26", -1, 5, lights.OVERDUE),
        ("2026-11-25", "2026-11-25", "2026-12-01", -4, 5, lights.DONE),
        ("2026-11-25", "2026-11-26", "2026-12-01", -4, 5, lights.DONE_LATE),
        ("2026-11-25", "2026-11-10", "2026-11-18", 5, 5, lights.DONE),  # done before the window
        (None, None, "2026-11-26", 0, 5, lights.ON_TRACK),  # no due date
        (None, "2026-11-26", "2026-11-26", 0, 5, lights.DONE),
    ],
)
def test_deadline_state(due, done_on, today, left, warn, state):
    due, done_on = (D(x) if x else None for x in (due, done_on))
    assert lights.deadline_state(due, done_on, D(today), left, warn) == state


@pytest.mark.parametrize(
    ("state", "light"),
    [
        (lights.ON_TRACK, GREEN),
        (lights.DONE, GREEN),
        (lights.DUE_SOON, YELLOW),
        (lights.OVERDUE, RED),
        (lights.DONE_LATE, RED),
    ],
)
def test_light_of_a_deadline_state(state, light):
    assert lights.light_of(state) == light


def test_light_labels_are_declared_once_for_every_light():
    assert set(lights.LIGHT_LABELS) == {GREEN, YELLOW, RED}


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
