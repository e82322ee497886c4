"""Loading the working calendar with the overrides stored in the database."""

from sqlalchemy import select

from tracker.calendar.models import CalendarOverride
from tracker.calendar.rules import WorkingCalendar
from tracker.extensions import db


def load_calendar() -> WorkingCalendar:
    """The working calendar with the overrides stored in the database."""
    rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    return WorkingCalendar({r.day: r.is_workday for r in rows})
