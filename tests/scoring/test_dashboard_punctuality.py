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
from tracker.dashboard.punctuality import _due_dates, _rule_tallies, punctuality
from tracker.dashboard.queries import LightRules, months_up_to
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskStatus, TaskUnitChange
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.scoring import rules
from tracker.supervision.models import TaskAssignment
from tracker.timeutil import local_day_bounds
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
