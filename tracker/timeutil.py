"""Dates and times, once: today's date in Beijing, the Beijing date of a stored moment, and
month arithmetic.

Stored times are naive UTC; people and deadlines count Beijing dates (Asia/Shanghai, no
daylight saving). Rules take `today` as an argument; only views and jobs call today(), so
tests freeze the clock in one place. Everything else here is pure.
"""

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# The moment a history is being written at (see stamped_at); None: the real clock.
_stamp: ContextVar[datetime | None] = ContextVar("tracker_stamp", default=None)


def utcnow() -> datetime:
    """Now, as stored: naive UTC (or the moment set by `stamped_at`)."""
    moment = _stamp.get()
    return moment if moment is not None else datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def stamped_at(moment: datetime) -> Iterator[None]:
    """Within the block, utcnow() is `moment` (naive UTC): every row and audit event the
    services write carries that time at insert. Only the demo uses it, to build its history
    through the services with the times its events claim (docs/seeds.md); the audit log stays
    append-only, nothing is changed afterwards."""
    token = _stamp.set(moment)
    try:
        yield
    finally:
        _stamp.reset(token)


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def local_date(moment: datetime | None, tz=LOCAL_TZ) -> date | None:
    """The Beijing date of a stored moment (naive means UTC); None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The naive UTC start and end (exclusive) of the Beijing calendar day `day`, for
    comparing with stored times."""
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        (start + timedelta(days=1)).astimezone(UTC).replace(tzinfo=None),
    )


def previous_month(year: int, month: int) -> tuple[int, int]:
    """The month before (year, month): January's is last year's December."""
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    """The month after (year, month): December's is next year's January."""
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_end(year: int, month: int) -> date:
    """The last day of the month."""
    return date(year, month, calendar.monthrange(year, month)[1])
