"""Assignment (交办) and acknowledgement (签收), extension requests (延期申请),
close-out (办结/销号) and leaders' instructions (批示)."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


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
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id"),
        # the office's overdue acknowledgements, in due-day order (migration 0023)
        Index("ix_task_assignment_ack", "acknowledged_at", "ack_due", "id"),
    )

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


# --- issue 4: alerts, deliveries, supervision notices --------------------------------------


class Alert(db.Model):
    """One alert, recorded once under its unique key (kind, subject, period or date), so a
    sweep run twice — or two sweeps at once — creates nothing twice.

    kind: report_due_soon, report_missing, task_due_soon, task_overdue, ack_overdue,
    milestone_due_soon, milestone_overdue, notice_answer_overdue, instruction_answer_overdue.
    `level` is the escalation step: 1 reminder to the liaison, 2 urging (催办) to the unit and
    the office user handling the task, 3 a suggested supervision notice, 4 named in the next
    bulletin (who is notified: docs/alerts.md).
    """

    __tablename__ = "alert"
    __table_args__ = (
        # issue 13: the sweep reads the open alerts (resolved_at IS NULL) by period
        Index("ix_alert_open_period", "resolved_at", "period_id"),
        # the escalation reads the open alerts below the top level (migration 0019)
        Index("ix_alert_open_level", "resolved_at", "level", "swept_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[int] = mapped_column(default=1)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_period.id"))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    due_date: Mapped[date | None] = mapped_column(Date)
    swept_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Notification(db.Model):
    """An entry in a user's in-app notification centre (unread count in the header)."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "alert_id"),
        # issue 13: the unread badge and the notification centre, newest first
        Index("ix_notification_user_read", "user_id", "read_at", "created_at"),
        # issue 13: the notification centre pages newest first over all of a
        # user's notifications, read or not
        Index("ix_notification_user_created", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class OutboxMessage(db.Model):
    """A message waiting to go out by e-mail or webhook, retried with back-off until the
    server accepts it. `key` makes each message unique (e.g. one digest per recipient and
    day)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)  # email, wecom, dingtalk
    recipient: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class UnitWebhook(db.Model):
    """A unit's group robot: WeCom (企业微信) or DingTalk (钉钉)."""

    __tablename__ = "unit_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # wecom, dingtalk
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class SupervisionNotice(db.Model):
    """A numbered supervision notice (督办单, e.g. 督办〔2026〕3号) on a lagging task: required
    actions and an answer deadline in working days; the unit answers."""

    __tablename__ = "supervision_notice"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(64), unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    required_actions: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer_due: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(16), default="issued", index=True)

    unit = relationship("Unit", lazy="raise_on_sql")


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "task.assigned": _l("Assigned to the units"),
    "task.acknowledged": _l("Assignment acknowledged"),
    "task.extension_requested": _l("Extension requested"),
    "task.extension_approved": _l("Extension approved"),
    "task.extension_rejected": _l("Extension rejected"),
    "task.close_out_requested": _l("Close-out requested"),
    "task.closed_out": _l("Close-out confirmed"),
    "task.close_out_refused": _l("Close-out refused"),
    "task.instruction_written": _l("Instruction written"),
    "task.instruction_answered": _l("Instruction answered"),
    "task.notice_issued": _l("Supervision notice issued"),
    "task.notice_answered": _l("Supervision notice answered"),
    "task.notice_closed": _l("Supervision notice closed"),
}
