"""Working-day rules around weekends, official holidays and make-up workdays (no app)."""

from datetime import date

import pytest

from tracker.calendar.rules import WorkingCalendar, report_due_date

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),  # still the Golden Week
        (date(2026, 10, 8), True),  # back to work (Thursday)
        (date(2026, 10, 10), True),  # Saturday, make-up workday (调休)
        (date(2026, 9, 20), True),  # Sunday, make-up workday
        (date(2026, 11, 21), False),  # ordinary Saturday
        (date(2026, 11, 23), True),  # ordinary Monday
        (date(2026, 2, 17), False),  # Spring Festival 2026
        (date(2027, 1, 4), True),  # 2027 unknown to the library: Monday by fallback
        (date(2027, 1, 2), False),  # Saturday by fallback
    ],
)
def test_is_workday(day, workday):
    assert CAL.is_workday(day) is workday


@pytest.mark.parametrize(
    ("year", "month", "due_day", "expected"),
    [
        (2026, 11, 25, date(2026, 11, 25)),  # Wednesday: stays
        (2026, 10, 1, date(2026, 10, 8)),  # National Day week: moves past the holiday
        (2026, 10, 3, date(2026, 10, 8)),
        (2026, 10, 10, date(2026, 10, 10)),  # a make-up Saturday is a working day: stays
        (2026, 4, 25, date(2026, 4, 27)),  # Saturday -> Monday
        (2026, 2, 30, date(2026, 2, 28)),  # clamped to Feb 28: a make-up Saturday (调休)
        (2026, 10, 25, date(2026, 10, 26)),  # Sunday -> Monday
    ],
)
def test_report_due_date(year, month, due_day, expected):
    assert report_due_date(CAL, year, month, due_day) == expected


def test_overrides_win_over_the_library():
    cal = WorkingCalendar({date(2026, 11, 25): False, date(2026, 11, 21): True})
    assert not cal.is_workday(date(2026, 11, 25))
    assert cal.is_workday(date(2026, 11, 21))
    assert report_due_date(cal, 2026, 11, 25) == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # across the Golden Week
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # onto a make-up Saturday
        (date(2026, 11, 20), 3, date(2026, 11, 25)),  # Friday + 3 working days
        (date(2026, 11, 21), 0, date(2026, 11, 23)),
    ],
)
def test_add_workdays(start, n, expected):
    assert CAL.add_workdays(start, n) == expected


def test_workdays_between_counts_only_working_days():
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert CAL.workdays_between(date(2026, 10, 8), date(2026, 9, 30)) == -1
    assert CAL.workdays_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


def test_unknown_years_are_reported_until_covered():
    assert CAL.unknown_years([2026, 2027]) == [2027]
    assert WorkingCalendar({date(2027, 1, 1): False}).unknown_years([2027]) == []
