"""Loading units for the rules in units/rules.py, and the checks of the unit form."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.units import rules
from tracker.units.models import Unit, UnitCategory


def successor_map() -> dict[int, int | None]:
    """Every unit's successor (None: the unit exists today), for units/rules.py. One statement."""
    return dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())


def moved_units() -> dict[int, int]:
    """{unit: its successor} of the units that have one — the only entries of successor_map
    that are not None, so final_successor, successor_chain and predecessor_closure give the
    same answers over it (a unit missing from it exists today). A province has a few
    reorganised units among its 2,000: the rows read follow those, not the directory. One
    statement."""
    return dict(
        db.session.execute(
            select(Unit.id, Unit.successor_id).where(Unit.successor_id.is_not(None))
        ).all()
    )


def successor_map_and_names() -> tuple[dict[int, int | None], dict[int, str]]:
    """Every unit's successor and name, in the directory's order (by short code). One statement."""
    rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.successor_id).order_by(Unit.code)
    ).all()
    return {r.id: r.successor_id for r in rows}, {r.id: r.name for r in rows}


def successor_creates_cycle(unit_id: int | None, successor_id: int | None) -> bool:
    """True if making successor_id the successor of unit_id would close a loop."""
    if successor_id is None:
        return False
    return rules.creates_cycle(unit_id, successor_id, successor_map())


def category_map() -> dict[int, tuple[int, str, int] | None]:
    """Every unit's category as (position, name, category id), None when it has none (the
    order the bulletins list categories in). One statement."""
    rows = db.session.execute(
        select(
            Unit.id, UnitCategory.position, UnitCategory.name, UnitCategory.id.label("cid")
        ).outerjoin(UnitCategory, Unit.category_id == UnitCategory.id)
    ).all()
    return {r.id: (r.position, r.name, r.cid) if r.name is not None else None for r in rows}


def categories() -> list[UnitCategory]:
    """The categories in the admin's order."""
    return list(
        db.session.scalars(select(UnitCategory).order_by(UnitCategory.position, UnitCategory.id))
    )
