"""Working days: China's official holidays and make-up workdays (调休), plus overrides.

Rules:
- a day is a working day if an override says so; else, for a year chinese-calendar knows,
  as the State Council's notice says (holidays off, make-up weekend days on);
- for a year it does not know yet, Monday to Friday are working days (a fallback the office
  is warned about until the admin enters that year's holidays as overrides);
- a deadline that falls on a day off moves to the next working day.
"""

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

from chinese_calendar.constants import holidays as LIBRARY_HOLIDAYS
from chinese_calendar.constants import workdays as LIBRARY_WORKDAYS

# the years chinese-calendar knows (its own is_workday raises outside them)
LIBRARY_YEARS = (min(LIBRARY_HOLIDAYS).year, max(LIBRARY_HOLIDAYS).year)
# the index covers the library's years and this many years after them (weekday fallback);
# days outside the index are answered day by day, with the same rule
INDEX_YEARS_AFTER = 15


def library_knows(year: int) -> bool:
    """True if chinese-calendar has the official holidays of that year."""
    return LIBRARY_YEARS[0] <= year <= LIBRARY_YEARS[1]


def _library_workday(day: date) -> bool:
    """chinese_calendar.is_workday without its per-call min/max over the holiday table,
    and Monday to Friday for a year it does not know."""
    if library_knows(day.year):
        return day in LIBRARY_WORKDAYS or (day.weekday() < 5 and day not in LIBRARY_HOLIDAYS)
    return day.weekday() < 5


class _DayIndex:
    """The working days of [first, last] as flags and running counts, so that a day's
    answer is one lookup, a count of working days one subtraction and the n-th next
    working day one list access (`workdays` holds the ordinals, sorted)."""

    def __init__(self, first: date, last: date, overrides: tuple[tuple[date, bool], ...]):
        self.first, self.last = first.toordinal(), last.toordinal()
        override = dict(overrides)
        flags = bytearray(self.last - self.first + 1)
        day = first
        for i in range(len(flags)):
            answer = override.get(day)
            flags[i] = _library_workday(day) if answer is None else answer
            day += timedelta(days=1)
        self.flags = bytes(flags)
        # upto[i]: working days among the first i days of the index
        self.upto = list(accumulate(flags, initial=0))
        self.workdays = [self.first + i for i, flag in enumerate(flags) if flag]

    def covers(self, day: date) -> bool:
        return self.first <= day.toordinal() <= self.last

    def is_workday(self, day: date) -> bool:
        return bool(self.flags[day.toordinal() - self.first])

    def count_upto(self, day: date) -> int:
        """Working days of the index on or before `day` (a covered day)."""
        return self.upto[day.toordinal() - self.first + 1]

    def nth(self, k: int) -> date | None:
        """The k-th working day of the index (0-based), None past its end."""
        return date.fromordinal(self.workdays[k]) if 0 <= k < len(self.workdays) else None

    def first_on_or_after(self, day: date) -> date | None:
        return self.nth(bisect_left(self.workdays, day.toordinal()))


@lru_cache(maxsize=16)
def _index(overrides: tuple[tuple[date, bool], ...]) -> _DayIndex:
    """One index per set of overrides, shared by every calendar built with it (a request
    loads the calendar afresh; the index is built once per process and override set)."""
    years = [d.year for d, _ in overrides]
    first = date(min([LIBRARY_YEARS[0], *years]), 1, 1)
    last = date(max([LIBRARY_YEARS[1] + INDEX_YEARS_AFTER, *years]), 12, 31)
    return _DayIndex(first, last, overrides)


class WorkingCalendar:
    """Pure: answers working-day questions from the library and a dict of overrides.

    Answers come from a precomputed index of working days (`_DayIndex`: O(1) per day,
    per count and per n-th working day), identical to counting day by day; days outside
    the index (before 2004 or far ahead) are counted day by day with the same rule."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self._index = _index(tuple(sorted(self.overrides.items())))

    def knows(self, year: int) -> bool:
        return library_knows(year)

    def is_workday(self, day: date) -> bool:
        if self._index.covers(day):
            return self._index.is_workday(day)
        return self._is_workday(day)

    def _is_workday(self, day: date) -> bool:
        """The day-by-day definition: an override, else the library, else Monday-Friday."""
        if day in self.overrides:
            return self.overrides[day]
        return _library_workday(day)

    def next_workday(self, day: date) -> date:
        """The day itself if it is a working day, else the next working day."""
        if self._index.covers(day):
            found = self._index.first_on_or_after(day)
            if found is not None:
                return found
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 0; n = 0 gives next_workday(day))."""
        if n <= 0:
            return self.next_workday(day)
        if self._index.covers(day):
            found = self._index.nth(self._index.count_upto(day) + n - 1)
            if found is not None:
                return found
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days `end` lies after `start`."""
        if end <= start:
            return -self.workdays_between(end, start) if end < start else 0
        index = self._index
        if index.covers(start) and index.covers(end):
            return index.count_upto(end) - index.count_upto(start)
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
