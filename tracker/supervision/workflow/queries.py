"""What the workflow shows: the task page's workflow panel, the office's queue and a
liaison's to-do list (read models, no writes)."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role
from tracker.accounts.permissions import request_successor_map, unit_scope
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskStatus
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    RequestState,
    SupervisionNotice,
    TaskAssignment,
)
from tracker.supervision.workflow import rules
from tracker.supervision.workflow.forms import (
    AssignForm,
    CloseOutForm,
    ExtensionForm,
    InstructionForm,
)
from tracker.supervision.workflow.services import (
    STATE_LABELS,
    default_lead_unit_id,
    liaison_part,
)
from tracker.timeutil import local_date
from tracker.timeutil import today as clock_today
from tracker.units.forms import unit_datalist
from tracker.units.rules import LEAD


def _forms(**forms):
    return {name: cls(formdata=None) for name, cls in forms.items()}


def task_panel(task, user, today: date | None = None) -> dict:
    """Everything the task page shows and offers about the task's workflow for this user.

    Needs task.lead_unit and task.co_unit_links[].unit loaded (plans.services.load_task).
    A task not yet assigned has no assignments or requests, so they are not queried.
    """
    today = today or clock_today()
    status = task.status
    is_office = user.has_role(Role.OFFICE)
    is_leader = user.has_role(Role.LEADER)
    role, scope = liaison_part(user, task)

    assignments: list[TaskAssignment] = []
    extensions: list[ExtensionRequest] = []
    close_outs: list[CloseOutRequest] = []
    if status != TaskStatus.PENDING.value:
        assignments = list(
            db.session.scalars(
                select(TaskAssignment)
                .where(TaskAssignment.task_id == task.id)
                .options(joinedload(TaskAssignment.unit))
                .order_by(TaskAssignment.is_lead.desc(), TaskAssignment.id)
            ).all()
        )
        extensions = list(
            db.session.scalars(
                select(ExtensionRequest)
                .where(ExtensionRequest.task_id == task.id)
                .options(joinedload(ExtensionRequest.unit))
                .order_by(ExtensionRequest.id.desc())
            ).all()
        )
        close_outs = list(
            db.session.scalars(
                select(CloseOutRequest)
                .where(CloseOutRequest.task_id == task.id)
                .options(
                    joinedload(CloseOutRequest.unit), selectinload(CloseOutRequest.attachments)
                )
                .order_by(CloseOutRequest.id.desc())
            ).all()
        )
    instructions = list(
        db.session.scalars(
            select(Instruction)
            .where(Instruction.task_id == task.id)
            .options(joinedload(Instruction.author))
            .order_by(Instruction.id.desc())
        ).all()
    )
    unit_names = {task.lead_unit_id: task.lead_unit.name}
    unit_names.update({link.unit_id: link.unit.name for link in task.co_unit_links})
    unit_names.update({a.unit_id: a.unit.name for a in assignments})

    pending = RequestState.PENDING.value
    extension_pending = any(e.state == pending for e in extensions)
    close_out_pending = any(c.state == pending for c in close_outs)
    mine_open = [a for a in assignments if a.unit_id in scope and a.acknowledged_at is None]
    is_lead = role == LEAD
    flags = {
        "can_assign": is_office and status == TaskStatus.PENDING.value,
        "can_acknowledge": bool(mine_open) and status != TaskStatus.CLOSED.value,
        "can_request_extension": is_lead
        and rules.check_open_task(status) is None
        and not extension_pending
        and task.due_date is not None,
        "can_request_close_out": is_lead
        and rules.check_close_out_request(status, close_out_pending) is None,
        "can_decide": is_office,
        "can_instruct": is_leader and rules.check_instruction(status) is None,
        "can_answer": is_lead,
    }
    forms = {}
    default_lead = unit_options = None
    if flags["can_assign"]:
        # the named lead unit, or its successor (the unit map only when it was reorganised)
        successor_of = request_successor_map() if task.lead_unit.successor_id else {}
        default_lead = default_lead_unit_id(task, successor_of)
        forms["assign"] = AssignForm(formdata=None, lead_unit_id=default_lead)
        unit_options = unit_datalist()  # the typed lead unit's one <datalist id="units">
    if flags["can_request_extension"]:
        forms.update(_forms(extension=ExtensionForm))
    if flags["can_request_close_out"]:
        forms.update(_forms(close_out=CloseOutForm))
    if flags["can_instruct"]:
        forms.update(_forms(instruction=InstructionForm))

    return {
        "today": today,
        "role": role,
        "state_labels": STATE_LABELS,
        "late_acknowledgements": {
            a.id
            for a in assignments
            if a.acknowledged_at and rules.is_late(local_date(a.acknowledged_at), a.ack_due)
        },
        "overdue_acknowledgements": {
            a.id
            for a in assignments
            if rules.ack_overdue(a.ack_due, bool(a.acknowledged_at), today)
        },
        "late_answers": {
            i.id
            for i in instructions
            if i.answered_at and rules.is_late(local_date(i.answered_at), i.answer_due)
        },
        "assignments": assignments,
        "my_open_assignments": mine_open,
        "extensions": extensions,
        "close_outs": close_outs,
        "instructions": instructions,
        "unit_names": unit_names,
        "default_lead_unit_id": default_lead,
        "unit_options": unit_options,
        "extension_pending": extension_pending,
        "close_out_pending": close_out_pending,
        # the evidence module lets office, leader, admin and the lead unit download
        "evidence_links": "evidence.download" in current_app.view_functions
        and (role is None or is_lead),
        "forms": forms,
        **flags,
    }


SECTION_PAGE = 25  # rows a section of the office's queue shows
QUEUE_SECTIONS = ("extensions", "close_outs", "late_acks", "instructions")
TODO_SECTIONS = ("to_acknowledge", "to_answer", "notices")


@dataclass
class Section:
    """One page of a list: its rows, how many there are in all, the page and the pages."""

    rows: list
    total: int
    page: int
    pages: int

    def __len__(self) -> int:  # the templates' `|length` reads the total
        return self.total

    def __iter__(self):
        return iter(self.rows)


def paged(query, page: int, size: int = SECTION_PAGE) -> Section:
    """One page of `query` (already ordered) and the total in the same statement (a window
    COUNT); a page past the end shows the last one (one more statement then)."""
    counted = query.add_columns(func.count().over())
    rows = db.session.execute(counted.limit(size).offset((page - 1) * size)).all()
    if not rows and page > 1:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        page = max(1, -(-total // size))
        rows = db.session.execute(counted.limit(size).offset((page - 1) * size)).all()
    total = rows[0][-1] if rows else 0
    return Section([tuple(r[:-1]) for r in rows], total, page, max(1, -(-total // size)))


def paged_narrow(keys, key_column, load, page: int, size: int = SECTION_PAGE) -> Section:
    """As `paged`, in one statement too, but the page is chosen and counted on narrow rows:
    `keys` selects the ordered ids (labelled "id") of every match, and only the page's ids
    are joined to `load` (the whole rows, ordered the same way). Counting every match with
    its task's full row made PostgreSQL read the whole task table (≈30 ms at province
    scale) for ≈1,000 overdue acknowledgements; the ids alone come from indexes."""

    def fetch(number: int):
        ranked = (
            keys.add_columns(func.count().over().label("total"))
            .limit(size)
            .offset((number - 1) * size)
            .subquery("ranked")
        )
        return db.session.execute(
            load.join(ranked, ranked.c.id == key_column).add_columns(ranked.c.total)
        ).all()

    rows = fetch(page)
    if not rows and page > 1:
        total = db.session.scalar(select(func.count()).select_from(keys.order_by(None).subquery()))
        page = max(1, -(-total // size))
        rows = fetch(page)
    total = rows[0][-1] if rows else 0
    return Section([tuple(r[:-1]) for r in rows], total, page, max(1, -(-total // size)))


def office_queue(today: date, pages: dict[str, int] | None = None) -> dict:
    """What awaits the office: pending requests, overdue acknowledgements, unanswered
    instructions (a page of each, `pages` naming the page of each section, with its total)
    and plans with tasks not yet assigned. Five statements whatever the rows."""
    pages = pages or {}
    pending = RequestState.PENDING.value
    task_opts = (joinedload(Task.plan), joinedload(Task.lead_unit))
    extensions = paged(
        select(ExtensionRequest, Task)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .where(ExtensionRequest.state == pending)
        .options(joinedload(ExtensionRequest.unit), *task_opts)
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id),
        pages.get("extensions", 1),
    )
    close_outs = paged(
        select(CloseOutRequest, Task)
        .join(Task, Task.id == CloseOutRequest.task_id)
        .where(CloseOutRequest.state == pending)
        .options(joinedload(CloseOutRequest.unit), *task_opts)
        .order_by(CloseOutRequest.requested_at, CloseOutRequest.id),
        pages.get("close_outs", 1),
    )
    late_order = (TaskAssignment.ack_due, TaskAssignment.id)
    late_acks = paged_narrow(
        select(TaskAssignment.id)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(
            TaskAssignment.acknowledged_at.is_(None),
            TaskAssignment.ack_due < today,
            Task.status != TaskStatus.CLOSED.value,
        )
        .order_by(*late_order),
        TaskAssignment.id,
        select(TaskAssignment, Task)
        .join(Task, Task.id == TaskAssignment.task_id)
        .options(joinedload(TaskAssignment.unit), *task_opts)
        .order_by(*late_order),
        pages.get("late_acks", 1),
    )
    unanswered_order = (Instruction.answer_due, Instruction.id)
    instructions = paged_narrow(
        select(Instruction.id).where(Instruction.answer.is_(None)).order_by(*unanswered_order),
        Instruction.id,
        select(Instruction, Task)
        .join(Task, Task.id == Instruction.task_id)
        .options(joinedload(Instruction.author), *task_opts)
        .order_by(*unanswered_order),
        pages.get("instructions", 1),
    )
    plans = db.session.execute(
        select(Plan, func.count(Task.id))
        .join(Task, Task.plan_id == Plan.id)
        .where(Task.status == TaskStatus.PENDING.value)
        .group_by(Plan.id)
        .order_by(Plan.id)
    ).all()
    return {
        "extensions": extensions,
        "close_outs": close_outs,
        "late_acks": late_acks,
        "instructions": instructions,
        "plans_to_assign": plans,
        "today": today,
    }


def my_actions(user, today: date, pages: dict[str, int] | None = None) -> dict:
    """A liaison's to-do: its unit's assignments to acknowledge (also those of units it
    succeeded), the instructions on tasks it leads and the supervision notices addressed to
    it still to answer. A page of each (`pages` as in office_queue), with its total."""
    pages = pages or {}
    scope = unit_scope(user) or set()
    task_opts = (joinedload(Task.plan), joinedload(Task.lead_unit))
    to_acknowledge = paged(
        select(TaskAssignment, Task)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(
            TaskAssignment.unit_id.in_(scope),
            TaskAssignment.acknowledged_at.is_(None),
            Task.status != TaskStatus.CLOSED.value,
        )
        .options(joinedload(TaskAssignment.unit), *task_opts)
        .order_by(TaskAssignment.ack_due, TaskAssignment.id),
        pages.get("to_acknowledge", 1),
    )
    to_answer = paged(
        select(Instruction, Task)
        .join(Task, Task.id == Instruction.task_id)
        .where(Task.lead_unit_id.in_(scope), Instruction.answer.is_(None))
        .options(joinedload(Instruction.author), *task_opts)
        .order_by(Instruction.answer_due, Instruction.id),
        pages.get("to_answer", 1),
    )
    notices = paged(
        select(SupervisionNotice, Task)
        .join(Task, Task.id == SupervisionNotice.task_id)
        .where(SupervisionNotice.unit_id.in_(scope), SupervisionNotice.state == "issued")
        .options(*task_opts)
        .order_by(SupervisionNotice.answer_due, SupervisionNotice.id),
        pages.get("notices", 1),
    )
    return {
        "to_acknowledge": to_acknowledge,
        "to_answer": to_answer,
        "notices": notices,
        "today": today,
    }
