"""The sweep's SQL narrowing (issue 13) gives the pure rules' answer on varied data.

- Task alerts: only the tasks due on or before the lights' yellow boundary
  (plans.light_sql.bounds_on) are judged; the answer equals judging every open task with
  rules.task_alert_kind.
- Report alerts: only the periods whose unsubmitted report would alert today, and in them
  only the open tasks that may still owe a report (wanted.candidate_tasks, in SQL), are
  judged by the owed rule; the answer equals judging every open task for both recent
  periods (the sweep before this narrowing).

Varied data: statuses, due dates around holidays (国庆, New Year) and none, assignments
before and after the due dates, co-units, reports filed on time, late or never, by the
unit or by a unit it succeeded (a merger), reassignments (改派) that dropped an assignment
or added a unit, tasks closed before or after a due date. Every day of two months is
compared. Runs on SQLite and, with TRACKER_TEST_DATABASE_URL, PostgreSQL."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from tests.support.sweep import assign_lead, file_report, set_task
from tracker.audit import AuditEvent
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import workdays_left
from tracker.plans.models import OPEN_STATUSES, Task, TaskUnitChange
from tracker.reports.periods import period_month
from tracker.supervision.alerts import rules, wanted
from tracker.supervision.alerts.sweep import _ensure_period, _settings
from tracker.supervision.models import TaskAssignment
from tracker.units.models import Unit

D = date.fromisoformat
STATUSES = ["pending", "assigned", "in_progress", "in_progress", "closed", "archived"]


def _varied_province(seed: int = 13) -> None:
    rng = random.Random(seed)
    calendar = load_calendar()
    for year, month in ((2026, 9), (2026, 10), (2026, 11), (2026, 12), (2027, 1)):
        _ensure_period(calendar, year, month, 25)
    db.session.commit()
    units = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
    # a merger: the first unit now answers through its successor
    merged, successor = units[0], units[1]
    db.session.get(Unit, merged).successor_id = successor
    db.session.commit()
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    for i, task in enumerate(tasks):
        status = rng.choice(STATUSES)
        due = rng.choice(
            [None, "2026-10-01", "2026-10-08", "2026-11-20", "2026-11-30", "2026-12-04"]
            + ["2026-12-31", "2027-01-01", "2027-01-04", "2027-03-31", "2020-12-31"]
        )
        set_task(task.id, status, due)
        if status == "closed" or (status in OPEN_STATUSES and rng.random() < 0.2):
            # closed (or closed once and reopened) before or after a due date
            task.closed_at = datetime(2026, rng.choice([10, 11, 12]), rng.choice([1, 24, 26]), 2)
        if status == "pending":
            continue
        assigned_on = datetime(2026, rng.choice([9, 10, 11, 12]), rng.choice([1, 20, 26]), 1)
        unit_ids = [task.lead_unit_id]
        if i % 5 == 0:
            unit_ids.append(merged)  # the merged unit's assignment counts for its successor
        if i % 7 == 0:
            unit_ids.append(rng.choice(units[2:]))
        for unit_id in dict.fromkeys(unit_ids):
            assign_lead(task.id, on=assigned_on, unit_id=unit_id)
            for label in ("2026-10", "2026-11", "2026-12"):
                roll = rng.random()
                if roll < 0.5:
                    filed_by = successor if unit_id == merged and roll < 0.25 else unit_id
                    at = datetime(int(label[:4]), int(label[5:]), rng.choice([3, 24, 28]), 3)
                    file_report(task.id, label, at, unit_id=filed_by)
        if i % 6 == 1:  # a reassignment: the lead removed (its row dropped), another added
            added = rng.choice(units[2:])
            period = rng.choice(["2026-10", "2026-11", "2026-12"])
            changed_at = datetime(int(period[:4]), int(period[5:]), 10, 2)
            for unit_id, change in ((task.lead_unit_id, "removed"), (added, "added")):
                db.session.add(
                    TaskUnitChange(
                        task_id=task.id,
                        unit_id=unit_id,
                        role="lead",
                        change=change,
                        period=period,
                        reason="改派",
                        changed_at=changed_at,
                    )
                )
            if rng.random() < 0.7:  # removed before it acknowledged: its row is gone
                db.session.execute(
                    delete(TaskAssignment).where(
                        TaskAssignment.task_id == task.id,
                        TaskAssignment.unit_id == task.lead_unit_id,
                    )
                )
                # owed up to the month of the change from when the task was first assigned
                db.session.add(
                    AuditEvent(
                        occurred_at=assigned_on,
                        action="task.assigned",
                        subject_type="task",
                        subject_id=task.id,
                        detail={},
                    )
                )
    db.session.commit()


def _every_task_alert(ctx):
    """The reference: every open task judged by the rule."""
    for task_id, (status, due_date, lead) in ctx.tasks.items():
        if due_date is None:
            continue
        due = ctx.calendar.next_workday(due_date)
        left = workdays_left(ctx.calendar, ctx.today, due, ctx.warn)
        kind = rules.task_alert_kind(status, due, ctx.today, left, ctx.warn)
        if kind:
            yield (rules.alert_key(kind, task=task_id, due=due.isoformat()), lead)


def _every_report_alert(ctx):
    """The reference: the owed rule over every open task, for both recent periods."""
    facts = wanted._recent_facts([p.id for p in ctx.recent], ctx)
    for period in ctx.recent:
        label = f"{period.year:04d}-{period.month:02d}"
        left = workdays_left(ctx.calendar, ctx.today, period.due_date, ctx.warn)
        first = facts.first_submitted.get(period.id, {})
        for task_id, unit_id in sorted(facts.owed(period.due_date, label)):
            if task_id not in ctx.tasks:
                continue
            kind = rules.report_alert_kind(
                first.get((task_id, unit_id)), period.due_date, ctx.today, left, ctx.warn
            )
            if kind:
                yield rules.alert_key(kind, task=task_id, unit=unit_id, period=label)


def test_narrowed_sources_equal_the_rules_over_everything(world):
    _varied_province()
    calendar, settings = load_calendar(), _settings()
    kinds = set()
    day = D("2026-11-01")
    while day <= D("2027-01-10"):
        if period_month(day) != (2027, 1) or day.day <= 10:
            ctx = wanted.load_context(day, calendar, settings)
            tasks = [(r["key"], r["unit_id"]) for r in wanted.task_alerts(ctx)]
            assert tasks == list(_every_task_alert(ctx)), day
            reports = [r["key"] for r in wanted.report_alerts(ctx)]
            assert reports == list(_every_report_alert(ctx)), day
            kinds |= {key.split(":")[0] for key, _unit in tasks} | {
                key.split(":")[0] for key in reports
            }
        day += timedelta(days=1)
    # the comparison is not vacuous: every kind of both sources occurred
    assert kinds == {
        rules.TASK_DUE_SOON,
        rules.TASK_OVERDUE,
        rules.REPORT_DUE_SOON,
        rules.REPORT_MISSING,
    }


def test_candidate_tasks_leave_out_only_tasks_whose_pairs_all_filed(world):
    """Directly: a task left out by the SQL narrowing owes no unsubmitted report."""
    _varied_province(seed=7)
    calendar, settings = load_calendar(), _settings()
    ctx = wanted.load_context(D("2026-12-28"), calendar, settings)
    ids = [p.id for p in ctx.recent]
    candidates = set(db.session.scalars(wanted.candidate_tasks(ids)))
    facts = wanted._recent_facts(ids, ctx)
    for period in ctx.recent:
        label = f"{period.year:04d}-{period.month:02d}"
        first = facts.first_submitted.get(period.id, {})
        unfiled = {
            task_id
            for task_id, unit_id in facts.owed(period.due_date, label)
            if first.get((task_id, unit_id)) is None and task_id in ctx.tasks
        }
        assert unfiled and unfiled <= candidates
    assert candidates < set(ctx.tasks)  # it does leave tasks out
