"""Setting up tasks for the alert sweep tests (tests/supervision/test_alerts.py,
test_sweep_incremental.py, test_sweep_sql.py): a task's status and due date, the lead unit's
assignment (交办: a unit owes reports only on what it was assigned), a filed report."""

from datetime import date, datetime

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.supervision.models import TaskAssignment

D = date.fromisoformat
ASSIGNED_ON = datetime(2026, 10, 5, 1)  # October: owes November's report on


def set_task(task_id, status="in_progress", due="2026-12-31"):
    """Set a task's status and due date (None: no due date)."""
    db.session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(status=status, due_date=D(due) if due else None)
    )
    db.session.commit()


def assign_lead(task_id, on=ASSIGNED_ON, unit_id=None):
    """The lead unit's assignment (交办), acknowledged at once; `unit_id` assigns another
    unit (e.g. a co-unit) instead."""
    task = db.session.get(Task, task_id)
    db.session.add(
        TaskAssignment(
            task_id=task_id,
            unit_id=unit_id or task.lead_unit_id,
            is_lead=unit_id is None,
            assigned_at=on,
            ack_due=on.date(),
            acknowledged_at=on,
        )
    )
    db.session.commit()


def file_report(task_id, period_label, at, unit_id=None):
    """A report of the lead unit (or `unit_id`) for the period "YYYY-MM", submitted `at`."""
    year, month = map(int, period_label.split("-"))
    period = db.session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.year == year, ReportingPeriod.month == month)
    )
    task = db.session.get(Task, task_id)
    db.session.add(
        ProgressReport(
            task_id=task_id,
            unit_id=unit_id or task.lead_unit_id,
            period_id=period.id,
            state="submitted",
            progress="已推进",
            percent=50,
            submitted_at=at,
            first_submitted_at=at,
        )
    )
    db.session.commit()
