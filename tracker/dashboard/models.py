"""State kept for the dashboard by the batch jobs (issue 13): the reporting punctuality of
finished months, per month and unit, as dashboard/punctuality.py counts it (the one rule
of tracker.reports.rules). Written only by `punctuality.refresh_punctuality`."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class PunctualityMonth(db.Model):
    """A month whose per-unit punctuality is stored: the due date it was counted against
    and the day (Beijing) and moment (UTC) it was counted. Its figures are final — read
    instead of counted — once they were counted after the due date (past_due)."""

    __tablename__ = "dashboard_punctuality_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    due_date: Mapped[date] = mapped_column(Date)
    computed_on: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime]


class PunctualityTally(db.Model):
    """One unit's punctuality in a stored month (dashboard.punctuality.Punctuality)."""

    __tablename__ = "dashboard_punctuality"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    expected: Mapped[int] = mapped_column(default=0)
    on_time: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)
    missing: Mapped[int] = mapped_column(default=0)
    not_due: Mapped[int] = mapped_column(default=0)
