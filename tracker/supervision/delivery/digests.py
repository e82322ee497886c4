"""The daily e-mail digest: one Chinese e-mail per user who opted in, listing the day's
notifications (text and HTML templates under templates/emails/)."""

from collections import defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import and_, or_, select

from tracker.accounts.models import User
from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.supervision.delivery.channels import app_setting
from tracker.supervision.delivery.rules import robot_text
from tracker.supervision.models import Alert, Notification, OutboxMessage
from tracker.timeutil import local_day_bounds, utcnow


def _line(_alert_id, title, body, task_id) -> str:
    """One line of a robot message; the title and body carry people's text (unit names,
    task titles, reasons), made inert by robot_text; only the link is markup."""
    base = _base_url()
    link = f"（[查看]({base}/tasks/{task_id})）" if base and task_id else ""
    return f"- **{robot_text(title)}**：{robot_text(body)}{link}"


def _base_url() -> str:
    return str(app_setting("TRACKER_BASE_URL", "")).rstrip("/")


def _render(name: str, context: dict) -> str:
    """Render an e-mail template without the page context processors (no request in a
    job); autoescaping follows the file name (.html escaped, .txt not)."""
    return current_app.jinja_env.get_template(name).render(**context)


def build_email_digests(today: date) -> int:
    """Queue one e-mail digest per recipient for `today`: the user's unread notifications of
    that day (created that day, or about alerts swept that day). Only active
    users who chose e-mail and gave an address; nobody gets an empty digest; a second run
    the same day adds nothing. Returns the number of digests queued."""
    start, end = local_day_bounds(today)
    rows = db.session.execute(
        select(Notification, User.email, User.display_name)
        .join(User, User.id == Notification.user_id)
        .outerjoin(Alert, Alert.id == Notification.alert_id)
        .where(
            Notification.read_at.is_(None),
            # an event (notice, instruction, return, decision) had its own e-mail at once
            Notification.alert_id.is_not(None),
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
        db.session.execute(
            dialect_insert(OutboxMessage, db.session).on_conflict_do_nothing(), values
        )
    return len(values)
