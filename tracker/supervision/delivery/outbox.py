"""Delivery of alerts: the in-app notification centre, e-mail digests and unit webhooks.

`notify_alerts` (called by the alert sweep, in its transaction) writes one Notification per
recipient and alert, and queues one webhook message per unit robot and day. A job calls
`build_email_digests(today)` (one digest per recipient and day, none when empty) and
`process_outbox(now)`, which sends due messages one by one.

An outbox message moves pending -> sending (claimed, with a lease) -> sent, or back to
pending with a back-off after a failure, and to failed after MAX_ATTEMPTS. It is marked sent
only after the server accepted it (SMTP: the DATA was accepted; webhook: HTTP 2xx and
errcode 0). A sender that dies mid-send leaves a `sending` message whose lease runs out; it
is sent again (at least once). Each message's state change is committed on its own, so one
channel that is down never holds back the others.
"""

from datetime import datetime, timedelta

import click
from flask import current_app
from sqlalchemy import select, update

from tracker.database import writing
from tracker.extensions import db
from tracker.supervision.delivery.channels import (
    DeliveryError,
    app_setting,
    send_email,
    send_webhook,
    smtp_config_from_app,
)
from tracker.supervision.delivery.digests import build_email_digests
from tracker.supervision.delivery.events import queue_events, send_event
from tracker.supervision.models import OutboxMessage
from tracker.timeutil import today, utcnow

BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
MAX_ATTEMPTS = 8
SENDING_LEASE = timedelta(minutes=10)
WEBHOOK_KINDS = ("wecom", "dingtalk")


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 5, 15, 60 minutes … 12 hours."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


# ---------------------------------------------------------------- sending


def process_outbox(
    now: datetime | None = None,
    *,
    smtp_config: dict | None = None,
    http_timeout: float | None = None,
    limit: int = 200,
) -> dict:
    """Send the due messages, each in its own short transactions: claim (pending ->
    sending, with a lease), send without holding a lock, then mark sent — or schedule the
    next try with back-off, or give up after MAX_ATTEMPTS (failed). Returns counts."""
    now = now or utcnow()
    smtp_config = smtp_config or smtp_config_from_app()
    timeout = http_timeout or float(app_setting("TRACKER_WEBHOOK_TIMEOUT", 10))
    with writing():  # outgoing events first: new audit rows and alerts become messages
        queue_events(now)
        db.session.commit()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state.in_(("pending", "sending")),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message_id in due:
        with writing():
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.state.in_(("pending", "sending")),
                    OutboxMessage.next_attempt_at <= now,
                )
                .values(state="sending", next_attempt_at=now + SENDING_LEASE)
            ).rowcount
            db.session.commit()
        if not claimed:
            continue  # another worker has it
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        db.session.expunge(message)  # read while sending; no transaction stays open
        error = None
        try:
            if message.channel == "email":
                send_email(message, smtp_config)
            elif message.channel in WEBHOOK_KINDS:
                send_webhook(message, timeout)
            elif message.channel == "event":  # outgoing events to the admin's endpoints
                send_event(message, timeout)
            else:
                raise DeliveryError(f"unknown channel {message.channel}")
        except DeliveryError as exc:
            error = str(exc)[:2000]
        except Exception as exc:  # a bug in one message must not stop the others
            current_app.logger.exception("outbox message %s", message_id)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.rollback()
        with writing():
            if error is None:
                values = {"state": "sent", "sent_at": utcnow(), "last_error": None}
                counts["sent"] += 1
            else:
                attempts = message.attempts + 1
                gave_up = attempts >= MAX_ATTEMPTS
                values = {
                    "state": "failed" if gave_up else "pending",
                    "attempts": attempts,
                    "last_error": error,
                    "next_attempt_at": now + backoff(attempts),
                }
                counts["failed" if gave_up else "retry"] += 1
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.state == "sending")
                .values(**values)
            )
            db.session.commit()
    return counts


# ---------------------------------------------------------------- CLI


def register_delivery_cli(app) -> None:
    """`flask outbox run-once [--digests]` (registered in cli.py)."""

    @app.cli.group("outbox")
    def outbox() -> None:
        """The outbox of e-mails and webhook messages."""

    @outbox.command("run-once")
    @click.option("--digests", is_flag=True, help="First queue today's e-mail digests.")
    def run_once(digests: bool) -> None:
        """Send every due message once (retries follow their back-off)."""

        if digests:
            with writing():
                queued = build_email_digests(today())
                db.session.commit()
            click.echo(f"digests queued: {queued}")
        counts = process_outbox(utcnow())
        click.echo(
            f"outbox: {counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} failed"
        )
