"""The scheduler's nightly scorecard job: last month and this month recomputed on working
days, so the dashboard and the scorecards are never more than a day behind."""

import logging
from datetime import date

from tracker.calendar.services import load_calendar
from tracker.database import writing
from tracker.extensions import db
from tracker.scoring import rules, services
from tracker.timeutil import today as clock_today

log = logging.getLogger(__name__)


def run_scores(today: date) -> list[str]:
    """Recompute and store last month (its reports and answers may still come in late) and
    this month — one transaction, committed here; nothing on days off."""
    with writing():
        try:
            if not load_calendar().is_workday(today):
                db.session.rollback()
                return []
            months = [rules.last_month(today), rules.month_key(today.year, today.month)]
            for month in months:
                services.store_month(month, today)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return months


def scores_job(app, today: date | None = None) -> list[str] | None:
    """One scheduled run in its own app context; errors are logged, not raised."""

    with app.app_context():
        try:
            months = run_scores(today or clock_today())
        except Exception:
            log.exception("scorecard job failed")
            return None
        finally:
            db.session.remove()
    log.info("scorecards recomputed: %s", ", ".join(months) or "none (day off)")
    return months
