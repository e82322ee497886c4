"""Contesting an assignment (退回交办): the lead unit files, the office decides.

Each step loads what it needs, asks rules.py, writes, records an audit event on the task
(its timeline), notifies the unit and flushes; the view commits once. A refused step raises
StepRefused and writes nothing. The reassignment itself is tracker.plans.changes.reassign
(the workflow hands the task to the new units through the `task_reassigned` signal).
"""

from datetime import date

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import joinedload

from tracker.audit import record
from tracker.calendar.services import load_calendar
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.changes import reassign
from tracker.plans.models import Task
from tracker.settings import get_setting
from tracker.supervision.delivery.notify import notify_event
from tracker.supervision.models import TaskAssignment
from tracker.supervision.workflow.contest import rules
from tracker.supervision.workflow.contest.models import ContestOutcome, TaskContest
from tracker.supervision.workflow.services import (
    iso_date,
    liaison_part,
    refuse_if,
    require_lead,
    unit_name,
)
from tracker.timeutil import local_date, utcnow


def _refuse(key: str | None, **params) -> None:
    if key:
        raise StepRefused(key, **params)


def lead_assignment(task_id: int, scope: set[int], *, lock: bool = False):
    """The lead unit's assignment of the task held by a unit in `scope`, or None."""
    query = select(TaskAssignment).where(
        TaskAssignment.task_id == task_id,
        TaskAssignment.is_lead.is_(True),
        TaskAssignment.unit_id.in_(scope),
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query.order_by(TaskAssignment.id)).first()


def window_end(assignment: TaskAssignment | None, calendar=None) -> date | None:
    """The last day the unit may return this assignment (None without an assignment)."""
    if assignment is None:
        return None
    window = int(get_setting("contest_working_days"))
    return rules.contest_deadline(
        local_date(assignment.assigned_at), window, calendar or load_calendar()
    )


def _already_filed(task_id: int, scope: set[int]) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(TaskContest.task_id == task_id, TaskContest.unit_id.in_(scope)))
        )
    )


def file_contest(task: Task, user, today: date, reason: str) -> TaskContest:
    """The lead unit's liaison returns the task (退回交办) with a reason."""
    require_lead(user, task)
    _role, scope = liaison_part(user, task)
    assignment = lead_assignment(task.id, scope, lock=True)
    deadline = window_end(assignment)
    key = rules.check_contest(
        task.status,
        assignment is not None,
        assignment is not None and assignment.acknowledged_at is not None,
        _already_filed(task.id, scope),
        today,
        deadline,
        reason,
    )
    _refuse(key, date=iso_date(deadline))
    reason = reason.strip()[: rules.REASON_MAX]
    contest = TaskContest(
        task_id=task.id,
        unit_id=assignment.unit_id,
        reason=reason,
        filed_by_id=user.id,
        filed_at=utcnow(),
        filed_on=today,
    )
    db.session.add(contest)
    db.session.flush()
    record(
        "task.contested",
        task,
        actor=user,
        detail={
            "contest_id": contest.id,
            "unit": unit_name(contest.unit_id),
            "reason": reason,
            "deadline": iso_date(deadline),
        },
    )
    db.session.flush()
    return contest


def load_contest(contest_id: int) -> TaskContest | None:
    return db.session.scalars(
        select(TaskContest)
        .where(TaskContest.id == contest_id)
        .options(joinedload(TaskContest.unit, innerjoin=True))
        .with_for_update(of=TaskContest)
        .execution_options(populate_existing=True)
    ).one_or_none()


def decide_contest(
    contest: TaskContest,
    task: Task,
    user,
    today: date,
    decision: str,
    reason: str,
    new_lead_unit_id: int | None = None,
) -> TaskContest:
    """The office reassigns the task (改派, through plans.changes.reassign) or insists
    (坚持交办): then the due date and the unit's acknowledgement deadline move by the
    working days the task was contested."""
    refuse_if(
        rules.check_decision(contest.outcome, decision, reason, new_lead_unit_id, contest.unit_id)
    )
    reason = reason.strip()[: rules.REASON_MAX]
    calendar = load_calendar()
    paused = rules.paused_working_days(contest.filed_on, today, calendar)
    detail = {"contest_id": contest.id, "unit": unit_name(contest.unit_id), "reason": reason}
    if decision == rules.REASSIGN:
        new_co = [link.unit_id for link in task.co_unit_links if link.unit_id != new_lead_unit_id]
        reassign(task, new_lead_unit_id, new_co, reason, user, today=today)
        if contest.unit_id not in (new_lead_unit_id, *new_co):
            # the unit may answer for a reorganised lead unit the reassignment removed:
            # its own unacknowledged assignment goes too
            db.session.execute(
                delete(TaskAssignment).where(
                    TaskAssignment.task_id == task.id,
                    TaskAssignment.unit_id == contest.unit_id,
                    TaskAssignment.acknowledged_at.is_(None),
                )
            )
        contest.outcome = ContestOutcome.REASSIGNED.value
        detail["to"] = unit_name(new_lead_unit_id)
        record("task.contest_reassigned", task, actor=user, detail=detail)
        notify_event("contest_reassigned", task, [contest.unit_id], note=reason, text=detail["to"])
    else:
        old_due = task.due_date
        task.due_date = rules.moved_date(old_due, paused, calendar)
        assignment = lead_assignment(task.id, {contest.unit_id})
        if assignment is not None and assignment.acknowledged_at is None:
            assignment.ack_due = rules.moved_date(assignment.ack_due, paused, calendar)
        contest.outcome = ContestOutcome.INSISTED.value
        detail.update(paused=paused, **{"from": iso_date(old_due), "to": iso_date(task.due_date)})
        record("task.contest_insisted", task, actor=user, detail=detail)
        notify_event(
            "contest_insisted", task, [contest.unit_id], note=reason, due=iso_date(task.due_date)
        )
    contest.decided_by_id = user.id
    contest.decided_at = utcnow()
    contest.decision_reason = reason
    contest.paused_working_days = paused
    db.session.flush()
    return contest
