"""Intake rules (pure, no app): default deadlines on the 2026 calendar, section paths,
deleting vs archiving, and what moves with a reassignment (改派)."""

from datetime import date

import pytest

from tracker.calendar.rules import WorkingCalendar
from tracker.plans import rules
from tracker.plans.rules import ADDED, CO, LEAD, REMOVED, UnitChange

D = date.fromisoformat
CAL = WorkingCalendar()
DEADLINES = {
    "meeting": [20, "working_days"],
    "instruction": [5, "working_days"],
    "proposal": [3, "months"],
    "other": [10, "days"],
    "policy_document": None,
}


@pytest.mark.parametrize(
    ("kind", "start", "due", "rule"),
    [
        ("instruction", "2026-03-12", "2026-03-19", (5, "working_days")),  # Thu → next Thu
        ("instruction", "2026-09-24", "2026-10-09", (5, "working_days")),  # over National Day
        ("meeting", "2026-03-02", "2026-03-30", (20, "working_days")),
        ("proposal", "2026-03-31", "2026-06-30", (3, "months")),  # month end clamped
        ("proposal", "2026-07-04", "2026-10-08", (3, "months")),  # 10-04 holiday → 10-08
        ("other", "2026-09-21", "2026-10-08", (10, "days")),  # 10-01 holiday → 10-08
        ("policy_document", "2026-03-02", None, None),
        ("assigned_from_above", "2026-03-02", None, None),  # no setting at all
    ],
)
def test_default_due(kind, start, due, rule):
    got, used = rules.default_due(kind, D(start), DEADLINES, CAL)
    assert got == (D(due) if due else None)
    assert used == rule


@pytest.mark.parametrize(
    ("amount", "unit", "problem"),
    [
        (5, "working_days", None),
        (3, "months", None),
        (0, "days", "bad_deadline_amount"),
        (25, "months", "bad_deadline_amount"),
        (366, "days", "bad_deadline_amount"),
        ("5", "days", "bad_deadline_amount"),
        (5, "weeks", "bad_deadline_unit"),
    ],
)
def test_deadline_problem(amount, unit, problem):
    assert rules.deadline_problem(amount, unit) == problem


@pytest.mark.parametrize(
    ("parent", "label", "path"),
    [
        (None, "一、", "一"),
        ("三", "（二）", "三(二)"),
        ("三(二)", "3.", "三(二)3"),
        ("三(二)", "3．", "三(二)3"),
        (None, "第一部分", "第一部分"),
        ("", " 1、 ", "1"),
    ],
)
def test_section_path(parent, label, path):
    assert rules.section_path(parent, label) == path


@pytest.mark.parametrize(
    ("status", "subtasks", "merged", "may"),
    [
        ("pending", False, False, True),
        ("assigned", False, False, False),
        ("in_progress", False, False, False),
        ("closed", False, False, False),
        ("pending", True, False, False),
        ("pending", False, True, False),
    ],
)
def test_may_delete_task(status, subtasks, merged, may):
    assert rules.may_delete_task(status, subtasks, merged) is may


@pytest.mark.parametrize(
    ("statuses", "may"),
    [([], True), (["pending", "pending"], True), (["pending", "assigned"], False)],
)
def test_may_delete_plan(statuses, may):
    assert rules.may_delete_plan(statuses) is may


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ((1, [2]), (3, [2]), [UnitChange(1, LEAD, REMOVED), UnitChange(3, LEAD, ADDED)]),
        ((1, [2, 3]), (1, [3]), [UnitChange(2, CO, REMOVED)]),
        ((1, []), (1, [4]), [UnitChange(4, CO, ADDED)]),
        # lead and co-unit swap roles
        (
            (1, [2]),
            (2, [1]),
            [
                UnitChange(1, LEAD, REMOVED),
                UnitChange(2, CO, REMOVED),
                UnitChange(2, LEAD, ADDED),
                UnitChange(1, CO, ADDED),
            ],
        ),
        ((1, [2, 3]), (1, [3, 2]), []),  # order only
    ],
)
def test_unit_changes(old, new, changes):
    assert rules.unit_changes(old[0], old[1], new[0], new[1]) == changes


@pytest.mark.parametrize(
    ("new_lead", "new_co", "reason", "problem"),
    [
        (3, [2], "机构职能调整", None),
        (None, [2], "x", "lead_required"),
        (3, [3], "x", "lead_in_co_units"),
        (3, [2, 2], "x", "duplicate_co_unit"),
        (1, [2], "x", "nothing_changed"),
        (3, [2], "  ", "reason_required"),
        (1, [2, 4], "", "reason_required"),
    ],
)
def test_reassignment_problem(new_lead, new_co, reason, problem):
    assert rules.reassignment_problem(1, [2], new_lead, new_co, reason) == problem


@pytest.mark.parametrize(
    ("unit", "period", "current", "changes", "owes"),
    [
        # no reassignment: the units that answer now owe every period
        (1, "2026-03", {1, 2}, [], True),
        (9, "2026-03", {1, 2}, [], False),
        # 1 replaced by 3 in March: 1 owes up to March, 3 from April
        (1, "2026-02", {3}, [(REMOVED, "2026-03")], True),
        (1, "2026-03", {3}, [(REMOVED, "2026-03")], True),
        (1, "2026-04", {3}, [(REMOVED, "2026-03")], False),
        (3, "2026-03", {3}, [(ADDED, "2026-03")], False),
        (3, "2026-04", {3}, [(ADDED, "2026-03")], True),
        # removed in March, brought back in May: owes to March and from June
        (1, "2026-04", {1}, [(REMOVED, "2026-03"), (ADDED, "2026-05")], False),
        (1, "2026-05", {1}, [(REMOVED, "2026-03"), (ADDED, "2026-05")], False),
        (1, "2026-06", {1}, [(REMOVED, "2026-03"), (ADDED, "2026-05")], True),
        # removed and re-added in the same month: nothing changes for it
        (1, "2026-03", {1}, [(REMOVED, "2026-03"), (ADDED, "2026-03")], True),
        (1, "2026-04", {1}, [(REMOVED, "2026-03"), (ADDED, "2026-03")], True),
        # across a year
        (3, "2027-01", {3}, [(ADDED, "2026-12")], True),
        (1, "2027-01", {3}, [(REMOVED, "2026-12")], False),
    ],
)
def test_answers_for_period(unit, period, current, changes, owes):
    assert rules.answers_for_period(unit, period, current, changes) is owes


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ([], {"total": 0, "closed": 0, "open": 0, "percent": 0, "archived": 0}),
        (
            [("closed", False), ("assigned", False), ("pending", True)],
            {"total": 2, "closed": 1, "open": 1, "percent": 50, "archived": 1},
        ),
        (
            [("closed", False)] * 3,
            {"total": 3, "closed": 3, "open": 0, "percent": 100, "archived": 0},
        ),
    ],
)
def test_roll_up(children, expected):
    assert rules.roll_up(children) == expected


@pytest.mark.parametrize(
    ("task", "target", "archived", "problem"),
    [
        (1, 2, (False, False), None),
        (1, None, (False, False), "target_required"),
        (1, 1, (False, False), "merge_into_itself"),
        (1, 2, (True, False), "archived"),
        (1, 2, (False, True), "archived"),
    ],
)
def test_merge_problem(task, target, archived, problem):
    assert rules.merge_problem(task, target, *archived) == problem


@pytest.mark.parametrize(
    ("parts", "problem"),
    [
        ([("A", 1), ("B", 2)], None),
        ([("A", 1)], None),
        ([], "split_needs_parts"),
        ([("A", 1), ("", 2)], "split_part_incomplete"),
        ([("A", None)], "split_part_incomplete"),
    ],
)
def test_split_problem(parts, problem):
    assert rules.split_problem(parts) == problem


@pytest.mark.parametrize(("day", "period"), [("2026-03-01", "2026-03"), ("2026-12-31", "2026-12")])
def test_period_of(day, period):
    assert rules.period_of(D(day)) == period
