"""Who may see and do what. Every view asks here; nothing is decided in templates.

Rules:
- admin manages users and units and sees everything read-only;
- office and leader see every plan and task;
- a liaison sees only the tasks where its unit, or a unit its unit succeeded in a
  reorganisation, is the lead unit or a co-unit.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import exists, or_, select

from ..extensions import db
from ..plans.models import Task, TaskCoUnit, Unit
from .models import Role, User


def role_required(*roles: Role):
    """View decorator: signed in and holding one of the roles, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def predecessor_closure(unit_id: int, successor_of: dict[int, int | None]) -> set[int]:
    """The unit and every unit whose chain of successors leads to it.

    Pure: `successor_of` maps unit id -> successor id. Cycles are cut (a unit is visited once).
    """
    result = {unit_id}
    changed = True
    while changed:
        changed = False
        for uid, succ in successor_of.items():
            if succ in result and uid not in result:
                result.add(uid)
                changed = True
    return result


def unit_scope(user: User) -> set[int] | None:
    """Unit ids whose tasks the user may see; None means all (office, leader, admin)."""
    if not user.has_role(Role.LIAISON):
        return None
    if user.unit_id is None:
        return set()
    rows = db.session.execute(select(Unit.id, Unit.successor_id)).all()
    return predecessor_closure(user.unit_id, {r.id: r.successor_id for r in rows})


def task_filter(scope: set[int] | None):
    """A WHERE clause for Task limiting it to a unit scope (None: no limit)."""
    if scope is None:
        return True
    return or_(
        Task.lead_unit_id.in_(scope),
        exists().where(TaskCoUnit.task_id == Task.id, TaskCoUnit.unit_id.in_(scope)),
    )


def can_view_task(user: User, task: Task) -> bool:
    scope = unit_scope(user)
    if scope is None:
        return True
    if task.lead_unit_id in scope:
        return True
    return bool(
        db.session.scalar(
            select(exists().where(TaskCoUnit.task_id == task.id, TaskCoUnit.unit_id.in_(scope)))
        )
    )


def current_scope() -> set[int] | None:
    return unit_scope(current_user)
