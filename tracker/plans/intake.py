"""Intake (issue 10): the office creates and shapes plans, sections and tasks, enters a single
item in under a minute, archives, re-dates, reassigns (改派), splits and merges tasks.

Each step loads what it needs, asks tracker.plans.rules, writes, records an audit event (on the
task, so it shows on the task's timeline) and flushes; the view commits once. A refused step
raises StepRefused and writes nothing. `today` is passed in by the view.

Reassignment tells the layers above through the `task_reassigned` signal (blinker), so the
workflow can hand the task to the new units without plans importing it.
"""

import secrets
from datetime import UTC, date, datetime

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import selectinload

from tracker.audit import record
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans import rules
from tracker.plans.models import (
    PLAN_KIND_LABELS,
    Plan,
    PlanKind,
    Section,
    Task,
    TaskCoUnit,
    TaskStatus,
    TaskUnitChange,
)
from tracker.plans.originals import OriginalRefused, store
from tracker.settings import get_setting
from tracker.units.models import Unit

task_reassigned = Namespace().signal("task-reassigned")


def refuse_if(key: str | None, field: str | None = None) -> None:
    if key:
        raise StepRefused(key, field)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ units and deadlines


def current_unit_ids(ids: list[int]) -> None:
    """Refuse unknown units and units replaced in a reorganisation (one statement)."""
    if not ids:
        return
    found = db.session.execute(select(Unit.id, Unit.successor_id).where(Unit.id.in_(ids))).all()
    ok = {u.id for u in found if u.successor_id is None}
    refuse_if("bad_unit" if set(ids) - ok else None, "lead_unit_id")


def default_deadlines() -> dict:
    return dict(get_setting("intake_default_deadlines"))


def kind_default_due(kind: str, today: date) -> tuple[date | None, str | None]:
    """The kind's default due date for an item entered today and the phrase shown with it."""
    due, rule = rules.default_due(kind, today, default_deadlines(), load_calendar())
    if rule is None:
        return None, None
    return due, deadline_phrase(rule)


def deadline_phrase(rule) -> str:
    amount, unit = rule
    texts = {
        "working_days": _l("within %(n)s working days"),
        "days": _l("within %(n)s days"),
        "months": _l("within %(n)s months"),
    }
    return str(texts[unit]) % {"n": amount}


# ------------------------------------------------------------------ plans


PLAN_FIELDS = (
    "doc_number", "title", "issuer", "issued_on", "period_start", "period_end", "kind",
    "minutes_number", "meeting_date", "source_text", "note",
)  # fmt: skip


def _plan_exists(doc_number, title, exclude_id=None) -> bool:
    where = [Plan.title == title]
    where.append(Plan.doc_number == doc_number if doc_number else Plan.doc_number.is_(None))
    if exclude_id:
        where.append(Plan.id != exclude_id)
    return bool(db.session.scalar(select(exists().where(*where))))


def create_plan(data: dict, user, original=None) -> Plan:
    """A new plan; identified by document number + title."""
    refuse_if("duplicate_plan" if _plan_exists(data.get("doc_number"), data["title"]) else None,
              "title")  # fmt: skip
    plan = Plan(key=f"p-{utcnow():%Y%m%d}-{secrets.token_hex(4)}", phases=[])
    for name in PLAN_FIELDS:
        setattr(plan, name, data.get(name))
    _attach_original(plan, original)
    db.session.add(plan)
    db.session.flush()
    record("plan.created", plan, actor=user, detail=_plan_detail(plan))
    return plan


def update_plan(plan: Plan, data: dict, user, original=None) -> Plan:
    exists_ = _plan_exists(data.get("doc_number"), data["title"], plan.id)
    refuse_if("duplicate_plan" if exists_ else None, "title")
    before = _plan_detail(plan)
    for name in PLAN_FIELDS:
        setattr(plan, name, data.get(name))
    _attach_original(plan, original)
    db.session.flush()
    after = _plan_detail(plan)
    changed = {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}
    record("plan.updated", plan, actor=user, detail={"changed": changed})
    return plan


def _attach_original(plan: Plan, original) -> None:
    if original is None or not getattr(original, "filename", None):
        return
    try:
        plan.original_file, plan.original_filename, plan.original_content_type = store(original)
    except OriginalRefused as exc:
        raise StepRefused("bad_original", "original", reason=exc.message) from None


def _plan_detail(plan: Plan) -> dict:
    return {
        "doc_number": plan.doc_number,
        "title": plan.title,
        "kind": plan.kind,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "original": plan.original_filename,
    }


def archive_plan(plan: Plan, reason: str, user) -> None:
    refuse_if("already_archived" if plan.archived_at else None)
    refuse_if("reason_required" if not (reason or "").strip() else None, "reason")
    plan.archived_at, plan.archive_reason = utcnow(), reason.strip()
    record("plan.archived", plan, actor=user, detail={"reason": plan.archive_reason})
    db.session.flush()


def delete_plan(plan: Plan, user) -> None:
    """Delete a plan none of whose tasks was ever assigned (else: archive it)."""
    statuses = db.session.scalars(select(Task.status).where(Task.plan_id == plan.id)).all()
    refuse_if(None if rules.may_delete_plan(statuses) else "has_history")
    task_ids = select(Task.id).where(Task.plan_id == plan.id)
    db.session.execute(delete(TaskCoUnit).where(TaskCoUnit.task_id.in_(task_ids)))
    db.session.execute(update(Task).where(Task.plan_id == plan.id).values(parent_id=None))
    db.session.execute(delete(Task).where(Task.plan_id == plan.id))
    db.session.execute(update(Section).where(Section.plan_id == plan.id).values(parent_id=None))
    db.session.execute(delete(Section).where(Section.plan_id == plan.id))
    record("plan.deleted", plan, actor=user, detail=_plan_detail(plan))
    db.session.delete(plan)
    db.session.flush()


def inbox_plan(kind: str, year: int, user) -> Plan:
    """The per-kind, per-year plan quick-entry items go to (e.g. "会议议定事项 2026"),
    created on first use with one section."""
    key = f"inbox-{kind}-{year}"
    plan = db.session.scalar(select(Plan).where(Plan.key == key))
    if plan is None:
        title = f"{PLAN_KIND_LABELS[PlanKind(kind)]} {year}"
        plan = Plan(key=key, title=title, issuer="—", kind=kind, inbox_kind=kind, phases=[])
        db.session.add(plan)
        db.session.flush()
        db.session.add(Section(plan_id=plan.id, number=1, label="", title=title, path=""))
        record("plan.created", plan, actor=user, detail={**_plan_detail(plan), "inbox": True})
        db.session.flush()
    return plan


# ------------------------------------------------------------------ sections


def add_section(plan: Plan, parent_id: int | None, label: str, title: str, user) -> Section:
    """A section at the end of its parent (or of the plan); sections after it move down one
    place, so `number` stays the plan's depth-first order."""
    sections = db.session.scalars(select(Section).where(Section.plan_id == plan.id)).all()
    by_id = {s.id: s for s in sections}
    parent = by_id.get(parent_id) if parent_id else None
    refuse_if("bad_parent" if parent_id and parent is None else None, "parent_id")
    if parent is None:
        number = max((s.number for s in sections), default=0) + 1
    else:
        subtree = {parent.id}
        for s in sorted(sections, key=lambda s: s.number):
            if s.parent_id in subtree:
                subtree.add(s.id)
        number = max(by_id[i].number for i in subtree) + 1
        later = [s for s in sections if s.number >= number]
        # two steps, so the (plan, number) unique constraint never sees a duplicate
        for s in later:
            s.number = -(s.number + 1)
        db.session.flush()
        for s in later:
            s.number = -s.number
    section = Section(
        plan_id=plan.id,
        parent_id=parent.id if parent else None,
        number=number,
        label=label.strip(),
        title=title.strip(),
        path=rules.section_path(parent.path if parent else None, label),
    )
    db.session.add(section)
    db.session.flush()
    record("section.created", section, actor=user,
           detail={"plan_id": plan.id, "path": section.path, "title": section.title})  # fmt: skip
    return section


def update_section(section: Section, label: str, title: str, user) -> None:
    """Rename a section; its own and its descendants' display paths follow."""
    before = {"label": section.label, "title": section.title, "path": section.path}
    sections = db.session.scalars(select(Section).where(Section.plan_id == section.plan_id)).all()
    by_id = {s.id: s for s in sections}
    section.label, section.title = label.strip(), title.strip()
    for s in sorted(sections, key=lambda s: s.number):
        parent = by_id.get(s.parent_id)
        s.path = rules.section_path(parent.path if parent else None, s.label)
    record("section.updated", section, actor=user,
           detail={"before": before, "after": {"label": section.label, "title": section.title,
                                              "path": section.path}})  # fmt: skip
    db.session.flush()


# ------------------------------------------------------------------ tasks


TASK_FIELDS = ("title", "text", "due_date", "due_phrase", "source_excerpt")


def _next_number(plan_id: int) -> int:
    return (
        db.session.scalar(select(func.max(Task.number)).where(Task.plan_id == plan_id)) or 0
    ) + 1


def _check_units(lead_unit_id: int | None, co_unit_ids: list[int]) -> None:
    refuse_if("lead_required" if lead_unit_id is None else None, "lead_unit_id")
    refuse_if("lead_in_co_units" if lead_unit_id in co_unit_ids else None, "co_unit_ids")
    refuse_if("duplicate_co_unit" if len(set(co_unit_ids)) != len(co_unit_ids) else None,
              "co_unit_ids")  # fmt: skip
    current_unit_ids([lead_unit_id, *co_unit_ids])


def _set_co_units(task: Task, co_unit_ids: list[int]) -> None:
    task.co_unit_links = [
        TaskCoUnit(unit_id=unit_id, position=i) for i, unit_id in enumerate(co_unit_ids, 1)
    ]


def task_detail(task: Task) -> dict:
    return {
        "title": task.title,
        "lead_unit_id": task.lead_unit_id,
        "co_unit_ids": [link.unit_id for link in task.co_unit_links],
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "due_phrase": task.due_phrase,
        "section_id": task.section_id,
    }


def create_task(plan: Plan, section_id: int, data: dict, user, *, today: date) -> Task:
    """A new task (not yet assigned). Without a due date, the source kind's default deadline
    (set by the admin) is applied and marked as such."""
    section = db.session.get(Section, section_id)
    refuse_if("bad_parent" if section is None or section.plan_id != plan.id else None,
              "section_id")  # fmt: skip
    co_ids = list(data.get("co_unit_ids") or [])
    _check_units(data.get("lead_unit_id"), co_ids)
    task = Task(plan_id=plan.id, section_id=section_id, number=_next_number(plan.id),
                lead_unit_id=data["lead_unit_id"], status=TaskStatus.PENDING.value)  # fmt: skip
    for name in TASK_FIELDS:
        setattr(task, name, data.get(name))
    task.text = task.text or task.title
    task.co_unit_links = []
    if task.due_date is None:
        task.due_date, phrase = kind_default_due(plan.kind, today)
        if task.due_date is not None:
            task.due_phrase, task.due_basis = task.due_phrase or phrase, "default"
    _set_co_units(task, co_ids)
    db.session.add(task)
    db.session.flush()
    record("task.created", task, actor=user,
           detail={**task_detail(task), "due_basis": task.due_basis})  # fmt: skip
    return task


def update_task(task: Task, data: dict, user) -> None:
    """Edit a task's wording, section and due date; its units change through reassign()
    once it is assigned (so the change has a reason and moves what it must)."""
    refuse_if("archived" if task.status == TaskStatus.ARCHIVED.value else None)
    before = task_detail(task)
    for name in TASK_FIELDS:
        setattr(task, name, data.get(name))
    task.text = task.text or task.title
    if data.get("section_id") and data["section_id"] != task.section_id:
        section = db.session.get(Section, data["section_id"])
        refuse_if("bad_parent" if section is None or section.plan_id != task.plan_id else None,
                  "section_id")  # fmt: skip
        task.section_id = section.id
    if task.status == TaskStatus.PENDING.value and "lead_unit_id" in data:
        co_ids = list(data.get("co_unit_ids") or [])
        _check_units(data["lead_unit_id"], co_ids)
        task.lead_unit_id = data["lead_unit_id"]
        _set_co_units(task, co_ids)
    if before["due_date"] != (task.due_date.isoformat() if task.due_date else None):
        task.due_basis = None
    after = task_detail(task)
    changed = {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}
    record("task.updated", task, actor=user, detail={"changed": changed})
    db.session.flush()


def quick_entry(data: dict, user, *, today: date) -> Task:
    """One item in one screen: into the chosen plan's first section, or the kind's inbox plan
    of this year."""
    if data.get("plan_id"):
        plan = db.session.get(Plan, data["plan_id"])
        refuse_if("bad_parent" if plan is None or plan.archived_at else None, "plan_id")
    else:
        plan = inbox_plan(data["kind"], today.year, user)
    section_id = db.session.scalar(
        select(Section.id).where(Section.plan_id == plan.id).order_by(Section.number).limit(1)
    )
    if section_id is None:
        section_id = add_section(plan, None, "", plan.title, user).id
    return create_task(plan, section_id, data, user, today=today)


def load_task(task_id: int) -> Task | None:
    return db.session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit))
    )


def unit_changes_of(task_id: int) -> list[TaskUnitChange]:
    return list(
        db.session.scalars(
            select(TaskUnitChange)
            .where(TaskUnitChange.task_id == task_id)
            .options(selectinload(TaskUnitChange.unit))
            .order_by(TaskUnitChange.id)
        )
    )
