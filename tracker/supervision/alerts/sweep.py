"""The alert sweep.

The sweep is one transaction with a constant number of statements, whatever the number of
tasks: a few SELECTs compute every alert that should exist today, one INSERT … ON CONFLICT
(key) DO NOTHING records the new ones (per 1,000 alerts), one UPDATE reopens alerts whose
condition came back, one resolves alerts whose condition is gone, and one UPDATE per
escalation level raises `level`. Running it twice, or twice at once, creates nothing twice:
the unique `key` decides.

The scheduler process that runs it daily is tracker/scheduler.py.
"""

import logging
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select, update

from tracker.calendar.rules import report_due_date
from tracker.calendar.services import load_calendar
from tracker.database import dialect_insert, writing
from tracker.extensions import db
from tracker.plans.lights import workdays_left
from tracker.plans.models import OPEN_STATUSES, Task, TaskCoUnit
from tracker.reports.models import ReportingPeriod
from tracker.reports.periods import period_month, previous_month
from tracker.reports.queries import reporting_facts
from tracker.settings import DEFAULTS, Setting
from tracker.supervision.alerts import rules
from tracker.supervision.delivery.notify import notify_alerts
from tracker.supervision.models import Alert, Instruction, SupervisionNotice, TaskAssignment
from tracker.supervision.workflow.rules import assignment_units
from tracker.timeutil import utcnow
from tracker.units.services import successor_map

log = logging.getLogger(__name__)

SETTING_KEYS = (
    "report_due_day",
    "yellow_working_days",
    "escalate_urge_after",
    "escalate_notice_after",
    "escalate_bulletin_after",
)
INSERT_CHUNK = 1000
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


def _candidates(today: date, calendar, settings: dict) -> dict[str, dict]:
    """Every alert that should be open today, by key (a constant number of SELECTs)."""
    warn = settings["yellow_working_days"]
    out: dict[str, dict] = {}

    def add(kind, key_parts, **values):
        key = rules.alert_key(kind, **key_parts)
        out[key] = {"key": key, "kind": kind, **values}

    successor_of = successor_map()
    tasks = db.session.execute(
        select(Task.id, Task.status, Task.due_date, Task.lead_unit_id).where(
            Task.status.in_(OPEN_STATUSES)
        )
    ).all()
    open_ids = select(Task.id).where(Task.status.in_(OPEN_STATUSES))
    co_units: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in db.session.execute(
        select(TaskCoUnit.task_id, TaskCoUnit.unit_id)
        .where(TaskCoUnit.task_id.in_(open_ids))
        .order_by(TaskCoUnit.task_id, TaskCoUnit.position)
    ):
        co_units[task_id].append(unit_id)

    # tasks: due soon / overdue
    lead_of = {}
    for task in tasks:
        units = assignment_units(task.lead_unit_id, co_units[task.id], successor_of)
        lead_of[task.id] = units[0][0]
        if task.due_date is None:
            continue
        due = calendar.next_workday(task.due_date)
        left = workdays_left(calendar, today, due, warn)
        kind = rules.task_alert_kind(task.status, due, today, left, warn)
        if kind:
            add(
                kind,
                {"task": task.id, "due": due.isoformat()},
                task_id=task.id,
                unit_id=lead_of[task.id],
                subject_type="task",
                subject_id=task.id,
                due_date=due,
            )

    # reports: this month's and last month's periods, and any period an open alert is about
    year, month = period_month(today)
    prev = previous_month(year, month)
    alert_periods = select(Alert.period_id).where(
        Alert.resolved_at.is_(None), Alert.period_id.is_not(None)
    )
    periods = db.session.execute(
        select(
            ReportingPeriod.id,
            ReportingPeriod.year,
            ReportingPeriod.month,
            ReportingPeriod.due_date,
        ).where(
            or_(
                and_(ReportingPeriod.year == year, ReportingPeriod.month == month),
                and_(ReportingPeriod.year == prev[0], ReportingPeriod.month == prev[1]),
                ReportingPeriod.id.in_(alert_periods),
            )
        )
    ).all()
    # the reports each unit owes (reports.rules.owes_report), on tasks still open: a closed
    # task's alerts are resolved (its missing report still counts on the overview and the
    # scorecard)
    facts = reporting_facts([p.id for p in periods])
    open_task_ids = {t.id for t in tasks}
    for period in periods:
        label = f"{period.year:04d}-{period.month:02d}"
        left = workdays_left(calendar, today, period.due_date, warn)
        first = facts.first_submitted.get(period.id, {})
        for task_id, unit_id in sorted(facts.owed(period.due_date, label)):
            if task_id not in open_task_ids:
                continue
            first_on = first.get((task_id, unit_id))
            kind = rules.report_alert_kind(first_on, period.due_date, today, left, warn)
            if kind:
                add(
                    kind,
                    {"task": task_id, "unit": unit_id, "period": label},
                    task_id=task_id,
                    unit_id=unit_id,
                    period_id=period.id,
                    subject_type="report",
                    subject_id=None,
                    due_date=period.due_date,
                )

    # acknowledgements
    for a in db.session.execute(
        select(
            TaskAssignment.id,
            TaskAssignment.task_id,
            TaskAssignment.unit_id,
            TaskAssignment.ack_due,
        ).where(
            TaskAssignment.acknowledged_at.is_(None),
            TaskAssignment.ack_due < today,
            TaskAssignment.task_id.in_(open_ids),
        )
    ):
        if rules.answer_overdue(a.ack_due, False, today):
            add(
                rules.ACK_OVERDUE,
                {"task": a.task_id, "unit": a.unit_id, "due": a.ack_due.isoformat()},
                task_id=a.task_id,
                unit_id=a.unit_id,
                subject_type="assignment",
                subject_id=a.id,
                due_date=a.ack_due,
            )

    # supervision notices
    for n in db.session.execute(
        select(
            SupervisionNotice.id,
            SupervisionNotice.task_id,
            SupervisionNotice.unit_id,
            SupervisionNotice.answer_due,
        ).where(
            SupervisionNotice.state == "issued",
            SupervisionNotice.answered_at.is_(None),
            SupervisionNotice.answer_due < today,
        )
    ):
        add(
            rules.NOTICE_ANSWER_OVERDUE,
            {"notice": n.id, "due": n.answer_due.isoformat()},
            task_id=n.task_id,
            unit_id=n.unit_id,
            subject_type="supervision_notice",
            subject_id=n.id,
            due_date=n.answer_due,
        )

    # instructions
    for i in db.session.execute(
        select(
            Instruction.id,
            Instruction.task_id,
            Instruction.answer_due,
            Instruction.answer_unit_id,
            Task.lead_unit_id,
        )
        .join(Task, Task.id == Instruction.task_id)
        .where(Instruction.answered_at.is_(None), Instruction.answer_due < today)
    ):
        unit_id = i.answer_unit_id or lead_of.get(i.task_id) or i.lead_unit_id
        add(
            rules.INSTRUCTION_ANSWER_OVERDUE,
            {"instruction": i.id, "due": i.answer_due.isoformat()},
            task_id=i.task_id,
            unit_id=unit_id,
            subject_type="instruction",
            subject_id=i.id,
            due_date=i.answer_due,
        )
    return out


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
    with writing():
        try:
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
    return result


def _sweep(today: date, calendar, settings: dict, result: SweepResult) -> None:
    """One day's sweep (`today` a working day), adding what it did to `result`."""
    _ensure_period(calendar, *period_month(today), settings["report_due_day"])
    wanted = _candidates(today, calendar, settings)
    now = utcnow()

    # a multi-row INSERT takes its columns from the first row: every row names them all
    blank = dict.fromkeys(
        ("task_id", "unit_id", "period_id", "subject_type", "subject_id", "due_date")
    )
    rows = [
        {
            **blank,
            **row,
            "level": rules.LEVEL_REMINDER,
            "swept_on": today,
            "created_at": now,
            "detail": {},
        }
        for row in wanted.values()
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        inserted = db.session.execute(
            dialect_insert(Alert, db.session)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Alert.id, Alert.kind)
        ).all()
        for alert_id, kind in inserted:
            result.created[kind] += 1
            result.created_ids.append(alert_id)

    open_rows = db.session.execute(
        select(Alert.id, Alert.key, Alert.resolved_at).where(
            or_(Alert.resolved_at.is_(None), Alert.key.in_(list(wanted)))
        )
    ).all()
    reopen = [r.id for r in open_rows if r.resolved_at is not None]
    gone = [r.id for r in open_rows if r.resolved_at is None and r.key not in wanted]
    if reopen:  # the condition came back (e.g. a report returned after the due day)
        result.reopened += db.session.execute(
            update(Alert)
            .where(Alert.id.in_(reopen), Alert.resolved_at.is_not(None))
            .values(resolved_at=None, level=rules.LEVEL_REMINDER, swept_on=today)
            .execution_options(synchronize_session=False)
        ).rowcount
    if gone:
        result.resolved += db.session.execute(
            update(Alert)
            .where(Alert.id.in_(gone), Alert.resolved_at.is_(None))
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount

    # escalation: highest level first, so an alert jumps straight to the level it reached
    escalated: set[int] = set()
    for level, setting in (
        (rules.LEVEL_BULLETIN, "escalate_bulletin_after"),
        (rules.LEVEL_NOTICE, "escalate_notice_after"),
        (rules.LEVEL_URGING, "escalate_urge_after"),
    ):
        cutoff = rules.escalation_cutoff(calendar, today, settings[setting])
        escalated.update(
            db.session.execute(
                update(Alert)
                .where(
                    Alert.resolved_at.is_(None),
                    Alert.kind.in_(rules.ESCALATING_KINDS),
                    Alert.level < level,
                    Alert.swept_on <= cutoff,
                )
                .values(level=level)
                .returning(Alert.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
    result.escalated_ids = sorted(set(result.escalated_ids) | escalated)
