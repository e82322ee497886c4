"""Assignment (交办), acknowledgement (签收), extension requests (延期申请), close-out
(办结申请/销号) and leaders' instructions (批示).

Each step loads what it needs, asks rules.py, writes, records an audit event on the task
(so it shows on the task's timeline) and flushes; the view commits. A refused step raises
StepRefused and writes nothing. Views pass `today` (tracker.clock) in.
"""

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role
from tracker.accounts.permissions import unit_scope
from tracker.audit import AuditEvent, record
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskCoUnit, TaskStatus
from tracker.settings import get_setting
from tracker.supervision.models import (
    REQUEST_STATE_LABELS,
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    TaskAssignment,
)
from tracker.supervision.workflow import rules
from tracker.supervision.workflow.contest.models import TaskContest
from tracker.timeutil import utcnow
from tracker.units.models import Unit
from tracker.units.rules import LEAD, role_in_task
from tracker.units.services import successor_map_and_names

STATE_LABELS = {state.value: label for state, label in REQUEST_STATE_LABELS.items()}


def refuse_if(key: str | None) -> None:
    if key:
        raise StepRefused(key)


def iso_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def set_status(task: Task, new: str, user) -> AuditEvent:
    """Change the task's status; the timeline shows it as "from → to"."""
    event = record("task.status_changed", task, actor=user, detail={"from": task.status, "to": new})
    task.status = new
    return event


def _insert_many(*groups: list) -> None:
    """Insert new rows, each group (of one model) in a single batch (executemany). The ORM
    would insert them one by one to learn each new id, which nothing here needs: assigning a
    plan of 40 tasks then costs what one task does."""
    for row in (row for rows in groups for row in rows):
        if row in db.session:
            db.session.expunge(row)  # else the next flush would insert it on its own
    for rows in groups:
        if rows:
            model = type(rows[0])
            keys = [c.key for c in model.__table__.columns if not c.primary_key]
            values = [{key: getattr(row, key) for key in keys} for row in rows]
            db.session.execute(insert(model), values)


def unit_name(unit_id: int | None) -> str | None:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else None


# ---------------------------------------------------------------- loading and permissions


def _task_options():
    return (
        joinedload(Task.lead_unit),
        selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
    )


def load_task_for_update(task_id: int) -> Task | None:
    """The task with its units, its row locked until commit (PostgreSQL; SQLite writers
    already hold the database's write lock), so two steps on a task never interleave."""
    return (
        db.session.scalars(
            select(Task)
            .where(Task.id == task_id)
            .options(*_task_options())
            .with_for_update(of=Task)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )


def _load_for_update(model, row_id: int):
    return db.session.scalars(
        select(model)
        .where(model.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def load_extension(request_id: int) -> ExtensionRequest | None:
    return _load_for_update(ExtensionRequest, request_id)


def load_close_out(request_id: int) -> CloseOutRequest | None:
    return _load_for_update(CloseOutRequest, request_id)


def load_instruction(instruction_id: int) -> Instruction | None:
    return _load_for_update(Instruction, instruction_id)


def liaison_part(user, task: Task) -> tuple[str | None, set[int]]:
    """A liaison's part in a task: ('lead' | 'co' | None, the unit ids it acts for).

    The unit acts for itself and for the units it succeeded. Needs task.lead_unit and
    task.co_unit_links[].unit loaded; asks the database only when a named unit has since
    been reorganised (otherwise only the liaison's own unit can match).
    """
    if not user.has_role(Role.LIAISON) or user.unit_id is None:
        return None, set()
    named = [task.lead_unit] + [link.unit for link in task.co_unit_links]
    if any(unit.successor_id is not None for unit in named):
        scope = unit_scope(user)
    else:
        scope = {user.unit_id}
    co_unit_ids = [link.unit_id for link in task.co_unit_links]
    return role_in_task(scope, task.lead_unit_id, co_unit_ids), scope


def require_lead(user, task: Task) -> None:
    role, _scope = liaison_part(user, task)
    if role is None:
        raise StepRefused("no_part")
    if role != LEAD:
        raise StepRefused("lead_unit_only")


def default_lead_unit_id(task: Task, successor_of: dict[int, int | None]) -> int:
    return rules.final_successor(task.lead_unit_id, successor_of)


# ---------------------------------------------------------------- assign (交办)


def _assign(
    tasks: list[Task], user, today: date, lead_unit_id: int | None = None
) -> list[TaskAssignment]:
    """Assign each task to its lead unit and co-units (their successors if reorganised).

    Costs the same number of statements for one task or a whole plan: units, settings,
    calendar and existing assignments are read once, rows are inserted in one batch.
    """
    successor_of, names = successor_map_and_names()
    ack_due = load_calendar().add_workdays(today, int(get_setting("ack_working_days")))
    task_ids = [t.id for t in tasks]
    existing = set(
        db.session.execute(
            select(TaskAssignment.task_id, TaskAssignment.unit_id).where(
                TaskAssignment.task_id.in_(task_ids)
            )
        ).all()
    )
    now = utcnow()
    created, events = [], []
    for task in tasks:
        refuse_if(rules.check_assign(task.status))
        lead_change = None
        default_lead = default_lead_unit_id(task, successor_of)
        if lead_unit_id is not None and lead_unit_id != default_lead:
            if lead_unit_id not in names or successor_of.get(lead_unit_id) is not None:
                raise StepRefused("bad_lead_unit")
            lead_change = {"from": names[task.lead_unit_id], "to": names[lead_unit_id]}
            task.lead_unit_id = lead_unit_id
            task.lead_unit_basis = None
        co_ids = [link.unit_id for link in task.co_unit_links]
        units = rules.assignment_units(task.lead_unit_id, co_ids, successor_of)
        created += [
            TaskAssignment(
                task_id=task.id,
                unit_id=unit_id,
                is_lead=is_lead,
                assigned_at=now,
                assigned_by_id=user.id,
                ack_due=ack_due,
            )
            for unit_id, is_lead in units
            if (task.id, unit_id) not in existing
        ]
        detail = {
            "lead_unit": names[units[0][0]],
            "co_units": [names[unit_id] for unit_id, _lead in units[1:]],
            "ack_due": ack_due.isoformat(),
        }
        if lead_change:
            detail["lead_unit_changed"] = lead_change
        events.append(record("task.assigned", task, actor=user, detail=detail))
        events.append(set_status(task, TaskStatus.ASSIGNED.value, user))
    _insert_many(created, events)
    db.session.flush()
    return created


def assign_task(
    task: Task, user, today: date, lead_unit_id: int | None = None
) -> list[TaskAssignment]:
    """The office hands a task to its lead unit and co-units, optionally naming another
    (current) lead unit, which replaces the provisional one and its basis."""
    return _assign([task], user, today, lead_unit_id)


def assign_plan(plan: Plan, user, today: date) -> int:
    """Assign every task of the plan not yet assigned; returns how many."""
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.plan_id == plan.id, Task.status == TaskStatus.PENDING.value)
            .options(selectinload(Task.co_unit_links))
            .order_by(Task.number)
            .with_for_update(of=Task)
            .execution_options(populate_existing=True)
        ).all()
    )
    if not tasks:
        raise StepRefused("nothing_to_assign")
    _assign(tasks, user, today)
    return len(tasks)


# ---------------------------------------------------------------- acknowledge (签收)


def acknowledge(task: Task, user, today: date) -> list[TaskAssignment]:
    """The liaison acknowledges its unit's assignment(s) on the task. Late (after ack_due)
    is allowed and recorded as late; the lead unit's acknowledgement starts the task."""
    role, scope = liaison_part(user, task)
    if role is None:
        raise StepRefused("no_part")
    # a task returned (退回交办) waits for the office's decision: acknowledging it now would
    # contradict the return (docs/workflow.md)
    open_contest = select(TaskContest.id).where(
        TaskContest.task_id == task.id, TaskContest.outcome.is_(None)
    )
    if db.session.scalar(open_contest.limit(1)) is not None:
        raise StepRefused("contest_open")
    assignments = list(
        db.session.scalars(
            select(TaskAssignment)
            .where(TaskAssignment.task_id == task.id, TaskAssignment.unit_id.in_(scope))
            .options(joinedload(TaskAssignment.unit))
            .order_by(TaskAssignment.id)
            .with_for_update(of=TaskAssignment)
        ).all()
    )
    open_ = [a for a in assignments if a.acknowledged_at is None]
    refuse_if(rules.check_acknowledge(task.status, bool(assignments), not open_))
    now = utcnow()
    for assignment in open_:
        assignment.acknowledged_at = now
        assignment.acknowledged_by_id = user.id
        record(
            "task.acknowledged",
            task,
            actor=user,
            detail={
                "unit": assignment.unit.name,
                "lead": assignment.is_lead,
                "ack_due": assignment.ack_due.isoformat(),
                "late": rules.is_late(today, assignment.ack_due),
            },
        )
        new = rules.status_after_acknowledgement(task.status, assignment.is_lead)
        if new:
            set_status(task, new, user)
    db.session.flush()
    return open_


# ---------------------------------------------------------------- extension (延期申请)


# ---------------------------------------------------------------- close-out (办结/销号)


# ---------------------------------------------------------------- instructions (批示)


# ---------------------------------------------------------------- what pages show
