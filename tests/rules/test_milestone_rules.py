"""Milestone lights and pace (序时进度): pure tables, no app (tracker.plans.milestones.rules).

The zone plan's measures run 2021–2023 with one phase a year: a missed 2021 milestone is
overdue work in 2022 although the task's own end (2023-12-31) is far off.
"""

from datetime import date

import pytest

from tracker.calendar.rules import WorkingCalendar
from tracker.plans.lights import (
    DONE,
    DONE_LATE,
    DUE_SOON,
    GREEN,
    ON_TRACK,
    OVERDUE,
    RED,
    YELLOW,
    task_light,
)
from tracker.plans.milestones import rules
from tracker.plans.milestones.rules import BEHIND, ON_PACE

D = date.fromisoformat
CAL = WorkingCalendar()
ZONE = [(D("2021-12-31"), None), (D("2022-12-31"), None), (D("2023-12-31"), None)]


@pytest.mark.parametrize(
    ("task_status", "due", "done_on", "today", "state", "light"),
    [
        # the done-when case: 2021's phase missed, seen on a frozen day in 2022
        ("in_progress", "2021-12-31", None, "2022-06-15", OVERDUE, RED),
        ("pending", "2021-12-31", None, "2022-06-15", OVERDUE, RED),  # not yet assigned
        ("in_progress", "2022-12-31", None, "2022-06-15", ON_TRACK, GREEN),
        ("in_progress", "2026-12-01", None, "2026-11-24", DUE_SOON, YELLOW),  # 5 working days
        ("in_progress", "2026-12-02", None, "2026-11-24", ON_TRACK, GREEN),
        # a due date on a holiday moves to the next working day (10-01 -> 10-08)
        ("in_progress", "2026-10-01", None, "2026-10-08", DUE_SOON, YELLOW),
        ("in_progress", "2026-10-01", None, "2026-10-09", OVERDUE, RED),
        # done: on time, or late (history) — either way no longer a red light
        ("in_progress", "2021-12-31", "2021-12-20", "2022-06-15", DONE, GREEN),
        ("in_progress", "2021-12-31", "2022-03-01", "2022-06-15", DONE_LATE, GREEN),
        # a closed or archived task has nothing late any more
        ("closed", "2021-12-31", None, "2022-06-15", DONE, GREEN),
        ("archived", "2021-12-31", None, "2022-06-15", DONE, GREEN),
    ],
)
def test_milestone_state_and_light(task_status, due, done_on, today, state, light):
    done = D(done_on) if done_on else None
    args = (task_status, D(due), done, D(today), CAL)
    assert rules.milestone_state(*args) == state
    assert rules.milestone_light(*args) == light


@pytest.mark.parametrize(
    ("task_light", "milestone_lights", "expected"),
    [
        (GREEN, [], GREEN),
        (GREEN, [GREEN, GREEN], GREEN),
        (GREEN, [RED, GREEN, GREEN], RED),  # the missed milestone decides
        (GREEN, [YELLOW], YELLOW),
        (YELLOW, [RED], RED),
        (RED, [GREEN], RED),
        (YELLOW, [GREEN], YELLOW),
    ],
)
def test_combined_light(task_light, milestone_lights, expected):
    assert rules.combined_light(task_light, milestone_lights) == expected


@pytest.mark.parametrize(
    ("today", "done", "task_expected", "combined"),
    [
        # done when: red for the missed 2021 milestone while the task's own light is green
        ("2022-06-15", [None, None, None], GREEN, RED),
        ("2022-06-15", ["2021-12-30", None, None], GREEN, GREEN),
        ("2021-06-15", [None, None, None], GREEN, GREEN),
        ("2022-12-27", ["2021-12-30", None, None], GREEN, YELLOW),  # 2022's is due soon
        ("2024-01-10", ["2021-12-30", "2022-12-30", None], RED, RED),
    ],
)
def test_zone_plan_measure_on_a_frozen_day(today, done, task_expected, combined):
    day = D(today)
    own = task_light("in_progress", D("2023-12-31"), day, CAL)
    assert own == task_expected
    lights = [
        rules.milestone_light("in_progress", due, D(d) if d else None, day, CAL)
        for (due, _), d in zip(ZONE, done, strict=True)
    ]
    assert rules.combined_light(own, lights) == combined


@pytest.mark.parametrize(
    ("start", "due", "milestones", "day", "expected"),
    [
        # linear from start to due without milestones
        ("2020-01-01", "2030-01-01", [], "2028-01-01", 80),
        ("2020-01-01", "2030-01-01", [], "2019-06-01", 0),
        ("2020-01-01", "2030-01-01", [], "2031-01-01", 100),
        ("2026-01-01", "2026-01-11", [], "2026-01-06", 50),
        # nothing to judge by
        (None, "2030-01-01", [], "2028-01-01", None),
        ("2020-01-01", None, [], "2028-01-01", None),
        ("2020-01-01", "2019-01-01", [], "2028-01-01", None),
        # milestones spread evenly: 33 / 67 / 100 at the ends of 2021, 2022, 2023
        ("2021-01-01", "2023-12-31", ZONE, "2021-12-31", 33),
        ("2021-01-01", "2023-12-31", ZONE, "2022-12-31", 67),
        ("2021-01-01", "2023-12-31", ZONE, "2023-12-31", 100),
        ("2021-01-01", "2023-12-31", ZONE, "2022-07-02", 50),
        ("2021-01-01", "2023-12-31", ZONE, "2020-06-01", 0),
        # no start: the first milestone is a step from 0 on its day
        (None, "2023-12-31", ZONE, "2021-06-01", 0),
        (None, "2023-12-31", ZONE, "2021-12-31", 33),
        # milestones with their own percents; the due date after them is 100
        (
            "2026-01-01",
            "2026-12-31",
            [(D("2026-03-31"), 10), (D("2026-06-30"), 60)],
            "2026-06-30",
            60,
        ),
        (
            "2026-01-01",
            "2026-12-31",
            [(D("2026-03-31"), 10), (D("2026-06-30"), 60)],
            "2026-12-31",
            100,
        ),
        # a percent lower than an earlier one never takes the pace back
        ("2026-01-01", None, [(D("2026-03-31"), 50), (D("2026-06-30"), 20)], "2026-06-30", 50),
    ],
)
def test_expected_percent(start, due, milestones, day, expected):
    s = D(start) if start else None
    d = D(due) if due else None
    assert rules.expected_percent(s, d, milestones, D(day)) == expected


@pytest.mark.parametrize(
    ("status", "expected", "reported", "margin", "state"),
    [
        ("in_progress", 80, 30, 15, BEHIND),  # done when: 30 % with 80 % of the time gone
        ("in_progress", 80, 65, 15, ON_PACE),  # exactly the margin behind is still on pace
        ("in_progress", 80, 64, 15, BEHIND),
        ("in_progress", 80, 64, 20, ON_PACE),  # the margin is a setting
        ("assigned", 50, 90, 15, ON_PACE),
        ("in_progress", 80, None, 15, None),  # no report yet: not judged
        ("in_progress", None, 30, 15, None),  # no expected percent
        ("closed", 80, 30, 15, None),
        ("archived", 80, 30, 15, None),
    ],
)
def test_pace_state(status, expected, reported, margin, state):
    assert rules.pace_state(status, expected, reported, margin) == state


@pytest.mark.parametrize(
    ("status", "milestones", "reported", "day", "behind"),
    [
        # a task at 30 % with 80 % of its time gone (2020–2030, on 2028-01-01)
        ("in_progress", [], 30, "2028-01-01", True),
        ("in_progress", [], 70, "2028-01-01", False),
        ("in_progress", [], 30, "2023-01-01", False),  # 30 % with 30 % gone
        ("closed", [], 30, "2028-01-01", False),
        # milestones decide the pace: 90 % expected by 2022 although the end is 2030
        ("in_progress", [(D("2022-01-01"), 90)], 50, "2022-01-01", True),
    ],
)
def test_behind_pace(status, milestones, reported, day, behind):
    start, due = D("2020-01-01"), D("2030-01-01")
    assert rules.behind_pace(status, start, due, milestones, reported, D(day)) is behind


PHASES = [
    {"year": 2021, "phrase": "2021年架梁立柱", "due_date": "2021-12-31"},
    {"year": 2022, "phrase": "2022年重点突破", "due_date": "2022-12-31"},
    {"year": 2023, "phrase": "2023年底建设成型", "due_date": "2023-12-31"},
]


@pytest.mark.parametrize(
    ("phases", "task_due", "expected"),
    [
        (PHASES, "2023-12-31", ["2021-12-31", "2022-12-31", "2023-12-31"]),
        (PHASES, None, ["2021-12-31", "2022-12-31", "2023-12-31"]),
        (PHASES, "2022-12-31", ["2021-12-31", "2022-12-31"]),
        (PHASES, "2021-12-31", []),  # one phase left is the task's own deadline
        (PHASES[:1], "2023-12-31", []),
        ([], "2023-12-31", []),
        (
            [{"phrase": "", "due_date": "2021-12-31"}, *PHASES[1:]],
            None,
            ["2022-12-31", "2023-12-31"],
        ),
    ],
)
def test_phase_milestones(phases, task_due, expected):
    found = rules.phase_milestones(phases, D(task_due) if task_due else None)
    assert [d.isoformat() for d, _ in found] == expected
