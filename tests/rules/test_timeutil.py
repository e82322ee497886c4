"""Local dates and month arithmetic (tracker.timeutil), once for every feature."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tracker.timeutil import (
    local_date,
    local_day_bounds,
    month_end,
    next_month,
    previous_month,
)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (None, None),
        (datetime(2026, 11, 24, 15, 59), date(2026, 11, 24)),  # naive = UTC: 23:59 Beijing
        (datetime(2026, 11, 24, 16, 0), date(2026, 11, 25)),  # midnight in Beijing
        (datetime(2026, 12, 31, 16, 30), date(2027, 1, 1)),
        (datetime(2026, 11, 24, 16, 0, tzinfo=UTC), date(2026, 11, 25)),
        (datetime(2026, 11, 25, 0, 30, tzinfo=timezone(timedelta(hours=8))), date(2026, 11, 25)),
    ],
)
def test_local_date(moment, expected):
    assert local_date(moment) == expected


def test_local_day_bounds():
    assert local_day_bounds(date(2026, 11, 25)) == (
        datetime(2026, 11, 24, 16, 0),
        datetime(2026, 11, 25, 16, 0),
    )


@pytest.mark.parametrize(
    ("year", "month", "before", "after", "last_day"),
    [
        (2026, 1, (2025, 12), (2026, 2), date(2026, 1, 31)),
        (2026, 2, (2026, 1), (2026, 3), date(2026, 2, 28)),
        (2028, 2, (2028, 1), (2028, 3), date(2028, 2, 29)),  # leap year
        (2026, 11, (2026, 10), (2026, 12), date(2026, 11, 30)),
        (2026, 12, (2026, 11), (2027, 1), date(2026, 12, 31)),
    ],
)
def test_month_arithmetic(year, month, before, after, last_day):
    assert previous_month(year, month) == before
    assert next_month(year, month) == after
    assert month_end(year, month) == last_day
    assert previous_month(*next_month(year, month)) == (year, month)
