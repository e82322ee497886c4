"""Adding, changing and marking milestones done: load, check, write, flush() — never commit.

Who may do what (docs/milestones.md): the office adds, changes, deletes, marks done and
reopens; the liaison of the unit responsible for a milestone (the task's lead unit when the
milestone names none, else its co-unit, or a unit that unit became) marks it done with a
note. Every step is an audit event on the task's timeline (subject: the task).
"""

from datetime import date

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import unit_scope
from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.milestones.models import DOCUMENT, MANUAL, Milestone
from tracker.plans.milestones.pace import refresh_task_pace
from tracker.plans.milestones.rules import phase_milestones
from tracker.plans.models import OPEN_STATUSES, Task, TaskCoUnit, TaskStatus
from tracker.timeutil import today as local_today

CLOSED_STATES = (TaskStatus.CLOSED.value, TaskStatus.ARCHIVED.value)


def responsible_unit_id(milestone: Milestone, task: Task) -> int:
    """The unit that answers for a milestone: its own unit, else the task's lead unit."""
    return milestone.unit_id if milestone.unit_id is not None else task.lead_unit_id


def may_mark_done(user: User, milestone: Milestone, task: Task, scope=None) -> bool:
    """The office always; a liaison when its unit scope holds the responsible unit
    (`scope`: the liaison's unit scope when the caller has it, for a list of milestones)."""
    if user.has_role(Role.OFFICE):
        return True
    if not user.has_role(Role.LIAISON):
        return False
    scope = unit_scope(user) if scope is None else scope
    return responsible_unit_id(milestone, task) in scope


def _check_values(task: Task, unit_id: int | None, expected_percent: int | None) -> None:
    if task.status in CLOSED_STATES:
        raise StepRefused("task_closed")
    if unit_id is not None and unit_id != task.lead_unit_id:
        co_unit_ids = db.session.scalars(
            select(TaskCoUnit.unit_id).where(TaskCoUnit.task_id == task.id)
        ).all()
        if unit_id not in co_unit_ids:
            raise StepRefused("milestone_bad_unit", field="unit_id")
    if expected_percent is not None and not 0 <= expected_percent <= 100:
        raise StepRefused("milestone_bad_percent", field="expected_percent")


def _pace_changed(task: Task) -> None:
    """An open task's milestones changed: its stored pace follows (pace.refresh_pace)."""
    if task.status in OPEN_STATUSES:
        refresh_task_pace(task.id)


def _detail(milestone: Milestone, **extra) -> dict:
    return {
        "milestone_id": milestone.id,
        "due_date": milestone.due_date.isoformat(),
        "deliverable": milestone.deliverable[:200],
        **extra,
    }


def add_milestone(
    task: Task,
    *,
    due_date: date,
    deliverable: str,
    unit_id: int | None = None,
    expected_percent: int | None = None,
    user: User | None = None,
    source: str = MANUAL,
    phrase: str | None = None,
) -> Milestone:
    """Add a milestone to a task. `unit_id` None or the
    lead unit's id both mean the lead unit (stored as None, so a reassignment moves it)."""
    _check_values(task, unit_id, expected_percent)
    milestone = Milestone(
        task_id=task.id,
        due_date=due_date,
        deliverable=deliverable.strip(),
        unit_id=None if unit_id == task.lead_unit_id else unit_id,
        expected_percent=expected_percent,
        source=source,
        phrase=phrase,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(milestone)
    db.session.flush()
    record("milestone.added", task, actor=user, detail=_detail(milestone, source=source))
    _pace_changed(task)
    return milestone


def update_milestone(
    milestone: Milestone,
    task: Task,
    *,
    due_date: date,
    deliverable: str,
    unit_id: int | None,
    expected_percent: int | None,
    user: User,
) -> None:
    """The office changes a milestone's date, deliverable, unit or expected percent."""
    _check_values(task, unit_id, expected_percent)
    before = milestone.due_date.isoformat()
    milestone.due_date = due_date
    milestone.deliverable = deliverable.strip()
    milestone.unit_id = None if unit_id == task.lead_unit_id else unit_id
    milestone.expected_percent = expected_percent
    db.session.flush()
    record("milestone.updated", task, actor=user, detail=_detail(milestone, was=before))
    _pace_changed(task)


def mark_done(
    milestone: Milestone, task: Task, *, note: str, user: User, day: date | None = None
) -> None:
    """Mark a milestone done on `day` (today by default) with a note on the evidence."""
    if not may_mark_done(user, milestone, task):
        raise StepRefused("milestone_no_part")
    if milestone.done_on is not None:
        raise StepRefused("milestone_already_done")
    if not note.strip():
        raise StepRefused("milestone_note_required", field="note")
    milestone.done_on = day or local_today()
    milestone.done_note = note.strip()
    milestone.done_by_id = user.id
    db.session.flush()
    record(
        "milestone.done",
        task,
        actor=user,
        detail=_detail(milestone, done_on=milestone.done_on.isoformat(), note=note[:200]),
    )


def reopen(milestone: Milestone, task: Task, *, reason: str, user: User) -> None:
    """The office reopens a milestone marked done (e.g. the evidence did not hold)."""
    if milestone.done_on is None:
        raise StepRefused("milestone_not_done")
    if not reason.strip():
        raise StepRefused("reason_required", field="note")
    milestone.done_on = milestone.done_note = milestone.done_by_id = None
    db.session.flush()
    record("milestone.reopened", task, actor=user, detail=_detail(milestone, reason=reason[:200]))


def delete_milestone(milestone: Milestone, task: Task, *, user: User) -> None:
    """The office deletes a milestone entered by mistake; the timeline keeps its trace."""
    detail = _detail(milestone)
    db.session.delete(milestone)
    db.session.flush()
    record("milestone.deleted", task, actor=user, detail=detail)
    _pace_changed(task)


def add_proposed_milestones(
    task: Task,
    proposed: list[dict],
    *,
    plan_phases: list[dict] | None = None,
    user: User | None = None,
    source: str = DOCUMENT,
) -> list[Milestone]:
    """A new task's milestones from an import: the measure's own steps ([{"due_date",
    "phrase", "deliverable"}], importing.dates.find_steps or the Excel sheet), else the
    plan's phases (rules.phase_milestones). A step without a valid date is skipped."""
    steps = []
    for step in proposed or []:
        try:
            due = date.fromisoformat(str(step.get("due_date") or ""))
        except ValueError:
            continue
        deliverable = (step.get("deliverable") or step.get("phrase") or "").strip()
        if deliverable:
            steps.append((due, (step.get("phrase") or "")[:200] or None, deliverable))
    if not steps:
        steps = [
            (due, phrase, phrase)
            for due, phrase in phase_milestones(plan_phases or [], task.due_date)
        ]
    return [
        add_milestone(
            task, due_date=due, deliverable=deliverable, user=user, source=source, phrase=phrase
        )
        for due, phrase, deliverable in steps
    ]
