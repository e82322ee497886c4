"""Assignment (交办), acknowledgement (签收), extension requests (延期申请), close-out
(办结申请/销号) and leaders' instructions (批示).

Each step loads what it needs, asks rules.py, writes, records an audit event on the task
(so it shows on the task's timeline) and flushes; the view commits. A refused step raises
WorkflowError and writes nothing. Views pass `today` (tracker.clock) in.
"""

from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role
from tracker.accounts.permissions import unit_scope
from tracker.audit import ACTION_LABELS, AuditEvent, record
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskCoUnit, TaskStatus
from tracker.reports.models import utcnow
from tracker.settings import get_setting
from tracker.supervision.models import (
    REQUEST_STATE_LABELS,
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    TaskAssignment,
)
from tracker.supervision.workflow import rules
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

ACTION_LABELS.update(
    {
        "task.assigned": _l("Assigned to the units"),
        "task.acknowledged": _l("Assignment acknowledged"),
        "task.extension_requested": _l("Extension requested"),
        "task.extension_approved": _l("Extension approved"),
        "task.extension_rejected": _l("Extension rejected"),
        "task.close_out_requested": _l("Close-out requested"),
        "task.closed_out": _l("Close-out confirmed"),
        "task.close_out_refused": _l("Close-out refused"),
        "task.instruction_written": _l("Instruction written"),
        "task.instruction_answered": _l("Instruction answered"),
    }
)

STATE_LABELS = {state.value: label for state, label in REQUEST_STATE_LABELS.items()}

MESSAGES = {
    "already_assigned": _l("This task has already been assigned."),
    "task_closed": _l("This task is closed."),
    "nothing_to_assign": _l("This plan has no task waiting to be assigned."),
    "bad_lead_unit": _l("Choose a current unit as lead unit."),
    "no_part": _l("Your unit has no part in this task."),
    "lead_unit_only": _l("Only the lead unit's liaison can do this."),
    "not_assigned_to_unit": _l("This task has not been assigned to your unit yet."),
    "already_acknowledged": _l("Your unit has already acknowledged this task."),
    "not_assigned": _l("This task has not been assigned yet."),
    "extension_pending": _l("An extension request for this task is awaiting a decision."),
    "no_due_date": _l("This task has no due date to extend."),
    "date_in_past": _l("The new due date cannot be in the past."),
    "date_not_later": _l("The new due date must be after the current due date."),
    "close_out_pending": _l("A close-out request for this task is awaiting a decision."),
    "bad_decision": _l("Choose a decision."),
    "already_decided": _l("This request has already been decided."),
    "note_required": _l("Say why: a rejection needs a note."),
    "decide_extension_first": _l(
        "An extension request on this task awaits a decision: decide it before closing the task."
    ),
    "already_answered": _l("This instruction has already been answered."),
    "leader_only": _l("Only a leader can write instructions."),
    "evidence_rejected": _l("An evidence file was refused: %(reason)s"),
}

# errors that belong to one field of the form (shown beside it)
FIELD_OF_ERROR = {
    "date_in_past": "requested_due",
    "date_not_later": "requested_due",
    "note_required": "note",
    "bad_lead_unit": "lead_unit_id",
    "evidence_rejected": "evidence",
}


class WorkflowError(Exception):
    """A refused step: `key` names the rule, `message` is what the user reads."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params

    @property
    def field(self) -> str | None:
        return FIELD_OF_ERROR.get(self.key)

    @property
    def message(self) -> str:
        text = MESSAGES.get(self.key, self.key)
        return str(text % self.params) if self.params else str(text)


def refuse_if(key: str | None) -> None:
    if key:
        raise WorkflowError(key)


def local_date(moment: datetime) -> date:
    """The Beijing date of a stored (naive UTC) time."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


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
    if task.lead_unit_id in scope:
        return "lead", scope
    if any(link.unit_id in scope for link in task.co_unit_links):
        return "co", scope
    return None, scope


def require_lead(user, task: Task) -> None:
    role, _scope = liaison_part(user, task)
    if role is None:
        raise WorkflowError("no_part")
    if role != "lead":
        raise WorkflowError("lead_unit_only")


def current_unit_choices() -> list[tuple[int, str]]:
    """Units that exist today (not reorganised away), for choosing a lead unit."""
    successor_of, names = successor_map()
    return [(uid, name) for uid, name in names.items() if successor_of.get(uid) is None]


def successor_map() -> tuple[dict[int, int | None], dict[int, str]]:
    """Every unit's successor and name, in the directory's order (by short code)."""
    rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.successor_id).order_by(Unit.code)
    ).all()
    return {r.id: r.successor_id for r in rows}, {r.id: r.name for r in rows}


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
    successor_of, names = successor_map()
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
                raise WorkflowError("bad_lead_unit")
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
        raise WorkflowError("nothing_to_assign")
    _assign(tasks, user, today)
    return len(tasks)


# ---------------------------------------------------------------- acknowledge (签收)


def acknowledge(task: Task, user, today: date) -> list[TaskAssignment]:
    """The liaison acknowledges its unit's assignment(s) on the task. Late (after ack_due)
    is allowed and recorded as late; the lead unit's acknowledgement starts the task."""
    role, scope = liaison_part(user, task)
    if role is None:
        raise WorkflowError("no_part")
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
