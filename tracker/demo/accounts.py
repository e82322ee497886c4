"""Demo accounts: admin, office, leader and a liaison for every current unit."""

from datetime import date

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.audit import record
from tracker.demo.history import loading_moment, stamped
from tracker.extensions import db
from tracker.timeutil import today as local_today
from tracker.timeutil import utcnow
from tracker.units.models import Unit

DEMO_PASSWORD = "demo12345"


def demo_users() -> dict[str, User]:
    """Every account by username (the demo's are named by role or by unit code)."""
    return {u.username: u for u in db.session.scalars(select(User)).all()}


def liaisons_by_unit(users: dict[str, User]) -> dict[int, User]:
    return {u.unit_id: u for u in users.values() if u.role == Role.LIAISON.value and u.unit_id}


def ensure_demo_accounts(today: date | None = None) -> list[tuple[str, str, str]]:
    """admin, office (市科技局), leader, and a liaison per current unit named by its code,
    made on the history's first morning (so that they exist before anything they do).

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
    existing = demo_users()
    accounts = []
    with stamped(loading_moment(today or local_today())):
        for username, display, role, unit in wanted:
            if username not in existing:
                user = User(
                    username=username,
                    display_name=display,
                    role=role.value,
                    unit_id=unit.id if unit else None,
                    is_demo=True,
                    password_hash="",
                    created_at=utcnow(),
                )
                user.set_password(DEMO_PASSWORD)
                db.session.add(user)
                db.session.flush()
                record("user.created", user, detail={"demo": True})
            accounts.append((username, role.value, unit.name if unit else ""))
    return accounts
