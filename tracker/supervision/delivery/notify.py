"""Fan-out of alerts to the people and robots that act on them: in-app notifications at once,
robot messages queued in the outbox; and events (a notice, an instruction, a return, a
decision) told to the unit at once through the same channels."""

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import or_, select

from tracker.accounts.models import Role, User
from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ReportingPeriod
from tracker.reports.services import report_returned
from tracker.supervision.delivery import audience
from tracker.supervision.delivery.digests import _base_url, _line
from tracker.supervision.delivery.recipients import alert_recipients, tells_leader, tells_office
from tracker.supervision.models import (
    Alert,
    Notification,
    OutboxMessage,
    UnitWebhook,
)
from tracker.timeutil import utcnow
from tracker.units.models import Unit
from tracker.units.rules import final_successor

LEAD_UNIT_KINDS = {"instruction_answer_overdue", "notice_answer_overdue"}


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
    "milestone_due_soon": (
        "节点即将到期",
        "{unit}：任务「{task}」的阶段节点将于{due}到期，请抓紧推进。",
    ),
    "milestone_overdue": (
        "节点逾期",
        "{unit}：任务「{task}」的阶段节点应于{due}完成，现已逾期，请抓紧办理。",
    ),
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


def alert_text(kind: str, level: int, unit: str, task: str, due: date | None) -> tuple[str, str]:
    """The Chinese title and body of a notification for an alert."""
    title, body = KIND_TEXTS.get(kind, DEFAULT_TEXT)
    prefix = LEVEL_PREFIX.get(level, LEVEL_PREFIX[4] if level > 4 else "")
    due_text = due.isoformat() if due else "—"
    return (
        f"{prefix}{title}：{task}"[:300],
        body.format(unit=unit or "—", task=task or "—", due=due_text),
    )


def _current_unit(unit_id: int | None, successor_of: dict[int, int | None]) -> int | None:
    """The unit that answers today: follow renames and mergers (市经信委 -> 市工信局)."""
    return None if unit_id is None else final_successor(unit_id, successor_of)


def notify_alerts(alert_ids: list[int], today: date) -> None:
    """Notify the recipients of the given alerts and queue their units' webhook messages.

    Who hears of an alert is the rule of `recipients.alert_recipients`: the liaisons of its
    unit (an overdue answer to an instruction or notice: the lead unit's); from level 2 on
    (and for an overdue answer) the office user(s) who assigned the task, or all office
    users when nobody is named; at level 4 also the task's leader in charge. A unit renamed
    or merged is reached through its successor's liaisons. Runs a constant number of
    statements, and is safe to call twice (nothing is written twice).
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

    targets = []  # (alert, task title, unit id answering, unit id named)
    for alert, task_title, lead_unit_id in rows:
        unit_id = alert.unit_id
        if alert.kind in LEAD_UNIT_KINDS and lead_unit_id is not None:
            unit_id = lead_unit_id
        targets.append((alert, task_title, _current_unit(unit_id, successor_of), unit_id))

    office_tasks = {
        t[0].task_id for t in targets if tells_office(t[0].kind, t[0].level) and t[0].task_id
    }
    leader_tasks = {t[0].task_id for t in targets if tells_leader(t[0].level) and t[0].task_id}
    liaisons = audience.liaisons({t[2] for t in targets if t[2] is not None})
    handlers = audience.handlers(office_tasks)
    everyone = any(tells_office(t[0].kind, t[0].level) for t in targets)
    office_ids = audience.office_ids() if everyone else []
    leaders = audience.leaders(leader_tasks)

    values = []
    now = utcnow()
    for alert, task_title, current_unit, named_unit in targets:
        title, body = alert_text(
            alert.kind, alert.level, unit_name.get(named_unit, ""), task_title, alert.due_date
        )
        link = f"/tasks/{alert.task_id}" if alert.task_id else None
        recipients = alert_recipients(
            alert.kind,
            alert.level,
            liaisons.get(current_unit, []),
            handlers.get(alert.task_id, []),
            office_ids,
            leaders.get(alert.task_id, []),
        )
        for user_id in recipients:
            values.append(
                {
                    "user_id": user_id,
                    "alert_id": alert.id,
                    "kind": alert.kind,
                    "title": title,
                    "body": body,
                    "link": link,
                    "created_at": now,
                }
            )
    if values:
        db.session.execute(
            dialect_insert(Notification, db.session).on_conflict_do_nothing(), values
        )
    _queue_webhooks(targets, unit_name, today)


def _queue_webhooks(targets, unit_name: dict, today: date) -> None:
    """One message per unit robot and day: appended to while still pending; once sent (or
    being sent), later alerts of the day go in a follow-up message (key suffix :2, :3 …)."""
    by_unit = defaultdict(list)
    for alert, task_title, current_unit, named_unit in targets:
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


# --- events: told at once, not at the next sweep --------------------------------------------

EVENT_TEXTS = {
    "notice_issued": ("收到督办单", "{unit}：任务「{task}」收到督办单{number}，请于{due}前回复。"),
    "instruction_written": (
        "收到领导批示",
        "{unit}：任务「{task}」有新的领导批示，请于{due}前答复。批示内容：{text}",
    ),
    "report_returned": (
        "月报被退回",
        "{unit}：任务「{task}」{period}的进展报告被退回，请修改后重新报送。退回原因：{reason}",
    ),
    "extension_approved": (
        "延期申请已同意",
        "{unit}：任务「{task}」的延期申请已同意，新的完成期限为{due}。{note}",
    ),
    "extension_rejected": (
        "延期申请未同意",
        "{unit}：任务「{task}」的延期申请未同意，完成期限仍为{due}。{note}",
    ),
    "close_out_confirmed": (
        "任务已销号",
        "{unit}：任务「{task}」的办结申请已确认，任务已销号。{note}",
    ),
    "close_out_refused": ("办结申请未通过", "{unit}：任务「{task}」的办结申请未通过。{note}"),
    # 退回交办 (issue 14): the office's decision on a returned assignment
    "contest_reassigned": (
        "退回交办已改派",
        "{unit}：你单位退回的任务「{task}」已改派给{text}。{note}",
    ),
    "contest_insisted": (
        "坚持交办",
        "{unit}：你单位退回的任务「{task}」督查室坚持交办，请签收办理，完成期限为{due}。{note}",
    ),
}
EVENT_KINDS = tuple(EVENT_TEXTS)


def event_text(kind: str, unit: str, task: str, **params) -> tuple[str, str]:
    """The Chinese title and body of an event's notification. A missing value reads "—";
    a note, when given, is introduced as the office's note."""
    title, body = EVENT_TEXTS[kind]
    values = {k: ("—" if v in (None, "") else v) for k, v in params.items()}
    note = params.get("note")
    values["note"] = f"督查室意见：{note}" if note else ""
    for name in ("number", "due", "text", "period", "reason"):
        values.setdefault(name, "—")
    return f"【{title}】{task}"[:300], body.format(unit=unit or "—", task=task or "—", **values)


def notify_event(kind: str, task: Task, unit_ids, link: str | None = None, **params) -> int:
    """Tell the units of an event at once: a supervision notice, a leader's instruction, a
    returned report, an extension or close-out decision.

    Each unit is reached through its current successor (final_successor). Writes one
    Notification per active liaison of the unit, queues one e-mail per liaison who chose
    e-mail (the day's digest leaves event notifications out, so nothing comes twice) and
    one message per active unit robot. Flushes; the caller's request commits. Returns the
    number of notifications written."""
    units = db.session.execute(select(Unit.id, Unit.name, Unit.successor_id)).all()
    successor_of = {u.id: u.successor_id for u in units}
    unit_name = {u.id: u.name for u in units}
    answering = {final_successor(u, successor_of) for u in unit_ids if u is not None}
    if not answering:
        return 0
    link = link or f"/tasks/{task.id}"
    people = db.session.execute(
        select(User.id, User.unit_id, User.email, User.notify_email).where(
            User.active.is_(True),
            User.role == Role.LIAISON.value,
            User.unit_id.in_(answering),
        )
    ).all()
    hooks = db.session.scalars(
        select(UnitWebhook).where(UnitWebhook.unit_id.in_(answering), UnitWebhook.active.is_(True))
    ).all()
    now = utcnow()
    texts = {u: event_text(kind, unit_name.get(u, ""), task.title, **params) for u in answering}
    written = 0
    for person in people:
        title, body = texts[person.unit_id]
        db.session.add(
            Notification(
                user_id=person.id, kind=kind, title=title, body=body, link=link, created_at=now
            )
        )
        written += 1
        if person.notify_email and person.email:
            db.session.add(_event_email(kind, person, title, body, link, now))
    for hook in hooks:
        title, body = texts[hook.unit_id]
        db.session.add(
            OutboxMessage(
                key=f"event:{kind}:{hook.kind}:{hook.id}:{uuid.uuid4().hex}",
                channel=hook.kind,
                recipient=hook.url,
                unit_id=hook.unit_id,
                subject=title,
                body_text=_line(None, title, body, task.id),
                payload={"webhook_id": hook.id, "lines": [_line(None, title, body, task.id)]},
                state="pending",
                attempts=0,
                next_attempt_at=now,
            )
        )
    db.session.flush()
    return written


def _event_email(kind: str, person, title: str, body: str, link: str, now) -> OutboxMessage:
    base = _base_url()
    text = "\n\n".join(
        part
        for part in (
            body,
            f"{base}{link}" if base else "",
            "此邮件由系统自动发送，请勿直接回复。如不需要邮件提醒，可在系统“通知设置”中关闭。",
        )
        if part
    )
    return OutboxMessage(
        key=f"event:{kind}:email:{person.id}:{uuid.uuid4().hex}",
        channel="email",
        recipient=person.email,
        user_id=person.id,
        subject=f"督查督办系统：{title}"[:300],
        body_text=text,
        state="pending",
        attempts=0,
        next_attempt_at=now,
    )


def _on_report_returned(report) -> None:
    """A returned report: its unit is told at once (connected by `connect_report_hooks`)."""
    task = db.session.get(Task, report.task_id)
    period = db.session.get(ReportingPeriod, report.period_id)
    notify_event(
        "report_returned",
        task,
        [report.unit_id],
        link=f"/reports#report-{report.id}",
        period=f"{period.year}年{period.month}月",
        reason=report.return_reason,
    )


def connect_report_hooks() -> None:
    """Called once by create_app: reports (a lower layer) signal a return, delivery tells the
    unit. Connecting twice is harmless (one receiver per function)."""
    report_returned.connect(_on_report_returned)
