"""A contested assignment (退回交办): one row per return, decided once by the office."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class ContestOutcome(enum.StrEnum):
    """What the office decided; None while the contest is open."""

    REASSIGNED = "reassigned"  # 改派: the task went to another lead unit
    INSISTED = "insisted"  # 坚持交办: the unit keeps the task, its clock moves on

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    ContestOutcome.REASSIGNED: _l("Reassigned"),
    ContestOutcome.INSISTED: _l("Assignment upheld"),
}


class TaskContest(db.Model):
    """The lead unit returned a task (退回交办) with a reason; the office reassigns or
    insists, with a reason. While `outcome` is None the contest is open and the task's clock
    stops (docs/workflow.md): `paused_working_days` is what the due date moved by."""

    __tablename__ = "task_contest"
    __table_args__ = (Index("ix_task_contest_open", "outcome", "filed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    filed_on: Mapped[date] = mapped_column(Date)  # the Beijing day it was filed
    outcome: Mapped[str | None] = mapped_column(String(16))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    paused_working_days: Mapped[int | None]

    unit = relationship("Unit", lazy="raise_on_sql")
    task = relationship("Task", lazy="raise_on_sql")
    filed_by = relationship("User", foreign_keys=[filed_by_id], lazy="raise_on_sql")


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "task.contested": _l("Assignment returned by the unit"),
    "task.contest_reassigned": _l("Return accepted: task reassigned"),
    "task.contest_insisted": _l("Return refused: assignment upheld"),
}
