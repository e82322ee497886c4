"""The audit log: who did what, when, from where. Append-only."""

from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.extensions import db


class AuditEvent(db.Model):
    """One recorded action. Never updated, never deleted (enforced on flush)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


ACTION_LABELS = {
    "user.sign_in": _l("Signed in"),
    "user.sign_in_failed": _l("Failed sign-in"),
    "user.sign_in_refused": _l("Sign-in refused (account disabled)"),
    "user.sign_out": _l("Signed out"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "unit.created": _l("Unit created"),
    "unit.updated": _l("Unit changed"),
    "plan.seeded": _l("Plan loaded from its source document"),
    "task.seeded": _l("Loaded from the source document"),
    "task.status_changed": _l("Status changed"),
}


def action_label(action: str) -> str:
    """The readable name of an audit action; unknown codes are shown as they are."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, _flush_context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit events are never changed or deleted")


def record(
    action: str,
    subject: Any = None,
    *,
    actor: Any = None,
    detail: dict[str, Any] | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if subject is not None:
        subject_type = subject_type or subject.__tablename__
        subject_id = subject_id if subject_id is not None else subject.id
    event_ = AuditEvent(
        occurred_at=datetime.now(UTC).replace(tzinfo=None),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail or {},
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event_)
    return event_
