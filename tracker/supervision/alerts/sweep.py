"""The alert sweep: one transaction, catching up missed working days, then today.

Per day swept, a constant number of statements whatever the number of tasks: a few
SELECTs compute every alert that should be open (wanted.py), then only the difference
with the open alerts is written (record.py: new ones inserted with ON CONFLICT (key) DO
NOTHING, reopened, resolved) and one UPDATE raises `level` (escalation). Running
it twice, or twice at once, creates nothing twice: the unique `key` decides.

The scheduler process that runs it daily is tracker/scheduler.py.
"""

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from blinker import Namespace
from sqlalchemy import select, text, update

from tracker.calendar.rules import report_due_date
from tracker.calendar.services import load_calendar
from tracker.common.batch import no_gc_pauses
from tracker.database import dialect_insert, writing
from tracker.extensions import db
from tracker.plans.milestones.pace import refresh_pace_daily
from tracker.reports.models import ReportingPeriod
from tracker.reports.periods import period_month
from tracker.settings import DEFAULTS, Setting
from tracker.supervision.alerts import rules
from tracker.supervision.alerts.record import escalate, record_alerts, settle_old_periods
from tracker.supervision.alerts.wanted import in_scope, wanted_alerts
from tracker.supervision.delivery.notify import notify_alerts
from tracker.supervision.models import Alert
from tracker.timeutil import utcnow

# Sent with the day swept, inside the sweep's transaction, after its alerts are written: the
# derived state of higher layers is refreshed by its receivers (which do not commit).
swept = Namespace().signal("alerts-swept")

log = logging.getLogger(__name__)

SETTING_KEYS = (
    "report_due_day",
    "yellow_working_days",
    "escalate_urge_after",
    "escalate_notice_after",
    "escalate_bulletin_after",
)
LAST_SWEEP_KEY = "alerts_last_sweep"  # in the setting table: the last completed sweep's day
PAUSE_ENV = "TRACKER_SWEEP_PAUSE_SECONDS"  # test hook: sleep before the commit


@dataclass
class SweepResult:
    today: date
    working_day: bool
    created: Counter = field(default_factory=Counter)
    created_ids: list[int] = field(default_factory=list)
    escalated_ids: list[int] = field(default_factory=list)
    resolved: int = 0
    reopened: int = 0
    caught_up: list[date] = field(default_factory=list)  # missed working days replayed
    already_swept: date | None = None  # set when a later day was swept: nothing done

    def as_json(self) -> dict:
        """{"date": …, "created": {kind: n, …} (every kind, 0 included), "total": n}."""
        created = {kind: self.created.get(kind, 0) for kind in rules.KINDS}
        return {"date": self.today.isoformat(), "created": created, "total": sum(created.values())}


def _settings() -> dict:
    stored = dict(
        db.session.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_(SETTING_KEYS))
        ).all()
    )
    return {
        key: int(stored.get(key) if stored.get(key) is not None else DEFAULTS[key])
        for key in SETTING_KEYS
    }


def _ensure_period(calendar, year: int, month: int, due_day: int) -> None:
    """The month's reporting period, created if missing (ON CONFLICT: a concurrent sweep or
    a request may create it at the same moment)."""

    db.session.execute(
        dialect_insert(ReportingPeriod, db.session)
        .values(
            year=year,
            month=month,
            due_day=due_day,
            due_date=report_due_date(calendar, year, month, due_day),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["year", "month"])
    )


def _last_sweep() -> date | None:
    """The day of the last completed sweep, its row locked until the commit (FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises sweeps), so a second sweep
    started at the same moment waits and then sees what the first recorded."""
    db.session.execute(
        dialect_insert(Setting, db.session)
        .values(key=LAST_SWEEP_KEY, value=None, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    value = db.session.scalar(
        select(Setting.value).where(Setting.key == LAST_SWEEP_KEY).with_for_update()
    )
    return date.fromisoformat(value) if value else None


def _record_sweep(today: date) -> None:
    """Remember the day of this sweep as the last completed one (at the commit)."""
    db.session.execute(
        update(Setting)
        .where(Setting.key == LAST_SWEEP_KEY)
        .values(value=today.isoformat(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def run_sweep(today: date) -> SweepResult:
    """Create, reopen, resolve and escalate alerts for `today`, and hand the new and
    escalated ones to delivery — one transaction, committed here.

    Catch-up: if the last completed sweep is older than the last working day (the
    scheduler was down), each missed working day is swept first, in order, as daily sweeps
    would have done (rules.catch_up_days), then today; delivery hears once, at the end, of
    the alerts created or escalated on the way that are still open."""
    with writing(), no_gc_pauses():
        try:
            _no_jit()
            result = _catch_up_and_sweep(today)
            pause = float(os.environ.get(PAUSE_ENV) or 0)
            if pause:
                log.warning("sweep: pausing %.1fs before commit (%s)", pause, PAUSE_ENV)
                time.sleep(pause)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return result


def _no_jit() -> None:
    """On PostgreSQL, no JIT compilation in the sweep's transaction (SET LOCAL: it ends with
    it). The sweep's statements are short, but their estimated cost at province scale (the
    UPDATE of settle_old_periods over ~90,000 open alerts) passes `jit_above_cost`:
    compiling took ~0.9 s of a 2 s statement for nothing. One statement; none on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def _catch_up_and_sweep(today: date) -> SweepResult:
    calendar = load_calendar()
    last = _last_sweep()
    result = SweepResult(today=today, working_day=rules.sweep_runs_on(calendar, today))
    if last is not None and today < last:
        # an earlier day, after a later one was swept: replaying it would resolve what had
        # not begun yet and restart escalations (the missed days are replayed anyway)
        result.already_swept = last
        return result
    result.caught_up = rules.catch_up_days(calendar, last, today)
    days = result.caught_up + ([today] if result.working_day else [])
    settings = _settings() if days else {}
    for day in days:
        _sweep(day, calendar, settings, result)
    _record_sweep(today)
    created = set(result.created_ids)
    notify_ids = result.created_ids + sorted(set(result.escalated_ids) - created)
    if result.caught_up and notify_ids:  # what was resolved on the way is no news
        still_open = select(Alert.id).where(Alert.id.in_(notify_ids), Alert.resolved_at.is_(None))
        notify_ids = sorted(set(db.session.scalars(still_open)))
    if notify_ids:
        notify_alerts(notify_ids, today)  # inside the sweep's transaction
    refresh_derived_state(today, result)
    return result


def refresh_derived_state(today: date, result: SweepResult) -> None:
    """After the sweep, refresh derived state — the one call site for it. Runs inside the
    sweep's transaction once the alerts of `today` (and the replayed days) are written and
    delivered, and not when the sweep did nothing because a later day was already swept.
    Derived here: each open task's pace (task_pace, tracker.plans.milestones.pace; only the
    rows whose figures moved are written, refresh_pace_daily); features
    above this layer connect to the `swept` signal (the dashboard's stored punctuality,
    tracker.dashboard.stored.connect)."""
    refresh_pace_daily(today)  # each open task's pace (序时进度) on the day swept
    swept.send(today)


def _sweep(today: date, calendar, settings: dict, result: SweepResult) -> None:
    """One day's sweep (`today` a working day), adding what it did to `result`: the wanted
    alerts (wanted.py), then only the difference written (record.py), then escalation."""
    _ensure_period(calendar, *period_month(today), settings["report_due_day"])
    wanted, ctx = wanted_alerts(today, calendar, settings)
    recent_ids = [p.id for p in ctx.recent]
    record_alerts(wanted, today, result, in_scope(recent_ids))
    settle_old_periods(recent_ids, ctx.successor_of, result)
    escalate(calendar, today, settings, result)
