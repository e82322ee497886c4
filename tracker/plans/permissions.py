"""Which tasks a user may see: a liaison only its unit scope's tasks (lead or co-unit)."""

from sqlalchemy import exists, or_, select, union
from sqlalchemy.orm import aliased

from tracker.accounts.models import User
from tracker.accounts.permissions import unit_scope
from tracker.extensions import db
from tracker.plans.models import Task, TaskCoUnit, TaskUnitChange


def task_filter(scope: set[int] | None):
    """A WHERE clause for Task limiting it to a unit scope (None: no limit): the tasks the
    scope answers for now (lists, to-do, reports owed)."""
    if scope is None:
        return True
    # As id lists from the unit indexes (plans.search.unit_condition): "lead OR EXISTS
    # co-unit" reads every task. The subqueries never correlate (an aliased task table), so
    # the clause means the same inside an EXISTS over task (search's plan list).
    lead = aliased(Task)
    leads = select(lead.id).where(lead.lead_unit_id.in_(scope)).correlate(None)
    co = select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id.in_(scope)).correlate(None)
    return Task.id.in_(union(leads, co))


def can_view_task(user: User, task: Task) -> bool:
    """The task page: the units that answer for the task now, and the units a reassignment
    (改派) removed from it — the reports they filed stay with them (docs/intake.md)."""
    scope = unit_scope(user)
    if scope is None:
        return True
    if task.lead_unit_id in scope:
        return True
    return bool(
        db.session.scalar(
            select(
                or_(
                    exists().where(TaskCoUnit.task_id == task.id, TaskCoUnit.unit_id.in_(scope)),
                    exists().where(
                        TaskUnitChange.task_id == task.id, TaskUnitChange.unit_id.in_(scope)
                    ),
                )
            )
        )
    )
