"""Changing assigned work, with its history (issue 10, part 3): archive (撤销), delete a task
without history, re-date, reassign (改派), split into sub-tasks and merge duplicates.

Every change records an audit event on the task (its timeline) and flushes; the view commits.
What moves with a reassignment is the rule in tracker.plans.rules (answers_for_period).
"""

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from tracker.audit import record
from tracker.extensions import db
from tracker.plans import rules
from tracker.plans.intake import (
    _check_units,
    _next_number,
    _set_co_units,
    refuse_if,
    task_reassigned,
    utcnow,
)
from tracker.plans.models import Task, TaskStatus, TaskUnitChange
from tracker.units.models import Unit


def _not_archived(task: Task) -> None:
    refuse_if("archived" if task.status == TaskStatus.ARCHIVED.value else None)


def _names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def archive_task(task: Task, reason: str, user) -> None:
    """Withdraw a task (撤销): it stops owing reports and raising alerts; its history stays."""
    _not_archived(task)
    refuse_if("reason_required" if not (reason or "").strip() else None, "reason")
    record("task.archived", task, actor=user,
           detail={"reason": reason.strip(), "status_before": task.status})  # fmt: skip
    task.status = TaskStatus.ARCHIVED.value
    task.archived_at, task.archive_reason = utcnow(), reason.strip()
    db.session.flush()


def delete_task(task: Task, user) -> None:
    """Delete a task without history (never assigned, no sub-task, nothing merged into it)."""
    has_sub = db.session.scalar(select(exists().where(Task.parent_id == task.id)))
    has_merged = db.session.scalar(select(exists().where(Task.merged_into_id == task.id)))
    refuse_if(None if rules.may_delete_task(task.status, has_sub, has_merged) else "has_history")
    record("task.deleted", task, actor=user, detail={"title": task.title, "plan_id": task.plan_id})
    db.session.delete(task)  # its co-unit links go with it (delete-orphan)
    db.session.flush()


def redate(task: Task, new_due: date | None, phrase: str | None, reason: str, user) -> None:
    """The office's own decision to move a due date (not a unit's extension request)."""
    _not_archived(task)
    refuse_if("date_required" if new_due is None else None, "due_date")
    refuse_if("date_unchanged" if new_due == task.due_date else None, "due_date")
    refuse_if("reason_required" if not (reason or "").strip() else None, "reason")
    detail = {
        "from": task.due_date.isoformat() if task.due_date else None,
        "to": new_due.isoformat(),
        "phrase_from": task.due_phrase,
        "reason": reason.strip(),
    }
    task.due_date, task.due_basis = new_due, "office"
    task.due_phrase = (phrase or "").strip() or task.due_phrase
    detail["phrase_to"] = task.due_phrase
    record("task.redated", task, actor=user, detail=detail)
    db.session.flush()


def reassign(
    task: Task, new_lead: int | None, new_co: list[int], reason: str, user, *, today: date
) -> list[rules.UnitChange]:
    """改派: new lead unit and/or co-units, with a reason. Reports filed stay with the units
    that filed them; a removed unit owes this period's report and nothing after; an added
    unit owes from the next period on (rules.answers_for_period). Returns the changes."""
    _not_archived(task)
    old_co = [link.unit_id for link in task.co_unit_links]
    problem = rules.reassignment_problem(task.lead_unit_id, old_co, new_lead, new_co, reason)
    fields = {"reason_required": "reason", "nothing_changed": "lead_unit_id"}
    refuse_if(problem, fields.get(problem, "co_unit_ids"))
    _check_units(new_lead, new_co)
    changes = rules.unit_changes(task.lead_unit_id, old_co, new_lead, new_co)
    period, now = rules.period_of(today), utcnow()
    names = _names([task.lead_unit_id, new_lead, *old_co, *new_co])
    for change in changes:
        db.session.add(
            TaskUnitChange(
                task_id=task.id,
                unit_id=change.unit_id,
                role=change.role,
                change=change.change,
                period=period,
                reason=reason.strip(),
                changed_at=now,
            )  # fmt: skip
        )
    detail = {
        "lead_from": names.get(task.lead_unit_id),
        "lead_to": names.get(new_lead),
        "co_from": [names.get(u) for u in old_co],
        "co_to": [names.get(u) for u in new_co],
        "reason": reason.strip(),
        "period": period,
    }
    task.lead_unit_id, task.lead_unit_basis = new_lead, None
    _set_co_units(task, new_co)
    record("task.reassigned", task, actor=user, detail=detail)
    db.session.flush()
    task_reassigned.send(task, changes=changes, user=user, today=today)
    return changes


def split(task: Task, parts: list[dict], user, *, today: date) -> list[Task]:
    """Split a task into sub-tasks, each for its own lead unit; the parent stays and shows
    their roll-up. Sub-tasks start unassigned, with the parent's due date unless given."""
    _not_archived(task)
    refuse_if(rules.split_problem([(p.get("title"), p.get("lead_unit_id")) for p in parts]),
              "parts")  # fmt: skip
    created, number = [], _next_number(task.plan_id)
    for part in parts:
        _check_units(part["lead_unit_id"], list(part.get("co_unit_ids") or []))
        sub = Task(plan_id=task.plan_id, section_id=task.section_id, number=number,
                   parent_id=task.id, title=part["title"].strip(),
                   text=(part.get("text") or part["title"]).strip(),
                   lead_unit_id=part["lead_unit_id"],
                   due_date=part.get("due_date") or task.due_date,
                   due_phrase=task.due_phrase, source_excerpt=task.source_excerpt,
                   status=TaskStatus.PENDING.value)  # fmt: skip
        sub.co_unit_links = []
        _set_co_units(sub, list(part.get("co_unit_ids") or []))
        db.session.add(sub)
        created.append(sub)
        number += 1
    db.session.flush()
    names = _names([p["lead_unit_id"] for p in parts])
    subs = [{"id": s.id, "title": s.title, "lead_unit": names.get(s.lead_unit_id)} for s in created]
    record("task.split", task, actor=user, detail={"sub_tasks": subs})
    for sub in created:
        record("task.created", sub, actor=user, detail={"parent_id": task.id, "title": sub.title})
    db.session.flush()
    return created


def merge(task: Task, target: Task | None, reason: str, user) -> None:
    """Merge a duplicate into `target`: the duplicate is archived and points to it; its
    reports and history stay where they are, reachable from the target's timeline."""
    problem = rules.merge_problem(
        task.id,
        target.id if target else None,
        task.status == TaskStatus.ARCHIVED.value,
        bool(target) and target.status == TaskStatus.ARCHIVED.value,
    )
    refuse_if(problem, "target_id")
    task.merged_into_id = target.id
    archive_task(task, reason or f"#{target.id}", user)
    record("task.merged", task, actor=user, detail={"into": target.id, "title": target.title})
    record("task.merged_in", target, actor=user, detail={"from": task.id, "title": task.title})
    db.session.flush()


def sub_tasks(task: Task) -> tuple[list[Task], dict]:
    """The task's sub-tasks (with their lead units) and their roll-up."""
    subs = list(
        db.session.scalars(
            select(Task)
            .where(Task.parent_id == task.id)
            .options(joinedload(Task.lead_unit))
            .order_by(Task.number)
        )
    )
    return subs, rules.roll_up([(s.status, s.status == TaskStatus.ARCHIVED.value) for s in subs])


__all__ = ["archive_task", "delete_task", "merge", "reassign", "redate", "split"]
