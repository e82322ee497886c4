"""Unit categories and reorganisation records from seeds/units.json (issue 14).

Idempotent: categories are matched by name, reorganisations by title; a reorganisation's
successions are written when it is created only, so seeding again never undoes the office's
confirmations. Called by tracker.plans.seeding.load_units once the units exist; the caller
commits. A category the admin gave a unit is kept (seeding sets it only when it has none)."""

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.units.models import Reorganisation, Succession, Unit, UnitCategory


class UnitSeedError(Exception):
    """The unit data names an unknown unit or category."""


def load_categories(data: dict, units: dict[str, Unit]) -> dict[str, int]:
    """Create missing categories and give uncategorised units their seed category.
    Returns {kind: count} of created/updated rows for the seed report."""
    counts: dict[str, int] = {}
    existing = {c.name: c for c in db.session.scalars(select(UnitCategory))}
    for position, name in enumerate(data.get("categories") or [], start=1):
        if name not in existing:
            existing[name] = UnitCategory(name=name, position=position)
            db.session.add(existing[name])
            counts["unit categories"] = counts.get("unit categories", 0) + 1
    db.session.flush()
    for row in data["units"]:
        name = row.get("category")
        if not name:
            continue
        if name not in existing:
            raise UnitSeedError(f"unit {row['name']}: unknown category {name}")
        unit = units[row["name"]]
        if unit.category_id is None:
            unit.category_id = existing[name].id
            counts["unit categories assigned"] = counts.get("unit categories assigned", 0) + 1
    db.session.flush()
    return counts


def load_reorganisations(data: dict, units: dict[str, Unit]) -> dict[str, int]:
    """Create missing reorganisations and successions (dates and notes as written)."""
    counts: dict[str, int] = {}
    existing = {r.title: r for r in db.session.scalars(select(Reorganisation))}

    def unit_id(name: str | None) -> int | None:
        if name is None:
            return None
        if name not in units:
            raise UnitSeedError(f"reorganisation: unknown unit {name}")
        return units[name].id

    for row in data.get("reorganisations") or []:
        if row["title"] in existing:
            continue
        effective = row.get("effective_on")
        reorganisation = Reorganisation(
            title=row["title"],
            doc_number=row.get("doc_number"),
            effective_on=date.fromisoformat(effective) if effective else None,
            note=row.get("note"),
        )
        reorganisation.successions = [
            Succession(
                unit_id=unit_id(link["unit"]),
                successor_id=unit_id(link.get("successor")),
                duties=link.get("duties"),
                is_main=bool(link.get("main")),
            )
            for link in row["successions"]
        ]
        db.session.add(reorganisation)
        counts["reorganisations"] = counts.get("reorganisations", 0) + 1
    db.session.flush()
    return counts
