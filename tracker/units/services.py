"""The checks of the unit form."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.units.models import Unit


def successor_creates_cycle(unit_id: int | None, successor_id: int | None) -> bool:
    """True if making successor_id the successor of unit_id would close a loop."""
    if successor_id is None:
        return False
    if successor_id == unit_id:
        return True
    successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    seen = set()
    current = successor_id
    while current is not None and current not in seen:
        if current == unit_id:
            return True
        seen.add(current)
        current = successor_of.get(current)
    return False
