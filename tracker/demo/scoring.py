"""The office's manual adjustments of last month, through the scoring service, and the
scorecards of the history's months and this month (computed now, as the office would)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.demo.accounts import demo_users
from tracker.demo.history import at, history_months, stamped
from tracker.extensions import db
from tracker.scoring.models import ScoreAdjustment
from tracker.scoring.rules import month_key
from tracker.scoring.services import add_adjustment, store_month
from tracker.timeutil import previous_month
from tracker.units.models import Unit

ADJUSTMENTS = (
    ("tjj", 2, "在全省重点任务推进现场会上作典型发言，经专班研究予以加分。"),
    ("rsj", -1, "未按要求参加专班月度调度会，且未请假。"),
)


def ensure_demo_scoring(today: date) -> int:
    """Added once (skipped when any adjustment exists); returns how many adjustments."""
    if db.session.scalar(select(ScoreAdjustment.id).limit(1)) is not None:
        return 0
    office = demo_users().get("office")
    if office is None:
        return 0
    year, month = previous_month(today.year, today.month)
    by_code = {u.code: u for u in db.session.scalars(select(Unit)).all()}
    added = 0
    with stamped(at(date(year, month, 27), 17)):
        for code, amount, reason in ADJUSTMENTS:
            if code in by_code:
                add_adjustment(
                    office, month_key(year, month), by_code[code].id, Decimal(amount), reason
                )
                added += 1
    db.session.flush()
    for year, month in history_months(today):
        store_month(month_key(year, month), today)
    return added
