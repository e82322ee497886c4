"""Demo accounts and a plausible state for a newcomer (`flask --app wsgi seed --demo`).

Everything made here is marked as demo (User.is_demo; the UI shows a banner to demo users).
"""

from sqlalchemy import select

from .accounts.models import Role, User
from .audit import record
from .extensions import db
from .plans.models import Plan, Task, TaskStatus, Unit

DEMO_PASSWORD = "demo12345"


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """admin, office (市科技局), leader, and a liaison per current unit named by its code.

    Returns (username, role, unit name) for every demo account; existing ones are kept.
    """
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    by_code = {u.code: u for u in units}
    wanted = [
        ("admin", "系统管理员(演示)", Role.ADMIN, None),
        ("office", "专班办公室(演示)", Role.OFFICE, by_code.get("kjj")),
        ("leader", "市领导(演示)", Role.LEADER, None),
    ]
    # Units replaced in a reorganisation have no liaison: their open work moved on.
    for unit in units:
        if unit.successor_id is None:
            wanted.append((unit.code, f"{unit.name}联络员(演示)", Role.LIAISON, unit))
    existing = {u.username: u for u in db.session.scalars(select(User)).all()}
    accounts = []
    for username, display, role, unit in wanted:
        user = existing.get(username)
        if user is None:
            user = User(
                username=username,
                display_name=display,
                role=role.value,
                unit_id=unit.id if unit else None,
                is_demo=True,
                password_hash="",
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            record("user.created", user, detail={"demo": True})
        accounts.append((username, role.value, unit.name if unit else ""))
    return accounts


def ensure_demo_task_states() -> int:
    """Give seeded, never-touched tasks a plausible state: assigned, in progress, closed.

    Only tasks still `pending` change, so a second run changes nothing.
    """
    office = db.session.scalar(select(User).where(User.username == "office"))
    plans = {p.key: p.id for p in db.session.scalars(select(Plan)).all()}
    tasks = db.session.scalars(
        select(Task).where(Task.status == TaskStatus.PENDING.value).order_by(Task.id)
    ).all()
    changed = 0
    for task in tasks:
        if task.plan_id == plans.get("changfa-2017-29"):
            new = TaskStatus.CLOSED if task.number % 4 == 0 else TaskStatus.IN_PROGRESS
        else:
            new = TaskStatus.IN_PROGRESS if task.number % 3 else TaskStatus.ASSIGNED
        record(
            "task.status_changed",
            task,
            actor=office,
            detail={"from": task.status, "to": new.value, "demo": True},
        )
        task.status = new.value
        changed += 1
    db.session.flush()
    return changed
