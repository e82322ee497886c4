"""The reporting rules every screen shares (pure, no app): which reports a unit owes for a
month, when a report is late, and where an owed report stands (on time, late, missing, not
yet due). The month's due date here is Wednesday 2026-11-25."""

from datetime import date

import pytest

from tracker.reports import rules

D = date.fromisoformat
DUE = D("2026-11-25")


@pytest.mark.parametrize(
    ("status", "assigned_on", "closed_on", "owes"),
    [
        ("in_progress", "2026-08-03", None, True),
        ("assigned", "2026-11-25", None, True),  # assigned on the due day itself
        ("assigned", "2026-11-26", None, False),  # assigned after the due day
        ("in_progress", None, None, False),  # never assigned to this unit
        ("pending", "2026-08-03", None, False),  # handed back: not yet assigned
        ("archived", "2026-08-03", None, False),  # withdrawn (撤销)
        ("closed", "2026-08-03", "2026-11-25", False),  # closed by the due day
        ("closed", "2026-08-03", "2026-11-10", False),
        ("closed", "2026-08-03", "2026-11-26", True),  # closed after it: the month was owed
        ("closed", "2026-08-03", "2026-12-15", True),
    ],
)
def test_owes_report(status, assigned_on, closed_on, owes):
    assigned_on, closed_on = (D(x) if x else None for x in (assigned_on, closed_on))
    assert rules.owes_report(status, assigned_on, closed_on, DUE) is owes


def test_owed_reports_per_unit_lead_co_and_successor():
    # task 1: lead 10, co-unit 11; task 2: assigned to a predecessor, already mapped to its
    # successor 12 (and to 12 again, directly, after the reorganisation: owed once); task 3
    # assigned after the due day; task 4 closed before it
    assignments = [
        (1, 10, D("2026-10-03")),
        (1, 11, D("2026-10-03")),
        (2, 12, D("2026-09-01")),
        (2, 12, D("2026-11-27")),
        (3, 10, D("2026-11-26")),
        (4, 11, D("2026-10-03")),
    ]
    tasks = {
        1: ("in_progress", None),
        2: ("assigned", None),
        3: ("assigned", None),
        4: ("closed", D("2026-11-01")),
    }
    assert rules.owed_reports(assignments, tasks, DUE) == {(1, 10), (1, 11), (2, 12)}


@pytest.mark.parametrize(
    ("first_submitted", "late"),
    [
        (None, False),  # not submitted: missing, perhaps, but not late
        ("2026-11-24", False),
        ("2026-11-25", False),  # the due day itself is in time
        ("2026-11-26", True),
    ],
)
def test_is_late_by_the_first_submission(first_submitted, late):
    assert rules.is_late(D(first_submitted) if first_submitted else None, DUE) is late


@pytest.mark.parametrize(
    ("revisions", "first"),
    [
        ((), None),
        ((None,), None),
        (("2026-11-20", "2026-12-02"), "2026-11-20"),  # returned, resubmitted after the due day
        ((None, "2026-12-02", "2026-11-27"), "2026-11-27"),
    ],
)
def test_first_submission_over_revisions(revisions, first):
    days = [D(x) if x else None for x in revisions]
    assert rules.first_submission(days) == (D(first) if first else None)


@pytest.mark.parametrize(
    ("first_submitted", "today", "standing"),
    [
        (None, "2026-11-20", rules.NOT_DUE),
        (None, "2026-11-25", rules.NOT_DUE),
        (None, "2026-11-26", rules.MISSING),
        ("2026-11-20", "2026-11-21", rules.ON_TIME),
        ("2026-11-20", "2026-12-20", rules.ON_TIME),  # returned later: still on time
        ("2026-11-27", "2026-11-28", rules.LATE),
    ],
)
def test_report_standing(first_submitted, today, standing):
    first = D(first_submitted) if first_submitted else None
    assert rules.report_standing(first, DUE, D(today)) == standing
