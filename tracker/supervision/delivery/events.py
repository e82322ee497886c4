"""Outgoing events (issue 15): HTTPS endpoints the admin registers for events, each message
signed with HMAC-SHA256 and sent through the outbox (channel "event": back-off, retries,
at-least-once), like e-mail and the unit robots.

The events are read from what the features already record: the audit log (a task
assigned, a report submitted / returned / accepted, a notice issued, a bulletin published)
and the alerts (a task overdue). `queue_events` (run by the outbox job before sending) turns
new rows into one message per endpoint; the message key names the endpoint and the row, so
running it twice, or over rows already seen, queues nothing twice. An endpoint receives the
events that happen after it was registered, never history.

The signature (docs/api.md has a verifier): headers `X-Tracker-Event`, `X-Tracker-Delivery`
(the message id, stable across retries), `X-Tracker-Timestamp` (Unix seconds of this try)
and `X-Tracker-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
"""

import hashlib
import hmac
import json
import secrets
import time
import urllib.request
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from tracker.audit import AuditEvent
from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.supervision.delivery.channels import DeliveryError
from tracker.supervision.models import Alert, OutboxMessage
from tracker.timeutil import utcnow

# event name -> the audit action it is read from
AUDIT_EVENTS = {
    "task.assigned": "task.assigned",
    "report.submitted": "report.submitted",
    "report.returned": "report.returned",
    "report.accepted": "report.accepted",
    "notice.issued": "task.notice_issued",
    "bulletin.published": "bulletin.published",
}
OVERDUE_EVENT = "task.overdue"  # read from the alerts of kind task_overdue
EVENTS = (*AUDIT_EVENTS, OVERDUE_EVENT)
# each run reads from an hour before the last event it queued, so rows committed out of
# order (a long transaction) are still seen; their keys keep them from being queued twice
LOOKBACK = timedelta(hours=1)


class EventEndpoint(db.Model):
    """An HTTPS address that receives some events, with the secret its messages are signed
    with (shown to the admin once, when the endpoint is registered)."""

    __tablename__ = "event_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(64))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


def new_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: int, tolerance=300):
    """What a receiver does (docs/api.md): recompute, compare in constant time, and refuse a
    timestamp more than `tolerance` seconds away (a replayed message)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


def audit_payload(event: str, row: AuditEvent) -> dict:
    """The event's data: ids and states only — never report texts, reasons or names (the
    receiver reads the details through the API, with its own token's rights)."""
    detail = row.detail or {}
    data = {"subject_type": row.subject_type, "subject_id": row.subject_id}
    for key in ("report_id", "unit_id", "period", "notice_id", "number", "to", "revision"):
        if key in detail:
            data[key] = detail[key]
    if row.subject_type == "task":
        data["task_id"] = row.subject_id
    return {"event": event, "occurred_at": row.occurred_at.isoformat() + "Z", "data": data}


def alert_payload(alert: Alert) -> dict:
    return {
        "event": OVERDUE_EVENT,
        "occurred_at": alert.created_at.isoformat() + "Z",
        "data": {
            "task_id": alert.task_id,
            "unit_id": alert.unit_id,
            "due_date": alert.due_date.isoformat() if alert.due_date else None,
        },
    }


def queue_events(now: datetime | None = None) -> int:
    """Queue one outbox message per active endpoint and new event (flushes; the caller
    commits). Returns the number of rows offered (duplicates are dropped by their key)."""
    now = now or utcnow()
    endpoints = db.session.scalars(select(EventEndpoint).where(EventEndpoint.active)).all()
    if not endpoints:
        return 0
    since = min(e.created_at for e in endpoints)
    last = db.session.scalar(
        select(func.max(OutboxMessage.created_at)).where(OutboxMessage.channel == "event")
    )
    if last is not None:
        since = max(since, last - LOOKBACK)
    audits = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(AUDIT_EVENTS.values()), AuditEvent.occurred_at >= since)
        .order_by(AuditEvent.id)
    ).all()
    alerts = db.session.scalars(
        select(Alert)
        .where(Alert.kind == "task_overdue", Alert.created_at >= since)
        .order_by(Alert.id)
    ).all()
    by_action = {action: event for event, action in AUDIT_EVENTS.items()}
    values = []
    for endpoint in endpoints:
        wanted = set(endpoint.events or ())
        rows = [
            ("audit", a.id, a.occurred_at, audit_payload(by_action[a.action], a)) for a in audits
        ]
        rows += [("alert", a.id, a.created_at, alert_payload(a)) for a in alerts]
        for source, row_id, when, payload in rows:
            if payload["event"] not in wanted or when < endpoint.created_at:
                continue
            values.append(
                {
                    "key": f"event:{endpoint.id}:{source}:{row_id}",
                    "channel": "event",
                    "recipient": endpoint.url,
                    "subject": payload["event"],
                    "body_text": "",
                    "payload": {"endpoint_id": endpoint.id, "body": payload},
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if values:
        db.session.execute(
            dialect_insert(OutboxMessage, db.session).on_conflict_do_nothing(), values
        )
    db.session.flush()
    return len(values)


def send_event(message: OutboxMessage, timeout: float) -> None:
    """POST the event's JSON, signed; any 2xx is delivered, anything else is retried."""
    payload = message.payload or {}
    endpoint = db.session.get(EventEndpoint, payload.get("endpoint_id") or 0)
    if endpoint is None or not endpoint.active:
        raise DeliveryError("event: endpoint removed or disabled")
    body = json.dumps(
        {"id": message.key, **payload.get("body", {})}, ensure_ascii=False, sort_keys=True
    ).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "tracker-events/1",
            "X-Tracker-Event": message.subject,
            "X-Tracker-Delivery": message.key,
            "X-Tracker-Timestamp": str(timestamp),
            "X-Tracker-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
    except OSError as exc:  # URLError, HTTPError (non-2xx), timeouts
        raise DeliveryError(f"event: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"event: HTTP {status}")
