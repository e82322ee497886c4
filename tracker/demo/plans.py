"""The tasks' states: the office assigns both plans at the history's start, the units
acknowledge the next working day; a few measures of 长发〔2017〕29号 were already done when the
office took the plans on."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.calendar.services import load_calendar
from tracker.demo.accounts import demo_users, liaisons_by_unit
from tracker.demo.history import History, at, history_start
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskStatus
from tracker.supervision.models import TaskAssignment
from tracker.supervision.workflow.services import (
    acknowledge,
    assign_plan,
    load_task_for_update,
    set_status,
)
from tracker.timeutil import today as local_today
from tracker.timeutil import utcnow

CHANGFA, ZONE = "changfa-2017-29", "czgxq-shuangchuang-2021"
# two zone measures whose lead unit has not acknowledged its assignment
UNACKNOWLEDGED = {(ZONE, 3), (ZONE, 6)}


def done_before_history(plan_key: str, number: int) -> bool:
    """Every fourth item of 长发〔2017〕29号 was done before the office took the plans on."""
    return plan_key == CHANGFA and number % 4 == 0


def ensure_demo_task_states(today: date | None = None) -> int:
    """Give seeded, never-touched tasks a plausible state: closed (done before the history),
    assigned (two zone measures not acknowledged yet) or in progress. Through the workflow
    services, at the history's start. Only tasks still `pending` change, so a second run
    changes nothing."""
    today = today or local_today()
    office = demo_users().get("office")
    if office is None:
        return 0
    plans = {p.id: p for p in db.session.scalars(select(Plan)).all()}
    tasks = db.session.scalars(
        select(Task)
        .where(Task.status == TaskStatus.PENDING.value)
        .options(selectinload(Task.co_unit_links))
        .order_by(Task.id)
    ).all()
    if not tasks:
        return 0
    calendar = load_calendar()
    start = history_start(today, calendar)
    done = [t for t in tasks if done_before_history(plans[t.plan_id].key, t.number)]
    history = History()
    history.add(at(start, 8, 30), lambda _day: close_before_history(done, office))
    for plan in plans.values():
        if any(t.plan_id == plan.id for t in tasks if t not in done):
            history.add(at(start, 9), lambda day, plan=plan: assign_plan(plan, office, day))
    acknowledged = {t.id for t in tasks if (plans[t.plan_id].key, t.number) not in UNACKNOWLEDGED}
    history.add(
        at(calendar.next_workday(start + timedelta(days=1)), 10),
        lambda day: acknowledge_all(acknowledged, day),
    )
    history.play()
    return len(tasks)


def close_before_history(tasks: list[Task], office) -> None:
    for task in tasks:
        set_status(task, TaskStatus.CLOSED.value, office)
        task.closed_at = utcnow()
    db.session.flush()


def acknowledge_all(task_ids: set[int], day: date) -> None:
    """Each unit's liaison acknowledges its assignments on the tasks."""
    liaisons = liaisons_by_unit(demo_users())
    rows = db.session.execute(
        select(TaskAssignment.task_id, TaskAssignment.unit_id)
        .where(TaskAssignment.task_id.in_(task_ids), TaskAssignment.acknowledged_at.is_(None))
        .order_by(TaskAssignment.task_id, TaskAssignment.id)
    ).all()
    by_task: dict[int, list[int]] = {}
    for task_id, unit_id in rows:
        by_task.setdefault(task_id, []).append(unit_id)
    for task_id, unit_ids in by_task.items():
        task = load_task_for_update(task_id)
        # one acknowledgement per liaison: it covers every unit the liaison acts for
        for liaison in dict.fromkeys(liaisons[u] for u in unit_ids if u in liaisons):
            acknowledge(task, liaison, day)
