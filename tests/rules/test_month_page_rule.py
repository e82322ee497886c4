"""Which open tasks a unit files a month's report on (reports.rules.files_for_period): the
month page lists them and the save accepts them (docs/intake.md, reassignment rule 2)."""

import pytest

from tracker.plans.rules import ADDED, REMOVED
from tracker.reports.rules import files_for_period

T, U = 1, 10


@pytest.mark.parametrize(
    ("answers_now", "owed", "steps", "month", "expected"),
    [
        # no reassignment: the unit files on what it answers for now, owed or not yet
        (True, {(T, U)}, (), "2026-12", True),
        (True, set(), (), "2026-12", True),  # assigned after the due date: may still file
        (False, set(), (), "2026-12", False),
        # added this month: from next month on
        (True, set(), ((ADDED, "2026-12"),), "2026-12", False),
        (True, {(T, U)}, ((ADDED, "2026-11"),), "2026-12", True),
        (True, set(), ((ADDED, "2026-11"),), "2026-12", True),
        # removed this month: still files this month's report (it owes it)
        (False, {(T, U)}, ((REMOVED, "2026-12"),), "2026-12", True),
        # removed last month: no longer
        (False, set(), ((REMOVED, "2026-11"),), "2026-12", False),
        # lead <-> co-unit in the same month: files throughout
        (True, {(T, U)}, ((REMOVED, "2026-12"), (ADDED, "2026-12")), "2026-12", True),
        # removed in October, added back: files from the month after the addition
        (True, set(), ((REMOVED, "2026-10"), (ADDED, "2026-12")), "2026-12", False),
        (True, set(), ((REMOVED, "2026-10"), (ADDED, "2026-11")), "2026-12", True),
        # another unit's owed pair says nothing about this one
        (False, {(T, U + 1)}, (), "2026-12", False),
    ],
)
def test_files_for_period(answers_now, owed, steps, month, expected):
    changes = {(T, U): steps} if steps else {}
    assert files_for_period(T, U, month, answers_now, owed, changes) is expected
