"""The dashboard's punctuality, counted mostly by the database (dashboard/punctuality.py),
equals the owed-reports rule applied to every (task, unit) pair in Python: random months of
assignments, closings, reports (first submissions on both sides of the due day's end,
resubmissions, reports filed though not owed), a reorganised unit and reassignments, on
SQLite and PostgreSQL."""

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tracker.calendar.rules import WorkingCalendar
from tracker.dashboard.models import PunctualityMonth
from tracker.dashboard.punctuality import Punctuality, _due_dates, _rule_tallies, punctuality
from tracker.dashboard.queries import LightRules, months_up_to
from tracker.dashboard.stored import (
    dashboard_punctuality,
    final,
    refresh_punctuality,
    shown_months,
)
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskStatus, TaskUnitChange
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.scoring import rules
from tracker.supervision.models import TaskAssignment
from tracker.timeutil import local_day_bounds, utcnow
from tracker.units.models import Unit

TODAY = date(2026, 12, 1)
MONTHS = months_up_to(rules.last_month(TODAY), 6)  # 2026-06 … 2026-11
STORED = MONTHS[1:]  # 2026-06 has no stored period: its due date comes from the calendar


def _moment(rng, due: date) -> datetime:
    """A UTC moment near the end of the due day in Beijing (16:00 UTC): either side."""
    end = local_day_bounds(due)[1]
    return end + rng.choice(
        [timedelta(seconds=-1), timedelta(0), timedelta(hours=-30), timedelta(days=3)]
    )


def _world(seed: int):
    rng = random.Random(seed)
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    tasks = db.session.execute(
        select(Task.id, Task.lead_unit_id).where(Task.plan_id == plan.id).order_by(Task.number)
    ).all()[:40]
    units = list(db.session.scalars(select(Unit.id).order_by(Unit.code)))[:12]
    periods = {}
    for month in STORED:
        year, mon = map(int, month.split("-"))
        due = date(year, mon, 25)
        period = ReportingPeriod(year=year, month=mon, due_day=25, due_date=due)
        db.session.add(period)
        db.session.flush()
        periods[month] = period
    # a reorganisation: units[1] was succeeded by units[2]
    db.session.execute(update(Unit).where(Unit.id == units[1]).values(successor_id=units[2]))
    statuses = [s.value for s in TaskStatus]
    first_due = date(2026, 6, 25)
    for task_id, lead in tasks:
        closed = rng.random() < 0.3
        db.session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(
                status=TaskStatus.CLOSED.value if closed else rng.choice(statuses),
                closed_at=_moment(rng, first_due + timedelta(days=rng.randrange(0, 150)))
                if closed
                else None,
            )
        )
        for unit_id in {lead, *rng.sample(units, 2)}:
            db.session.add(
                TaskAssignment(
                    task_id=task_id,
                    unit_id=unit_id,
                    is_lead=unit_id == lead,
                    assigned_at=_moment(rng, first_due + timedelta(days=rng.randrange(-40, 150))),
                    ack_due=first_due,
                )
            )
        if rng.random() < 0.2:  # a reassignment (改派) of one of the task's units
            db.session.add(
                TaskUnitChange(
                    task_id=task_id,
                    unit_id=rng.choice(units),
                    role="co",
                    change=rng.choice(["added", "removed"]),
                    period=rng.choice(MONTHS),
                    reason="测试",
                    changed_at=_moment(rng, first_due + timedelta(days=rng.randrange(0, 150))),
                )
            )
        for period in periods.values():
            for unit_id in rng.sample(units, 3):
                for revision in (1, 2) if rng.random() < 0.2 else (1,):
                    at = _moment(rng, period.due_date) if rng.random() < 0.8 else None
                    db.session.add(
                        ProgressReport(
                            task_id=task_id,
                            unit_id=unit_id,
                            period_id=period.id,
                            revision=revision,
                            state="submitted" if at else "draft",
                            submitted_at=at,
                            first_submitted_at=at if rng.random() < 0.7 else None,
                        )
                    )
    db.session.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_punctuality_equals_the_rule(world, seed):
    _world(seed)
    successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    light_rules = LightRules(WorkingCalendar(), 5, 25)
    due_of, per_month = punctuality(MONTHS, TODAY, successor_of, light_rules)
    due_again, period_of = _due_dates(MONTHS, light_rules)
    assert due_of == due_again
    every_unit = set(successor_of)
    by_rule = _rule_tallies(MONTHS, due_of, period_of, TODAY, successor_of, every_unit, set())
    for month in MONTHS:
        got = {u: t for u, t in per_month[month].items()}
        assert got == by_rule[month], month
    assert any(t.late for t in per_month[STORED[-1]].values())
    assert any(t.missing for m in STORED for t in per_month[m].values())


def _by_rule(light_rules):
    successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    due_of, period_of = _due_dates(MONTHS, light_rules)
    every_unit = set(successor_of)
    return successor_of, _rule_tallies(
        MONTHS, due_of, period_of, TODAY, successor_of, every_unit, set()
    )


def _shown(light_rules, successor_of):
    """What the dashboard reads: (totals by month, last month by unit)."""
    _due, totals, last = dashboard_punctuality(MONTHS, TODAY, successor_of, light_rules)
    return totals, last


@pytest.mark.parametrize("seed", [4, 5])
def test_stored_punctuality_equals_the_rule(world, seed, count_statements):
    """The months the sweep stores (refresh_punctuality) and the dashboard reads back give
    the rule's figures — with reports returned for rework, revisions, late and missing
    reports, closed and withdrawn tasks, a reorganised unit and reassignments — and a late
    report filed after the refresh is taken in by the next (incremental) refresh."""
    _world(seed)
    db.session.execute(  # returned for rework: the first submission still counts
        update(ProgressReport)
        .where(ProgressReport.submitted_at.is_not(None), ProgressReport.id % 4 == 0)
        .values(state="returned")
    )
    db.session.commit()
    light_rules = LightRules.load()
    assert shown_months(TODAY) == MONTHS
    assert refresh_punctuality(TODAY) == MONTHS
    db.session.commit()
    successor_of, by_rule = _by_rule(light_rules)
    with count_statements() as counter:
        totals, last = _shown(light_rules, successor_of)
    assert counter.count <= 4  # due dates, stored months, totals, last month's units
    for month in MONTHS:
        assert totals[month] == Punctuality.total(by_rule[month].values()), month
    assert last == {u: t for u, t in by_rule[MONTHS[-1]].items()}
    assert {**last} == dict(
        punctuality(MONTHS, TODAY, successor_of, LightRules.load())[1][MONTHS[-1]]
    )
    assert refresh_punctuality(TODAY) == []  # nothing changed: nothing recounted

    # a late report for an owed pair that had none: the next refresh recounts its month
    month = STORED[-1]
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.month == 11))
    missing_unit = next(u for u, t in last.items() if t.missing and u in successor_of)
    task_id = db.session.scalar(
        select(TaskAssignment.task_id)
        .where(TaskAssignment.unit_id == missing_unit)
        .where(
            ~select(ProgressReport.id)
            .where(
                ProgressReport.task_id == TaskAssignment.task_id,
                ProgressReport.unit_id == missing_unit,
                ProgressReport.period_id == period.id,
            )
            .exists()
        )
        .limit(1)
    )
    late = utcnow()  # filed after the refresh (at or after its computed_at), after the due date
    db.session.add(
        ProgressReport(
            task_id=task_id,
            unit_id=missing_unit,
            period_id=period.id,
            state="submitted",
            submitted_at=late,
            first_submitted_at=late,
        )
    )
    db.session.commit()
    assert refresh_punctuality(TODAY) == [month]
    db.session.commit()
    successor_of, by_rule = _by_rule(light_rules)
    totals, last = _shown(light_rules, successor_of)
    assert last == by_rule[month]
    assert totals[month] == Punctuality.total(by_rule[month].values())


def test_a_month_stored_before_its_due_date_is_counted_live(world):
    """A month stored on or before its due date is not final: its 'not yet due' reports
    become missing the day after, so the dashboard counts it live."""
    due = date(2026, 11, 25)
    month = PunctualityMonth(
        month="2026-11", due_date=due, computed_on=due, computed_at=datetime(2026, 11, 25)
    )
    assert not final(month, due, date(2026, 11, 26))
    month.computed_on = date(2026, 11, 26)
    assert final(month, due, date(2026, 11, 26))
    assert not final(month, date(2026, 11, 27), date(2026, 11, 28))  # the due date moved
    assert not final(None, due, date(2026, 11, 26))


def test_the_alert_sweep_stores_the_shown_months(world):
    """The sweep's `swept` signal reaches the dashboard (tracker.dashboard.stored.connect):
    after a sweep every month the dashboard shows is stored."""
    from tracker.dashboard.stored import shown_months
    from tracker.supervision.alerts.sweep import run_sweep

    day = date(2026, 12, 1)
    assert not db.session.scalars(select(PunctualityMonth)).all()
    run_sweep(day)
    stored = {row.month for row in db.session.scalars(select(PunctualityMonth))}
    assert stored == set(shown_months(day))
