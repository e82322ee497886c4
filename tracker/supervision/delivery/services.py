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

import base64
import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import and_, or_, select, update

from tracker.accounts.models import Role, User
from tracker.database import writing
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import utcnow
from tracker.supervision.models import Alert, Notification, OutboxMessage, UnitWebhook
from tracker.units.models import Unit

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
MAX_ATTEMPTS = 8
SENDING_LEASE = timedelta(minutes=10)
WEBHOOK_KINDS = ("wecom", "dingtalk")
# kinds answered by the task's lead unit (its liaisons and the office hear of it)
LEAD_UNIT_KINDS = {"instruction_answer_overdue", "notice_answer_overdue"}

# Notification texts are data shown to Chinese users, not UI chrome: one template per kind.
KIND_TEXTS = {
    "report_due_soon": (
        "月报即将到期",
        "{unit}：任务「{task}」的进展报告将于{due}到期，请按时报送。",
    ),
    "report_missing": (
        "月报未报送",
        "{unit}：任务「{task}」的进展报告已过报送期限（{due}），请尽快补报。",
    ),
    "task_due_soon": ("任务即将到期", "{unit}：任务「{task}」将于{due}到期，请抓紧推进。"),
    "task_overdue": ("任务已逾期", "{unit}：任务「{task}」已于{due}到期仍未办结，请抓紧办理。"),
    "ack_overdue": ("交办未签收", "{unit}：任务「{task}」已交办，签收期限{due}已过，请尽快签收。"),
    "notice_answer_overdue": (
        "督办单逾期未回复",
        "{unit}：任务「{task}」的督办单应于{due}前回复，现已逾期。",
    ),
    "instruction_answer_overdue": (
        "领导批示逾期未答复",
        "{unit}：任务「{task}」的领导批示应于{due}前答复，现已逾期。",
    ),
}
DEFAULT_TEXT = ("督查督办提醒", "{unit}：任务「{task}」有一条新的提醒（{due}）。")
LEVEL_PREFIX = {1: "【提醒】", 2: "【催办】", 3: "【建议督办】", 4: "【拟通报】"}


class DeliveryError(Exception):
    """The server refused or could not be reached; the message is retried."""


def _insert(model):
    """INSERT … ON CONFLICT DO NOTHING for the current dialect (SQLite or PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def _config(name: str, default=None):
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def _flag(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 5, 15, 60 minutes … 12 hours."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def alert_text(kind: str, level: int, unit: str, task: str, due: date | None) -> tuple[str, str]:
    """The Chinese title and body of a notification for an alert."""
    title, body = KIND_TEXTS.get(kind, DEFAULT_TEXT)
    prefix = LEVEL_PREFIX.get(level, LEVEL_PREFIX[4] if level > 4 else "")
    due_text = due.isoformat() if due else "—"
    return (
        f"{prefix}{title}：{task}"[:300],
        body.format(unit=unit or "—", task=task or "—", due=due_text),
    )


# ---------------------------------------------------------------- notify_alerts


def _current_unit(unit_id: int | None, successor_of: dict[int, int | None]) -> int | None:
    """The unit that answers today: follow renames and mergers (市经信委 -> 市工信局)."""
    seen = set()
    while unit_id is not None and successor_of.get(unit_id) and unit_id not in seen:
        seen.add(unit_id)
        unit_id = successor_of[unit_id]
    return unit_id


def notify_alerts(alert_ids: list[int], today: date) -> None:
    """Notify the recipients of the given alerts and queue their units' webhook messages.

    Who hears of an alert: level 1, the liaisons of its unit; level 2 and up, also the
    office; an overdue answer to an instruction or notice, the lead unit's liaisons and the
    office. A unit renamed or merged is reached through its successor's liaisons. Runs a
    constant number of statements, and is safe to call twice (nothing is written twice).
    """
    if not alert_ids:
        return
    rows = db.session.execute(
        select(Alert, Task.title, Task.lead_unit_id)
        .outerjoin(Task, Task.id == Alert.task_id)
        .where(Alert.id.in_(alert_ids))
        .order_by(Alert.id)
    ).all()
    units = db.session.execute(select(Unit.id, Unit.name, Unit.successor_id)).all()
    successor_of = {u.id: u.successor_id for u in units}
    unit_name = {u.id: u.name for u in units}

    targets = []  # (alert, task title, unit id answering, office too)
    for alert, task_title, lead_unit_id in rows:
        unit_id = alert.unit_id
        if alert.kind in LEAD_UNIT_KINDS and lead_unit_id is not None:
            unit_id = lead_unit_id
        office = alert.level >= 2 or alert.kind in LEAD_UNIT_KINDS
        targets.append((alert, task_title, _current_unit(unit_id, successor_of), unit_id, office))

    unit_ids = {t[2] for t in targets if t[2] is not None}
    people = db.session.execute(
        select(User.id, User.role, User.unit_id).where(
            User.active.is_(True),
            or_(
                User.role == Role.OFFICE.value,
                and_(User.role == Role.LIAISON.value, User.unit_id.in_(unit_ids or {-1})),
            ),
        )
    ).all()
    office_ids = [p.id for p in people if p.role == Role.OFFICE.value]
    liaisons = defaultdict(list)
    for p in people:
        if p.role == Role.LIAISON.value:
            liaisons[p.unit_id].append(p.id)

    values = []
    for alert, task_title, current_unit, named_unit, office in targets:
        title, body = alert_text(
            alert.kind, alert.level, unit_name.get(named_unit, ""), task_title, alert.due_date
        )
        link = f"/tasks/{alert.task_id}" if alert.task_id else None
        recipients = dict.fromkeys(liaisons.get(current_unit, []) + (office_ids if office else []))
        for user_id in recipients:
            values.append(
                {
                    "user_id": user_id,
                    "alert_id": alert.id,
                    "kind": alert.kind,
                    "title": title,
                    "body": body,
                    "link": link,
                    "created_at": utcnow(),
                }
            )
    if values:
        db.session.execute(_insert(Notification), values)
    _queue_webhooks(targets, unit_name, today)


def _queue_webhooks(targets, unit_name: dict, today: date) -> None:
    """One message per unit robot and day: appended to while still pending; once sent (or
    being sent), later alerts of the day go in a follow-up message (key suffix :2, :3 …)."""
    by_unit = defaultdict(list)
    for alert, task_title, current_unit, named_unit, _office in targets:
        if current_unit is not None:
            title, body = alert_text(
                alert.kind, alert.level, unit_name.get(named_unit, ""), task_title, alert.due_date
            )
            by_unit[current_unit].append((alert.id, title, body, alert.task_id))
    if not by_unit:
        return
    hooks = db.session.scalars(
        select(UnitWebhook).where(UnitWebhook.unit_id.in_(by_unit), UnitWebhook.active.is_(True))
    ).all()
    if not hooks:
        return
    prefixes = {h.id: f"{h.kind}:{h.id}:{today.isoformat()}" for h in hooks}
    existing = db.session.scalars(
        select(OutboxMessage)
        .where(or_(*(OutboxMessage.key.like(f"{p}%") for p in prefixes.values())))
        .with_for_update()
    ).all()
    by_prefix = defaultdict(list)
    for message in existing:
        head = ":".join(message.key.split(":")[:3])
        by_prefix[head].append(message)

    for hook in hooks:
        prefix = prefixes[hook.id]
        messages = by_prefix[prefix]
        known = {a for m in messages for a in (m.payload or {}).get("alert_ids", [])}
        items = [item for item in by_unit[hook.unit_id] if item[0] not in known]
        if not items:
            continue
        open_message = next((m for m in messages if m.state == "pending"), None)
        if open_message is None:
            key = prefix if not messages else f"{prefix}:{len(messages) + 1}"
            open_message = OutboxMessage(
                key=key,
                channel=hook.kind,
                recipient=hook.url,
                unit_id=hook.unit_id,
                subject=f"督查督办提醒（{unit_name.get(hook.unit_id, '')}，{today.isoformat()}）",
                payload={"webhook_id": hook.id, "alert_ids": [], "lines": []},
                state="pending",
                attempts=0,
                next_attempt_at=utcnow(),
            )
            db.session.add(open_message)
        payload = dict(open_message.payload or {})
        payload["alert_ids"] = [*payload.get("alert_ids", []), *(i[0] for i in items)]
        payload["lines"] = [*payload.get("lines", []), *(_line(*i) for i in items)]
        open_message.payload = payload
        open_message.body_text = "\n".join(payload["lines"])
    db.session.flush()


def _line(_alert_id, title, body, task_id) -> str:
    base = _base_url()
    link = f"（[查看]({base}/tasks/{task_id})）" if base and task_id else ""
    return f"- **{title}**：{body}{link}"


def _base_url() -> str:
    return str(_config("TRACKER_BASE_URL", "")).rstrip("/")


# ---------------------------------------------------------------- e-mail digests


def _render(name: str, context: dict) -> str:
    """Render an e-mail template without the page context processors (no request in a
    job); autoescaping follows the file name (.html escaped, .txt not)."""
    return current_app.jinja_env.get_template(name).render(**context)


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC (naive) start and end of a Beijing calendar day."""
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    utc = ZoneInfo("UTC")
    return (
        start.astimezone(utc).replace(tzinfo=None),
        (start + timedelta(days=1)).astimezone(utc).replace(tzinfo=None),
    )


def build_email_digests(today: date) -> int:
    """Queue one e-mail digest per recipient for `today`: the user's unread notifications of
    that day (created that day, or about alerts swept that day). Only active
    users who chose e-mail and gave an address; nobody gets an empty digest; a second run
    the same day adds nothing. Returns the number of digests queued."""
    start, end = _local_day_bounds(today)
    rows = db.session.execute(
        select(Notification, User.email, User.display_name)
        .join(User, User.id == Notification.user_id)
        .outerjoin(Alert, Alert.id == Notification.alert_id)
        .where(
            Notification.read_at.is_(None),
            User.active.is_(True),
            User.notify_email.is_(True),
            User.email.is_not(None),
            User.email != "",
            # created that (Beijing) day — e.g. the office told of an escalation — or
            # about an alert swept that day
            or_(
                Alert.swept_on == today,
                and_(Notification.created_at >= start, Notification.created_at < end),
            ),
        )
        .order_by(Notification.user_id, Notification.id)
    ).all()
    by_user = defaultdict(list)
    for notification, email, name in rows:
        by_user[(notification.user_id, email, name)].append(notification)
    values = []
    base = _base_url()
    for (user_id, email, name), items in by_user.items():
        context = {"name": name, "day": today, "items": items, "base_url": base}
        values.append(
            {
                "key": f"email:{user_id}:{today.isoformat()}",
                "channel": "email",
                "recipient": email,
                "user_id": user_id,
                "subject": f"督查督办系统：今日提醒（{len(items)}条）",
                "body_text": _render("emails/digest.txt", context),
                "body_html": _render("emails/digest.html", context),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": utcnow(),
                "created_at": utcnow(),
            }
        )
    if values:
        queued = set(
            db.session.scalars(
                select(OutboxMessage.key).where(OutboxMessage.key.in_([v["key"] for v in values]))
            )
        )
        values = [v for v in values if v["key"] not in queued]
    if values:
        db.session.execute(_insert(OutboxMessage), values)
    return len(values)


# ---------------------------------------------------------------- sending


def smtp_config_from_app() -> dict:
    """TRACKER_SMTP_* from the app config, else the environment."""
    return {
        "host": _config("TRACKER_SMTP_HOST", "localhost"),
        "port": int(_config("TRACKER_SMTP_PORT", 25)),
        "sender": _config("TRACKER_SMTP_FROM", "tracker@localhost"),
        "user": _config("TRACKER_SMTP_USER"),
        "password": _config("TRACKER_SMTP_PASSWORD"),
        "starttls": _flag(_config("TRACKER_SMTP_STARTTLS", "0")),
        "timeout": float(_config("TRACKER_SMTP_TIMEOUT", 10)),
    }


def send_email(message: OutboxMessage, config: dict) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["sender"]
    mail["To"] = message.recipient
    mail["Message-ID"] = f"<{message.key.replace(':', '.')}@tracker>"
    mail.set_content(message.body_text, charset="utf-8")
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html", charset="utf-8")
    try:
        with smtplib.SMTP(config["host"], config["port"], timeout=config["timeout"]) as smtp:
            if config["starttls"]:
                smtp.starttls()
            if config["user"]:
                smtp.login(config["user"], config["password"] or "")
            refused = smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"smtp: {exc}") from exc
    if refused:
        raise DeliveryError(f"smtp: recipients refused: {refused}")


def webhook_payload(channel: str, title: str, lines: list[str]) -> dict:
    """The group-robot markdown message of WeCom (企业微信) or DingTalk (钉钉)."""
    text = f"### {title}\n" + "\n".join(lines)
    if channel == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """DingTalk's signature: base64(HMAC-SHA256("timestamp\\nsecret")), url-encoded."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def send_webhook(message: OutboxMessage, timeout: float) -> None:
    payload = message.payload or {}
    hook = db.session.get(UnitWebhook, payload.get("webhook_id") or 0)
    url = hook.url if hook else message.recipient
    if message.channel == "dingtalk" and hook is not None and hook.secret:
        url = dingtalk_signed_url(url, hook.secret)
    body = json.dumps(
        webhook_payload(message.channel, message.subject, payload.get("lines", [])),
        ensure_ascii=False,
    ).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except OSError as exc:  # URLError, HTTPError (non-2xx), timeouts
        raise DeliveryError(f"{message.channel}: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"{message.channel}: HTTP {status}")
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError(f"{message.channel}: not JSON: {raw[:200]!r}") from exc
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"{message.channel}: errcode {answer.get('errcode')}: {answer}")


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
    timeout = http_timeout or float(_config("TRACKER_WEBHOOK_TIMEOUT", 10))
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
    """`flask outbox run-once [--digests]` (the lead engineer calls this from cli.py)."""

    @app.cli.group("outbox")
    def outbox() -> None:
        """The outbox of e-mails and webhook messages."""

    @outbox.command("run-once")
    @click.option("--digests", is_flag=True, help="First queue today's e-mail digests.")
    def run_once(digests: bool) -> None:
        """Send every due message once (retries follow their back-off)."""
        from tracker.timeutil import today

        if digests:
            with writing():
                queued = build_email_digests(today())
                db.session.commit()
            click.echo(f"digests queued: {queued}")
        counts = process_outbox(utcnow())
        click.echo(
            f"outbox: {counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} failed"
        )
