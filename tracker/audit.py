"""The audit log: who did what, when, from where. Append-only."""

from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.extensions import db
from tracker.timeutil import utcnow


class AuditEvent(db.Model):
    """One recorded action. Never updated, never deleted (enforced on flush)."""

    __tablename__ = "audit_event"
    # issue 13: a subject's history, newest first (the task page's timeline)
    # and an action's records since a moment (the scorecard's returned reports of a month),
    # which also serves every filter by action alone (migration 0026)
    __table_args__ = (
        Index("ix_audit_event_subject", "subject_type", "subject_id", "occurred_at"),
        Index("ix_audit_event_action_occurred_at", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


# Actions recorded by a feature are labelled in that feature's models.py (AUDIT_LABELS) and
# gathered by tracker.audit_labels. This dict is kept only for modules that still add their
# labels at import (ACTION_LABELS.update); move them to their models.py.
ACTION_LABELS: dict = {}


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
    """Add an audit event to the current transaction (the caller commits), stamped with
    utcnow() (the demo writes its history under timeutil.stamped_at, at insert)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if subject is not None:
        subject_type = subject_type or subject.__tablename__
        subject_id = subject_id if subject_id is not None else subject.id
    if has_request_context() and g.get("api_token_name"):
        # a write through the API names the token it came with (docs/api.md)
        detail = {**(detail or {}), "api_token": g.api_token_name}
    event_ = AuditEvent(
        occurred_at=utcnow(),
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
