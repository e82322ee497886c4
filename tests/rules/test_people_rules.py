"""The rules of people as tables (tracker.plans.people.rules): who is in charge of a task,
the order of 我分管的, the week of the leader digest, the 挂图作战 time axis."""

from datetime import date

import pytest

from tracker.plans.people.rules import (
    MAX_COLUMNS,
    column_of,
    digest_week,
    leader_in_charge,
    leader_order,
    section_chain,
    time_axis,
)


@pytest.mark.parametrize(
    ("task", "sections", "plan", "expected"),
    [
        (None, [], None, None),  # nobody named anywhere
        (None, [], 7, 7),  # the plan's
        (None, [None, None], 7, 7),  # nested sections without a leader: the plan's
        (None, [5], 7, 5),  # the section's before the plan's
        (None, [None, 4], 7, 4),  # the enclosing section's when the nearest names none
        (None, [3, 4], 7, 3),  # the nearest section wins
        (2, [3, 4], 7, 2),  # the task's own wins over all
        (2, [], None, 2),
    ],
)
def test_leader_in_charge(task, sections, plan, expected):
    assert leader_in_charge(task, sections, plan) == expected


@pytest.mark.parametrize(
    ("section", "parents", "expected"),
    [
        (None, {}, []),
        (1, {}, [1]),
        (3, {3: 2, 2: 1, 1: None}, [3, 2, 1]),
        (3, {3: 2, 2: 3}, [3, 2]),  # a loop in the data stops
    ],
)
def test_section_chain(section, parents, expected):
    assert section_chain(section, parents) == expected


D1, D2 = date(2026, 12, 1), date(2027, 3, 1)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (("red", False, "assigned", D2, 1, 1), ("yellow", False, "assigned", D1, 1, 2)),
        (("red", False, "assigned", D2, 1, 1), ("green", True, "assigned", D1, 1, 2)),
        (("green", True, "in_progress", D2, 1, 1), ("yellow", False, "assigned", D1, 1, 2)),
        (("yellow", False, "assigned", D2, 1, 1), ("green", False, "assigned", D1, 1, 2)),
        (("green", False, "assigned", D1, 2, 9), ("green", False, "assigned", D2, 1, 1)),
        (("green", False, "assigned", D2, 1, 1), ("green", False, "assigned", None, 1, 2)),
        (("green", False, "pending", D1, 1, 1), ("green", False, "closed", D1, 1, 2)),
        (("green", False, "assigned", D1, 1, 1), ("green", False, "assigned", D1, 1, 2)),
    ],
)
def test_leader_order_red_then_behind_pace_then_yellow_then_due_date(earlier, later):
    assert leader_order(*earlier) < leader_order(*later)


@pytest.mark.parametrize(
    ("day", "workday", "week"),
    [
        (date(2026, 11, 30), True, "2026-W49"),  # a Monday
        (date(2026, 12, 4), True, "2026-W49"),  # the Friday of the same week: same key
        (date(2026, 12, 5), False, None),  # Saturday
        (date(2026, 10, 1), False, None),  # National Day
        (date(2026, 10, 10), True, "2026-W41"),  # a make-up workday on a Saturday
        (date(2027, 1, 1), False, None),
        (date(2027, 1, 4), True, "2027-W01"),
        (date(2026, 12, 31), True, "2026-W53"),
    ],
)
def test_digest_week(day, workday, week):
    assert digest_week(day, workday) == week


@pytest.mark.parametrize(
    ("start", "end", "count", "first_label", "last_label"),
    [
        (date(2026, 1, 15), date(2026, 6, 2), 6, "2026.1", "2026.6"),
        (date(2026, 1, 1), date(2027, 4, 30), 16, "2026.1", "2027.4"),  # 16 months fit
        (date(2026, 1, 1), date(2027, 5, 1), 6, "2026Q1", "2027Q2"),
        (date(2021, 3, 1), date(2023, 12, 31), 12, "2021Q1", "2023Q4"),
        (date(2017, 1, 1), date(2020, 12, 31), 16, "2017Q1", "2020Q4"),
        (date(2017, 1, 1), date(2025, 12, 31), 9, "2017", "2025"),
        (date(2000, 1, 1), date(2050, 12, 31), 13, "2000–2003", "2048–2051"),
        (date(2026, 6, 2), date(2026, 1, 15), 6, "2026.1", "2026.6"),  # reversed
        (date(2026, 5, 5), date(2026, 5, 5), 1, "2026.5", "2026.5"),
        # a due date typed as the calendar's last day: the last column ends on it
        (date(9999, 12, 1), date(9999, 12, 31), 1, "9999.12", "9999.12"),
        (date(9998, 6, 1), date(9999, 12, 31), 7, "9998Q2", "9999Q4"),
        (date(2026, 1, 1), date(9999, 12, 31), 16, "2026–2524", "9511–9999"),
    ],
)
def test_time_axis(start, end, count, first_label, last_label):
    columns = time_axis(start, end)
    assert len(columns) == count <= MAX_COLUMNS
    assert (columns[0][2], columns[-1][2]) == (first_label, last_label)
    # the columns are contiguous and cover both ends
    assert columns[0][0] <= min(start, end) and columns[-1][1] >= max(start, end)
    for (_f, last, _l), (first, _x, _y) in zip(columns, columns[1:], strict=False):
        assert (first - last).days == 1


COLUMNS = time_axis(date(2021, 1, 1), date(2023, 12, 31))


@pytest.mark.parametrize(
    ("day", "index"),
    [
        (None, None),
        (date(2021, 1, 1), 0),
        (date(2021, 3, 31), 0),
        (date(2021, 4, 1), 1),
        (date(2023, 12, 31), 11),
        (date(2019, 5, 1), 0),  # before the axis: the first column
        (date(2030, 5, 1), 11),  # after it: the last
    ],
)
def test_column_of(day, index):
    assert column_of(COLUMNS, day) == index
    assert column_of([], date(2021, 1, 1)) is None
