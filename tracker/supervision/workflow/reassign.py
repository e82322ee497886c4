"""What a reassignment (改派, tracker.plans.changes.reassign) means for the workflow.

Connected to the `task_reassigned` signal, so plans need not import the workflow:
- an assigned task is handed at once to each added unit (it must acknowledge within the usual
  working days); the lead flag follows the new lead unit;
- a removed unit's acknowledgement, if still outstanding, is no longer owed: the row goes
  (the "assigned" event stays on the timeline) and its open acknowledgement alerts are resolved;
- reports filed stay; report alerts follow tracker.plans.rules.answers_for_period.
"""

from sqlalchemy import delete, select, update

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.intake import task_reassigned
from tracker.plans.models import TaskStatus
from tracker.plans.rules import ADDED, LEAD, REMOVED
from tracker.settings import get_setting
from tracker.supervision.models import Alert, TaskAssignment
from tracker.timeutil import utcnow


def on_reassigned(task, *, changes, user, today) -> None:
    if task.status not in (TaskStatus.ASSIGNED.value, TaskStatus.IN_PROGRESS.value):
        return  # not handed out yet: the assignment will name the new units
    now = utcnow()
    removed = {c.unit_id for c in changes if c.change == REMOVED}
    added = {c.unit_id: c.role for c in changes if c.change == ADDED}
    kept = removed & set(added)  # a unit moving between lead and co-unit keeps its row
    gone = removed - kept
    if gone:
        db.session.execute(
            delete(TaskAssignment).where(
                TaskAssignment.task_id == task.id,
                TaskAssignment.unit_id.in_(gone),
                TaskAssignment.acknowledged_at.is_(None),
            )
        )
        db.session.execute(
            update(Alert)
            .where(
                Alert.task_id == task.id,
                Alert.unit_id.in_(gone),
                Alert.kind == "ack_overdue",
                Alert.resolved_at.is_(None),
            )
            .values(resolved_at=now)
        )
    existing = {
        a.unit_id: a
        for a in db.session.scalars(select(TaskAssignment).where(TaskAssignment.task_id == task.id))
    }
    ack_due = load_calendar().add_workdays(today, int(get_setting("ack_working_days")))
    for unit_id, role in added.items():
        row = existing.get(unit_id)
        if row is None:
            db.session.add(
                TaskAssignment(
                    task_id=task.id,
                    unit_id=unit_id,
                    is_lead=role == LEAD,
                    assigned_at=now,
                    assigned_by_id=getattr(user, "id", None),
                    ack_due=ack_due,
                )
            )
        else:
            row.is_lead = role == LEAD
    db.session.flush()


def connect() -> None:
    task_reassigned.connect(on_reassigned)
