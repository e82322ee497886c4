"""The e-mail digests (text and HTML templates under templates/emails/):

- daily: one Chinese e-mail per user who opted in, listing the day's notifications;
- weekly, for leaders (issue 14): each leader who opted in gets the tasks it is in charge
  of (分管), red and behind pace first, once per ISO week on the first working day the job
  runs (tracker.plans.people.rules.digest_week; the key carries the week)."""

from collections import defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import and_, or_, select

from tracker.accounts.models import Role, User
from tracker.calendar.services import load_calendar
from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.plans.models import TaskStatus
from tracker.plans.people import queries as people
from tracker.plans.people.rules import digest_week, leader_order
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


LEADER_DIGEST_ROWS = 30  # tasks listed in one weekly e-mail; the rest are on /leading


def build_leader_digests(today: date) -> int:
    """Queue this week's digest for each active leader who chose e-mail, gave an address and
    is in charge of at least one open task: its counts by light and its tasks in the order
    of 我分管的. Nothing on a day off; a second run in the same week adds nothing. A fixed
    number of statements whatever the number of leaders and tasks. Returns the number
    queued."""
    week = digest_week(today, load_calendar().is_workday(today))
    if week is None:
        return 0
    recipients = db.session.execute(
        select(User.id, User.email, User.display_name).where(
            User.role == Role.LEADER.value,
            User.active.is_(True),
            User.notify_email.is_(True),
            User.email.is_not(None),
            User.email != "",
        )
    ).all()
    keys = {r.id: f"leader-weekly:{r.id}:{week}" for r in recipients}
    if not keys:
        return 0
    queued = set(
        db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys.values())))
    )
    recipients = [r for r in recipients if keys[r.id] not in queued]
    leaders = people.load_leaders()
    plan_ids = sorted({p for r in recipients for p in leaders.plans_of.get(r.id, ())})
    rows, in_charge = people.task_leaders(plan_ids, leaders)
    open_rows = [r for r in rows if r.status != TaskStatus.CLOSED.value]
    lights = people.list_lights(open_rows, today)
    behind = people.behind_pace_ids([r.id for r in open_rows], today)
    by_leader = defaultdict(list)
    for row in open_rows:
        by_leader[in_charge.get(row.id)].append(row)
    for tasks in by_leader.values():
        tasks.sort(
            key=lambda t: leader_order(
                lights[t.id], t.id in behind, t.status, t.due_date, t.plan_id, t.number
            )
        )
    listed = [t.id for r in recipients for t in by_leader.get(r.id, [])[:LEADER_DIGEST_ROWS]]
    loaded = people.full_tasks(listed)
    base = _base_url()
    values = []
    for recipient in recipients:
        mine = by_leader.get(recipient.id, [])
        if not mine:
            continue
        counts = defaultdict(int)
        for row in mine:
            counts[lights[row.id]] += 1
        items = [
            {"task": loaded[t.id], "light": lights[t.id], "behind": t.id in behind}
            for t in mine[:LEADER_DIGEST_ROWS]
        ]
        context = {
            "name": recipient.display_name,
            "day": today,
            "week": week,
            "total": len(mine),
            "red": counts["red"],
            "yellow": counts["yellow"],
            "behind": sum(1 for t in mine if t.id in behind),
            "items": items,
            "base_url": base,
        }
        values.append(
            {
                "key": keys[recipient.id],
                "channel": "email",
                "recipient": recipient.email,
                "user_id": recipient.id,
                "subject": f"督查督办系统：我分管的任务周报（红灯{counts['red']}项）",
                "body_text": _render("emails/leader_digest.txt", context),
                "body_html": _render("emails/leader_digest.html", context),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": utcnow(),
                "created_at": utcnow(),
            }
        )
    if values:
        db.session.execute(
            dialect_insert(OutboxMessage, db.session).on_conflict_do_nothing(), values
        )
    return len(values)
