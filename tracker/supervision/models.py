"""Assignment (交办) and acknowledgement (签收), extension requests (延期申请),
close-out (办结/销号) and leaders' instructions (批示)."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..reports.models import utcnow


class RequestState(enum.StrEnum):
    """State of an extension or close-out request."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(REQUEST_STATE_LABELS[self])


REQUEST_STATE_LABELS = {
    RequestState.PENDING: _l("Awaiting decision"),
    RequestState.APPROVED: _l("Approved"),
    RequestState.REJECTED: _l("Rejected"),
}


class TaskAssignment(db.Model):
    """The office handed a task to a unit; the unit must acknowledge it by `ack_due`."""

    __tablename__ = "task_assignment"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ack_due: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    unit = relationship("Unit", lazy="raise_on_sql")


class ExtensionRequest(db.Model):
    """A unit asks to move a task's due date; the office approves or rejects."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    current_due: Mapped[date | None] = mapped_column(Date)
    requested_due: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=RequestState.PENDING.value, index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    unit = relationship("Unit", lazy="raise_on_sql")


class CloseOutRequest(db.Model):
    """The lead unit asks to close a task, with evidence; the office confirms (销号) or refuses."""

    __tablename__ = "close_out_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=RequestState.PENDING.value, index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    unit = relationship("Unit", lazy="raise_on_sql")
    attachments = relationship(
        "Attachment",
        primaryjoin="CloseOutRequest.id == Attachment.close_out_id",
        order_by="Attachment.id",
        lazy="raise_on_sql",
        viewonly=True,
    )


class Instruction(db.Model):
    """A leader's written instruction on a task; the lead unit must answer by `answer_due`."""

    __tablename__ = "instruction"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer_due: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")
