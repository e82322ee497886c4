"""Reporting periods, progress reports and their evidence."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.reports import rules
from tracker.timeutil import local_date, utcnow


class ReportState(enum.StrEnum):
    """A report's own state. "Not started" is the absence of a report."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return str(REPORT_STATE_LABELS[self])


REPORT_STATE_LABELS = {
    ReportState.DRAFT: _l("Draft"),
    ReportState.SUBMITTED: _l("Submitted"),
    ReportState.RETURNED: _l("Returned"),
    ReportState.ACCEPTED: _l("Accepted"),
}


class Quality(enum.StrEnum):
    """The office's rating of an accepted report, kept for scoring (好/中/差)."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"

    @property
    def label(self) -> str:
        return str(QUALITY_LABELS[self])


QUALITY_LABELS = {Quality.GOOD: _l("Good"), Quality.FAIR: _l("Fair"), Quality.POOR: _l("Poor")}


class ReportingPeriod(db.Model):
    """The month a report covers, with its due date (the due day moved to a working day)."""

    __tablename__ = "reporting_period"
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    due_day: Mapped[int]
    due_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class ProgressReport(db.Model):
    """One unit's report on one task for one period.

    A lead unit reports on the whole task, a co-unit on its own part. An accepted report is
    locked; a later correction is a new revision, so history is never overwritten. `version`
    is the optimistic lock: a save based on an older version is refused.
    """

    __tablename__ = "progress_report"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", "period_id", "revision"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        # issue 13: a unit's month, a month's reports by state
        # a unit's reports by month; on PostgreSQL with the task and revision, so the
        # reporting-load page and the late-filing list read the index alone (migration 0030)
        Index(
            "ix_progress_report_unit_period_state",
            "unit_id",
            "period_id",
            "state",
            postgresql_include=["task_id", "revision"],
        ),
        Index("ix_progress_report_period_state", "period_id", "state"),
        # first submissions of a month's reports, read from the index alone (dashboard);
        # on PostgreSQL it also carries what the scorecard reads of each (migration 0027:
        # the month's reports from the index alone, not from ≈16,000 scattered table pages)
        Index(
            "ix_progress_report_period_task_unit",
            "period_id",
            "task_id",
            "unit_id",
            "first_submitted_at",
            "submitted_at",
            postgresql_include=["revision", "state", "quality", "id"],
        ),
        # issue 13: the review queue, a state's reports oldest submission first
        Index("ix_progress_report_state_submitted", "state", "submitted_at", "id"),
        # issue 13: the queue's light filter, counted from the index alone
        Index(
            "ix_progress_report_state_late",
            "state",
            "first_late",
            "first_filed_at",
            "period_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default=ReportState.DRAFT.value, index=True)
    version: Mapped[int] = mapped_column(default=1)

    progress: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[int] = mapped_column(default=0)
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    unchanged: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The first submission of this revision (a resubmission after a return keeps it): a
    # report is late when its first submission came after the due date (scoring).
    first_submitted_at: Mapped[datetime | None]
    # The first submission of the report as a whole — the earliest over its revisions
    # (rules.first_submission), carried by every revision — and whether it came after the
    # period's due date (rules.is_late). Kept by services.mark_submitted and
    # start_correction; the review queue's light filter reads them as plain columns.
    first_filed_at: Mapped[datetime | None]
    first_late: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    quality: Mapped[str | None] = mapped_column(String(8))

    task = relationship("Task", lazy="raise_on_sql")
    unit = relationship("Unit", lazy="raise_on_sql")
    period = relationship("ReportingPeriod", lazy="raise_on_sql")
    attachments = relationship(
        "Attachment",
        primaryjoin="ProgressReport.id == Attachment.report_id",
        order_by="Attachment.id",
        lazy="raise_on_sql",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_enum(self) -> ReportState:
        return ReportState(self.state)

    @property
    def editable(self) -> bool:
        return self.state in (ReportState.DRAFT, ReportState.RETURNED)


def set_first_filing(report: ProgressReport, first: datetime, due: date) -> None:
    """The one rule of a report's first filing: `first`, the earliest submission over the
    report's revisions (rules.first_submission), and whether it came after the period's due
    date (rules.is_late). Written by services.mark_submitted and, for other writers, by the
    event below."""
    report.first_filed_at = first
    report.first_late = rules.is_late(local_date(first), due)


@event.listens_for(ProgressReport, "before_insert")
@event.listens_for(ProgressReport, "before_update")
def _first_filing(_mapper, connection, report: ProgressReport) -> None:
    """A report written with a submission time but without its first filing — by a writer
    other than services.mark_submitted (demo data, an import, a test's rows) — gets it here
    (set_first_filing, over the earliest submission of its revisions). One or two
    statements, only for such a write."""
    filed = report.first_submitted_at or report.submitted_at
    if report.first_filed_at is not None or filed is None:
        return
    others = connection.scalar(
        select(func.min(func.coalesce(_TABLE.c.first_submitted_at, _TABLE.c.submitted_at))).where(
            _TABLE.c.task_id == report.task_id,
            _TABLE.c.unit_id == report.unit_id,
            _TABLE.c.period_id == report.period_id,
        )
    )
    due = connection.scalar(
        select(ReportingPeriod.__table__.c.due_date).where(
            ReportingPeriod.__table__.c.id == report.period_id
        )
    )
    set_first_filing(report, min(filed, others) if others is not None else filed, due)


_TABLE = ProgressReport.__table__


class Attachment(db.Model):
    """An evidence file (佐证材料), stored outside the web root under a generated name.

    It belongs to a progress report or to a close-out request (exactly one of the two).
    """

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("(report_id IS NULL) <> (close_out_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_report.id"), index=True)
    close_out_id: Mapped[int | None] = mapped_column(ForeignKey("close_out_request.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "report.saved": _l("Progress report saved as draft"),
    "report.submitted": _l("Progress report submitted"),
    "report.accepted": _l("Progress report accepted"),
    "report.returned": _l("Progress report returned"),
    "report.correction_started": _l("Correction of an accepted report started"),
    "evidence.uploaded": _l("Evidence uploaded"),
    "evidence.deleted": _l("Evidence deleted"),
}
