"""一报多用: the pure rule deciding when one unit's report answers for the other tasks of a
link group (tracker.reports.rules.link_filings / answered_by_link / linked_filing_day)."""

from datetime import date

import pytest

from tracker.reports import rules

D = date.fromisoformat
GROUP = {1: 10, 2: 10, 3: 10, 4: 20, 5: 20}  # task -> link group; task 9 is not linked
FGW, KJJ = 100, 200


@pytest.mark.parametrize(
    ("filed", "task", "unit", "expected"),
    [
        # the same unit's submitted report on another task of the group answers
        ({(1, FGW): ("2026-11-20", "submitted")}, 2, FGW, ("2026-11-20", 1)),
        ({(1, FGW): ("2026-11-20", "accepted")}, 3, FGW, ("2026-11-20", 1)),
        # drafts and returned reports serve nothing
        ({(1, FGW): (None, "draft")}, 2, FGW, None),
        ({(1, FGW): ("2026-11-20", "returned")}, 2, FGW, None),
        # another unit's report never answers (a co-unit's for the lead, or X's for Y)
        ({(1, KJJ): ("2026-11-20", "submitted")}, 2, FGW, None),
        ({(1, FGW): ("2026-11-20", "submitted")}, 2, KJJ, None),
        # a task of another group, or not linked at all
        ({(1, FGW): ("2026-11-20", "submitted")}, 4, FGW, None),
        ({(1, FGW): ("2026-11-20", "submitted")}, 9, FGW, None),
        ({(9, FGW): ("2026-11-20", "submitted")}, 1, FGW, None),
        # the task's own report is not "answered by a link"
        ({(1, FGW): ("2026-11-20", "submitted")}, 1, FGW, None),
        # two reports in the group: the earliest first submission serves
        (
            {(1, FGW): ("2026-11-22", "submitted"), (3, FGW): ("2026-11-18", "accepted")},
            2,
            FGW,
            ("2026-11-18", 3),
        ),
        # same day: the lower task id, so the answer does not depend on load order
        (
            {(3, FGW): ("2026-11-18", "submitted"), (1, FGW): ("2026-11-18", "submitted")},
            2,
            FGW,
            ("2026-11-18", 1),
        ),
        # the earliest is the task's own: the other one does not answer for it
        (
            {(2, FGW): ("2026-11-10", "submitted"), (1, FGW): ("2026-11-18", "submitted")},
            2,
            FGW,
            None,
        ),
        ({}, 2, FGW, None),
    ],
)
def test_answered_by_link(filed, task, unit, expected):
    filed = {pair: (day and D(day), state) for pair, (day, state) in filed.items()}
    filings = rules.link_filings(GROUP, filed)
    got = rules.answered_by_link(task, unit, GROUP, filings)
    assert got == (None if expected is None else (D(expected[0]), expected[1]))


@pytest.mark.parametrize(
    ("served_on", "due", "expected"),
    [
        ("2026-11-20", "2026-11-25", "2026-11-20"),  # on time: that day
        ("2026-11-25", "2026-11-25", "2026-11-25"),
        ("2026-11-27", "2026-11-25", "2026-11-25"),  # late: the lateness is the report's own
    ],
)
def test_a_linked_pair_is_never_late_itself(served_on, due, expected):
    day = rules.linked_filing_day(D(served_on), D(due))
    assert day == D(expected)
    assert not rules.is_late(day, D(due))
