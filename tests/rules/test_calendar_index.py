"""The working-day index answers exactly as counting day by day does (issue 13): across
official holidays, make-up workdays (调休), overrides, year ends, and outside the index."""

from datetime import date, timedelta

import pytest

from tracker.calendar.rules import WorkingCalendar

OVERRIDES = {
    date(2026, 11, 25): False,  # a Wednesday made a day off
    date(2026, 11, 21): True,  # a Saturday made a working day
    date(2027, 2, 8): False,  # a year the library does not know
    date(2027, 2, 13): True,
}


def slow_is_workday(cal: WorkingCalendar, day: date) -> bool:
    return cal._is_workday(day)


def slow_next_workday(cal, day):
    while not slow_is_workday(cal, day):
        day += timedelta(days=1)
    return day


def slow_add_workdays(cal, day, n):
    if n <= 0:
        return slow_next_workday(cal, day)
    while n > 0:
        day += timedelta(days=1)
        if slow_is_workday(cal, day):
            n -= 1
    return day


def slow_between(cal, start, end):
    if end < start:
        return -slow_between(cal, end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += slow_is_workday(cal, day)
    return count


CALENDARS = {"library": WorkingCalendar(), "overrides": WorkingCalendar(OVERRIDES)}
STARTS = [
    date(2004, 1, 1),  # the first day the library knows
    date(2003, 12, 25),  # before the index: counted day by day
    date(2019, 12, 28),  # year end
    date(2025, 9, 27),  # Sunday make-up workday before National Day 2025
    date(2026, 2, 13),  # into the Spring Festival 2026
    date(2026, 9, 30),  # across the Golden Week
    date(2026, 10, 9),  # onto a make-up Saturday
    date(2026, 11, 20),  # across the overrides
    date(2026, 12, 31),  # the library's last year ends
    date(2027, 2, 5),  # an unknown year with overrides
    date(2041, 12, 20),  # the index's last year ends: the rest day by day
    date(2042, 1, 3),  # after the index
]


@pytest.mark.parametrize("name", CALENDARS)
@pytest.mark.parametrize("start", STARTS)
def test_is_and_next_workday_agree_with_day_by_day(name, start):
    cal = CALENDARS[name]
    for offset in range(0, 40):
        day = start + timedelta(days=offset)
        assert cal.is_workday(day) is slow_is_workday(cal, day), day
        assert cal.next_workday(day) == slow_next_workday(cal, day), day


@pytest.mark.parametrize("name", CALENDARS)
@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 7, 22, 260])
def test_add_workdays_agrees_with_day_by_day(name, start, n):
    cal = CALENDARS[name]
    assert cal.add_workdays(start, n) == slow_add_workdays(cal, start, n)


@pytest.mark.parametrize("name", CALENDARS)
@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("days", [0, 1, 3, 10, 45, 400, -1, -9, -400])
def test_workdays_between_agrees_with_day_by_day(name, start, days):
    cal = CALENDARS[name]
    end = start + timedelta(days=days)
    assert cal.workdays_between(start, end) == slow_between(cal, start, end)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 9, 30), date(2026, 10, 8), 1),  # Golden Week: one working day
        (date(2026, 10, 8), date(2026, 10, 10), 2),  # Fri + make-up Sat
        (date(2026, 11, 20), date(2026, 11, 27), 5),  # overrides: +Sat 21, -Wed 25
        (date(2026, 12, 30), date(2027, 1, 5), 4),  # into an unknown year: Jan 1 by fallback
    ],
)
def test_workdays_between_examples(start, end, expected):
    assert WorkingCalendar(OVERRIDES).workdays_between(start, end) == expected


def test_long_spans_cost_no_day_by_day_count():
    """Three years between two days: one subtraction, not 1,100 steps."""
    cal = WorkingCalendar()
    calls = []
    cal._is_workday = lambda day: calls.append(day) or True  # the day-by-day path
    assert cal.workdays_between(date(2024, 1, 1), date(2026, 12, 31)) > 700
    assert cal.add_workdays(date(2024, 1, 1), 500) > date(2025, 12, 1)
    assert calls == []
