"""Reporting periods: one a month, due on the office's due day moved to a working day."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.calendar.rules import WorkingCalendar, report_due_date
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.reports.models import ReportingPeriod
from tracker.settings import get_setting
from tracker.timeutil import previous_month  # noqa: F401  (callers: use tracker.timeutil)


def period_month(today: date) -> tuple[int, int]:
    """The month being reported in on `today`: the current calendar month."""
    return today.year, today.month


def ensure_period(
    year: int, month: int, calendar: WorkingCalendar | None = None
) -> ReportingPeriod:
    """The period of that month, created with its due date if it does not exist yet."""
    query = select(ReportingPeriod).where(
        ReportingPeriod.year == year, ReportingPeriod.month == month
    )
    period = db.session.scalar(query)
    if period is None:
        due_day = int(get_setting("report_due_day"))
        calendar = calendar or load_calendar()
        period = ReportingPeriod(
            year=year,
            month=month,
            due_day=due_day,
            due_date=report_due_date(calendar, year, month, due_day),
        )
        # Several people opening a new month at once: one creates it, the others use it.
        try:
            with db.session.begin_nested():
                db.session.add(period)
        except IntegrityError:
            period = db.session.scalar(query)
    return period


def current_period(today: date) -> ReportingPeriod:
    return ensure_period(*period_month(today))


def recompute_open_periods(today: date) -> int:
    """After a change of the due day or of the calendar: periods whose due date has not yet
    passed get the new due date. Past periods keep theirs (history is not rewritten)."""
    due_day = int(get_setting("report_due_day"))
    calendar = load_calendar()
    changed = 0
    for period in db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.due_date >= today)
    ).all():
        due = report_due_date(calendar, period.year, period.month, due_day)
        if (period.due_day, period.due_date) != (due_day, due):
            period.due_day, period.due_date = due_day, due
            changed += 1
    db.session.flush()
    return changed


def calendar_warning_years(today: date) -> list[int]:
    """Years whose official holidays are unknown (library and overrides) among this year and,
    from October on, the next: the office is warned until the admin fills them in."""
    years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return load_calendar().unknown_years(years)
