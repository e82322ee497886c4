"""The new-bulletin page's hint: the months with stored scorecards, newest first, found
by a skip scan of the period index (none stored: none)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.extensions import db
from tracker.scoring.bulletins.services import stored_months
from tracker.scoring.models import Scorecard
from tracker.units.models import Unit


def test_stored_months(world):
    assert stored_months() == []
    units = list(db.session.scalars(select(Unit.id)))[:3]
    for m in ("2026-01", "2025-12", "2026-03"):
        for u in units:
            db.session.add(
                Scorecard(
                    period=m,
                    unit_id=u,
                    rank=1,
                    rule_set_version=1,
                    computed_on=date(2026, 4, 1),
                    score=Decimal(100),
                )
            )
    db.session.commit()
    assert stored_months() == ["2026-03", "2026-01", "2025-12"]
