"""Scoring periods as pure values: a month ("2026-10"), a quarter ("2026-Q4") or a year
("2026"). Part of the scoring rules (tracker.scoring.rules re-exports these names)."""

import re
from dataclasses import dataclass
from datetime import date

from tracker.timeutil import month_end

# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A scoring period: a month ("2026-10"), a quarter ("2026-Q4") or a year ("2026")."""

    kind: str
    key: str
    start: date
    end: date
    months: tuple[str, ...]


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_period(text: str) -> Period:
    """ "YYYY-MM", "YYYY-Qn" or "YYYY" as a Period; ValueError for anything else."""
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(text)
        return Period(
            "month",
            month_key(year, month),
            date(year, month, 1),
            month_end(year, month),
            (month_key(year, month),),
        )
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        months = tuple(month_key(year, first + i) for i in range(3))
        return Period(
            "quarter",
            f"{year:04d}-Q{quarter}",
            date(year, first, 1),
            month_end(year, first + 2),
            months,
        )
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        months = tuple(month_key(year, i) for i in range(1, 13))
        return Period("year", f"{year:04d}", date(year, 1, 1), date(year, 12, 31), months)
    raise ValueError(text)


def period_for(kind: str, day: date) -> Period:
    """The period of the given kind that contains `day`."""
    if kind == "month":
        return parse_period(month_key(day.year, day.month))
    if kind == "quarter":
        return parse_period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
    return parse_period(f"{day.year:04d}")


def previous_period(period: Period) -> Period:
    return period_for(period.kind, date.fromordinal(period.start.toordinal() - 1))


def last_month(today: date) -> str:
    """The month before today's ("YYYY-MM"): the latest month whose scores can be complete."""
    return previous_period(period_for("month", today)).key
