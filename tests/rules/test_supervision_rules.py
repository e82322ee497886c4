"""The workflow's decisions: assignment, acknowledgement, extensions, close-out and
instructions (pure functions, no app)."""

from datetime import date

import pytest

from tracker.supervision.workflow import rules

TODAY = date(2026, 10, 13)
DUE = date(2026, 12, 31)

# 1 -> 2 -> 3 (reorganised twice), 4 -> 3, 5 alone, 6 <-> 7 (a cycle the unit form refuses)
SUCCESSORS = {1: 2, 2: 3, 3: None, 4: 3, 5: None, 6: 7, 7: 6}


@pytest.mark.parametrize(
    ("unit", "expected"),
    [(3, 3), (2, 3), (1, 3), (4, 3), (5, 5), (99, 99), (6, 7), (7, 6)],
)
def test_final_successor_follows_the_chain(unit, expected):
    assert rules.final_successor(unit, SUCCESSORS) == expected


@pytest.mark.parametrize(
    ("lead", "co_units", "expected"),
    [
        (5, [], [(5, True)]),
        (5, [3], [(5, True), (3, False)]),
        (1, [5], [(3, True), (5, False)]),  # the lead unit's work moves to its successor
        (5, [1, 4], [(5, True), (3, False)]),  # two co-units merged into one: assigned once
        (1, [4, 5], [(3, True), (5, False)]),  # a co-unit merged into the lead: the lead wins
        (5, [5], [(5, True)]),  # named twice
    ],
)
def test_assignment_units(lead, co_units, expected):
    assert rules.assignment_units(lead, co_units, SUCCESSORS) == expected


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("pending", None),
        ("assigned", "already_assigned"),
        ("in_progress", "already_assigned"),
        ("closed", "task_closed"),
    ],
)
def test_check_assign(status, error):
    assert rules.check_assign(status) == error


@pytest.mark.parametrize(
    ("status", "has_assignment", "acknowledged", "error"),
    [
        ("assigned", True, False, None),
        ("in_progress", True, False, None),  # a co-unit acknowledging after the lead unit
        ("assigned", False, False, "not_assigned_to_unit"),
        ("pending", False, False, "not_assigned_to_unit"),
        ("assigned", True, True, "already_acknowledged"),
        ("closed", True, False, "task_closed"),
    ],
)
def test_check_acknowledge(status, has_assignment, acknowledged, error):
    assert rules.check_acknowledge(status, has_assignment, acknowledged) == error


@pytest.mark.parametrize(
    ("today", "due", "late"),
    [
        (date(2026, 10, 8), date(2026, 10, 8), False),  # on the due day: on time
        (date(2026, 10, 9), date(2026, 10, 8), True),
        (date(2026, 9, 30), date(2026, 10, 8), False),
        (date(2026, 10, 9), None, False),
    ],
)
def test_is_late(today, due, late):
    assert rules.is_late(today, due) is late


@pytest.mark.parametrize(
    ("status", "is_lead", "new"),
    [
        ("assigned", True, "in_progress"),
        ("assigned", False, None),  # a co-unit's acknowledgement does not start the task
        ("in_progress", True, None),
        ("in_progress", False, None),
    ],
)
def test_status_after_acknowledgement(status, is_lead, new):
    assert rules.status_after_acknowledgement(status, is_lead) == new


@pytest.mark.parametrize(
    ("status", "current_due", "requested_due", "has_pending", "error"),
    [
        ("in_progress", DUE, date(2027, 3, 31), False, None),
        ("assigned", DUE, date(2027, 1, 1), False, None),
        ("in_progress", date(2020, 12, 31), TODAY, False, None),  # overdue task: today is fine
        ("in_progress", date(2020, 12, 31), date(2026, 10, 12), False, "date_in_past"),
        ("in_progress", DUE, DUE, False, "date_not_later"),
        ("in_progress", DUE, date(2026, 11, 30), False, "date_not_later"),
        ("in_progress", DUE, date(2027, 3, 31), True, "extension_pending"),
        ("in_progress", None, date(2027, 3, 31), False, "no_due_date"),
        ("pending", DUE, date(2027, 3, 31), False, "not_assigned"),
        ("closed", DUE, date(2027, 3, 31), False, "task_closed"),
        ("closed", DUE, date(2027, 3, 31), True, "task_closed"),  # the first reason wins
    ],
)
def test_check_extension_request(status, current_due, requested_due, has_pending, error):
    assert (
        rules.check_extension_request(status, current_due, requested_due, TODAY, has_pending)
        == error
    )


@pytest.mark.parametrize(
    ("status", "has_pending", "error"),
    [
        ("in_progress", False, None),
        ("assigned", False, None),
        ("in_progress", True, "close_out_pending"),
        ("pending", False, "not_assigned"),
        ("closed", False, "task_closed"),
    ],
)
def test_check_close_out_request(status, has_pending, error):
    assert rules.check_close_out_request(status, has_pending) == error


EXT, CLOSE = rules.EXTENSION_DECISIONS, rules.CLOSE_OUT_DECISIONS


@pytest.mark.parametrize(
    ("state", "decision", "note", "allowed", "error"),
    [
        ("pending", "approve", "", EXT, None),
        ("pending", "reject", "理由不充分", EXT, None),
        ("pending", "reject", "", EXT, "note_required"),
        ("pending", "reject", "   ", EXT, "note_required"),
        ("pending", "confirm", "", CLOSE, None),
        ("pending", "refuse", "", CLOSE, "note_required"),
        ("pending", "refuse", "佐证不足", CLOSE, None),
        ("pending", "confirm", "", EXT, "bad_decision"),
        ("pending", "", "", CLOSE, "bad_decision"),
        ("approved", "approve", "", EXT, "already_decided"),
        ("rejected", "reject", "again", EXT, "already_decided"),
    ],
)
def test_check_decision(state, decision, note, allowed, error):
    assert rules.check_decision(state, decision, note, allowed) == error


@pytest.mark.parametrize(
    ("status", "extension_pending", "error"),
    [
        ("in_progress", False, None),
        ("assigned", False, None),
        ("in_progress", True, "decide_extension_first"),
        ("closed", False, "task_closed"),
        ("pending", False, "not_assigned"),
    ],
)
def test_check_close_out_confirm(status, extension_pending, error):
    assert rules.check_close_out_confirm(status, extension_pending) == error


@pytest.mark.parametrize(
    ("status", "error"),
    [("pending", None), ("assigned", None), ("in_progress", None), ("closed", "task_closed")],
)
def test_check_instruction(status, error):
    assert rules.check_instruction(status) == error


def test_check_answer():
    assert rules.check_answer(False) is None
    assert rules.check_answer(True) == "already_answered"


@pytest.mark.parametrize(
    ("ack_due", "acknowledged", "overdue"),
    [
        (date(2026, 10, 12), False, True),
        (date(2026, 10, 13), False, False),
        (date(2026, 10, 12), True, False),
    ],
)
def test_ack_overdue(ack_due, acknowledged, overdue):
    assert rules.ack_overdue(ack_due, acknowledged, TODAY) is overdue
