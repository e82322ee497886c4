"""Who may see, write and review progress reports.

- office, leader and admin read every report; only the office reviews;
- a liaison writes the reports of its own unit (its unit reports on the tasks where it, or a
  unit it succeeded, is lead or co-unit) and reads them;
- the lead unit's liaison also reads the co-units' parts on its task (it writes the whole);
- nobody else reads a report, its evidence, or learns that it exists.
"""

from sqlalchemy import exists, select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import unit_scope
from tracker.extensions import db
from tracker.plans.models import Task, TaskCoUnit


def unit_role_on_task(scope: set[int], task: Task) -> str | None:
    """'lead' or 'co' for a liaison's unit scope on a task, None if it has no part."""
    if task.lead_unit_id in scope:
        return "lead"
    is_co = db.session.scalar(
        select(exists().where(TaskCoUnit.task_id == task.id, TaskCoUnit.unit_id.in_(scope)))
    )
    return "co" if is_co else None


def can_view_report(user: User, report) -> bool:
    if not user.is_authenticated:
        return False
    if not user.has_role(Role.LIAISON):
        return True
    if report.unit_id == user.unit_id:
        return True
    scope = unit_scope(user)
    lead_unit_id = db.session.scalar(select(Task.lead_unit_id).where(Task.id == report.task_id))
    return lead_unit_id in scope


def can_write_report(user: User, report) -> bool:
    """Only the liaison of the reporting unit, and only while the report is editable."""
    return (
        user.is_authenticated
        and user.has_role(Role.LIAISON)
        and report.unit_id == user.unit_id
        and report.editable
    )


def can_review(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.OFFICE)
