"""Working days: China's official holidays and make-up workdays (调休), plus overrides.

Rules:
- a day is a working day if an override says so; else, for a year chinese-calendar knows,
  as the State Council's notice says (holidays off, make-up weekend days on);
- for a year it does not know yet, Monday to Friday are working days (a fallback the office
  is warned about until the admin enters that year's holidays as overrides);
- a deadline that falls on a day off moves to the next working day.
"""

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar


def library_knows(year: int) -> bool:
    """True if chinese-calendar has the official holidays of that year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Pure: answers working-day questions from the library and a dict of overrides."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self._known: dict[int, bool] = {}
        self._days: dict[date, bool] = {}  # answers so far: a list page asks for many days

    def knows(self, year: int) -> bool:
        if year not in self._known:
            self._known[year] = library_knows(year)
        return self._known[year]

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if self.knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The day itself if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 0; n = 0 gives next_workday(day))."""
        if n <= 0:
            return self.next_workday(day)
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days `end` lies after `start`."""
        if end <= start:
            return -self.workdays_between(end, start) if end < start else 0
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def unknown_years(self, years: Iterable[int]) -> list[int]:
        """Years the library does not know and no override covers at all."""
        covered = {d.year for d in self.overrides}
        return sorted({y for y in years if not self.knows(y) and y not in covered})


def report_due_date(calendar: WorkingCalendar, year: int, month: int, due_day: int) -> date:
    """The due date of a month's reports: the due day (clamped to the month's length),
    moved to the next working day if it is a day off."""
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return calendar.next_workday(date(year, month, min(due_day, last)))
