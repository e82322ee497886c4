"""Put a test at a given moment, as CTFd's helpers do: "on the due day", "the day after it".

Every helper freezes the clock with freezegun but leaves pytest's own modules on the real
clock (`ignore=["_pytest"]`), so `pytest --durations` still reports real durations. (The
default ignore list names `_pytest.runner.` with a trailing dot, which misses the module
itself: a test frozen in 2026 then "lasted" 1.8 billion seconds.)

    with on(date(2026, 11, 20)):                # 10:00 in Beijing on that day
    with on_due_day(period.due_date, hour=23):  # late on the due day, still on time
    with after(period.due_date):                # the next day: late
    with at("2026-11-20 09:00:00"):             # freezegun's own reading (naive = UTC)

Each returns freezegun's context manager/decorator: `move_to` and `tick` work as usual.
"""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from tracker.timeutil import LOCAL_TZ

# Modules that keep the real clock: pytest's runner, timing and terminal reporter.
REAL_CLOCK = ["_pytest"]
WORKDAY_HOUR = 10  # a moment well inside a Beijing working day


def at(moment, *, tick=False):
    """Freeze at `moment` (a datetime, a date or a string, read as freezegun reads it:
    naive means UTC). `tick=True` lets the clock run on from there."""
    return freeze_time(moment, ignore=REAL_CLOCK, tick=tick)


def beijing(day: date, hour: int = WORKDAY_HOUR, minute: int = 0) -> datetime:
    """The moment `hour:minute` of `day` in Beijing, as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def on(day: date, hour: int = WORKDAY_HOUR, minute: int = 0, *, tick=False):
    """Freeze at `hour:minute` (Beijing) on `day`."""
    return at(beijing(day, hour, minute), tick=tick)


def on_due_day(due: date, hour: int = WORKDAY_HOUR, minute: int = 0, *, tick=False):
    """Freeze on the due day itself: still in time."""
    return on(due, hour, minute, tick=tick)


def before(due: date, days: int = 1, hour: int = WORKDAY_HOUR, *, tick=False):
    """Freeze `days` calendar days before the due day."""
    return on(due - timedelta(days=days), hour, tick=tick)


def after(due: date, days: int = 1, hour: int = WORKDAY_HOUR, *, tick=False):
    """Freeze `days` calendar days after the due day: past the deadline."""
    return on(due + timedelta(days=days), hour, tick=tick)
