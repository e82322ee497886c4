"""The owed rule after a reassignment (改派, docs/intake.md): reports filed stay with the unit
that filed them; the removed unit still owes the month of the change; the added unit owes
from the next month on. One rule (tracker.reports.rules.owed_reports, over
tracker.plans.rules.answers_for_period) for the overview, the sweep and the scorecard.
Pure, no app. Unit 1 leads task 7 from August; the office reassigns it in November."""

from datetime import date, datetime

import pytest

from tracker.plans.rules import ADDED, REMOVED
from tracker.reports import rules

D = date.fromisoformat
DUE = {"2026-10": D("2026-10-26"), "2026-11": D("2026-11-25"), "2026-12": D("2026-12-25")}
TASKS = {7: ("in_progress", None)}


def at(text: str) -> datetime:
    """A stored moment (naive UTC): 02:00 UTC is 10:00 in Beijing, the same date."""
    return datetime.fromisoformat(text).replace(hour=2)


@pytest.mark.parametrize(
    ("assignments", "changes", "month", "owed"),
    [
        # no reassignment: the assigned units owe every month
        ([(1, "08-03"), (2, "08-03")], {}, "2026-11", {1, 2}),
        # 1 replaced by 3 in November (3 handed it on 11-10): 1 owes October and November,
        # 3 owes from December — although it was assigned before November's due date
        (
            [(1, "08-03"), (3, "11-10")],
            {1: [(REMOVED, "2026-11")], 3: [(ADDED, "2026-11")]},
            "2026-10",
            {1},
        ),
        (
            [(1, "08-03"), (3, "11-10")],
            {1: [(REMOVED, "2026-11")], 3: [(ADDED, "2026-11")]},
            "2026-11",
            {1},
        ),
        (
            [(1, "08-03"), (3, "11-10")],
            {1: [(REMOVED, "2026-11")], 3: [(ADDED, "2026-11")]},
            "2026-12",
            {3},
        ),
        # a co-unit added in November owes from December; the lead owes throughout
        ([(1, "08-03"), (4, "11-10")], {4: [(ADDED, "2026-11")]}, "2026-11", {1}),
        ([(1, "08-03"), (4, "11-10")], {4: [(ADDED, "2026-11")]}, "2026-12", {1, 4}),
        # lead and co-unit swap roles in November: both owe every month
        (
            [(1, "08-03"), (2, "08-03")],
            {
                1: [(REMOVED, "2026-11"), (ADDED, "2026-11")],
                2: [(REMOVED, "2026-11"), (ADDED, "2026-11")],
            },
            "2026-12",
            {1, 2},
        ),  # fmt: skip
        # removed in October, brought back in November: owes October, not November, December
        (
            [(1, "08-03")],
            {1: [(REMOVED, "2026-10"), (ADDED, "2026-11")]},
            "2026-11",
            set(),
        ),
        ([(1, "08-03")], {1: [(REMOVED, "2026-10"), (ADDED, "2026-11")]}, "2026-12", {1}),
        # the rule does not make anyone owe who was not assigned by the due date
        ([(3, "11-26")], {3: [(ADDED, "2026-10")]}, "2026-11", set()),
    ],
)
def test_owed_reports_follow_reassignments(assignments, changes, month, owed):
    pairs = [(7, unit, D(f"2026-{day}")) for unit, day in assignments]
    by_pair = {(7, unit): tuple(steps) for unit, steps in changes.items()}
    got = rules.owed_reports(pairs, TASKS, DUE[month], month, by_pair)
    assert got == {(7, unit) for unit in owed}


def test_changes_need_the_month():
    with pytest.raises(ValueError):
        rules.owed_reports([(7, 1, D("2026-08-03"))], TASKS, DUE["2026-11"], None,
                           {(7, 1): ((REMOVED, "2026-11"),)})  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "steps", "first", "dropped"),
    [
        # there from the start, removed before acknowledging: assigned with the task
        ([], [(REMOVED, "2026-11-12")], "2026-08-03", "2026-08-03"),
        # removed on the day the task was assigned (assigned, then reassigned at once)
        ([], [(REMOVED, "2026-11-12")], "2026-11-12", "2026-11-12"),
        # added to the assigned task in October, removed in November: assigned when added
        ([], [(ADDED, "2026-10-09"), (REMOVED, "2026-11-12")], "2026-08-03", "2026-10-09"),
        # still has its row (it had acknowledged): nothing to add
        ([1], [(REMOVED, "2026-11-12")], "2026-08-03", None),
        # removed while the task was still unassigned: never assigned
        ([], [(REMOVED, "2026-11-12")], "2026-11-20", None),
        ([], [(REMOVED, "2026-11-12")], None, None),
        # removed, then added back (no row: the task was not assigned then)
        ([], [(REMOVED, "2026-10-12"), (ADDED, "2026-11-12")], "2026-08-03", None),
    ],
)
def test_dropped_assignments(rows, steps, first, dropped):
    assigned = {(7, unit) for unit in rows}
    removals = {(7, 1): tuple((change, at(day)) for change, day in steps)}
    first_assigned = {7: at(first)} if first else {}
    got = rules.dropped_assignments(assigned, removals, first_assigned)
    assert got == ([(7, 1, D(dropped))] if dropped else [])


def test_a_removed_unit_without_its_row_still_owes_the_month_of_the_change():
    """Unit 1 never acknowledged; the office replaced it by 3 on 11-12, dropping its row."""
    changes = {(7, 1): ((REMOVED, "2026-11"),), (7, 3): ((ADDED, "2026-11"),)}
    removals = {(7, 1): ((REMOVED, at("2026-11-12")),), (7, 3): ((ADDED, at("2026-11-12")),)}
    rows = [(7, 3, D("2026-11-12"))]
    rows += rules.dropped_assignments({(7, 3)}, removals, {7: at("2026-08-03")})
    owed = {m: rules.owed_reports(rows, TASKS, due, m, changes) for m, due in DUE.items()}
    assert owed == {"2026-10": {(7, 1)}, "2026-11": {(7, 1)}, "2026-12": {(7, 3)}}
