"""Issue 14 wiring, end to end on a real database: a missed milestone is overdue work —
an alert for the unit that climbs the ladder, a deduction in the scorecard — even when
the task's own end is years away; a contested task's clock stops (no new deadline alert,
no escalation, no overdue deduction)."""

from datetime import date, datetime

import pytest
from sqlalchemy import delete, select, update

from tracker.calendar.services import load_calendar
from tracker.dashboard.stored import refresh_punctuality
from tracker.extensions import db
from tracker.plans.lights import GREEN, task_light
from tracker.plans.milestones import services as milestones
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Task
from tracker.scoring import services as scores
from tracker.supervision.alerts.rules import MILESTONE_DUE_SOON, MILESTONE_OVERDUE, TASK_OVERDUE
from tracker.supervision.alerts.sweep import run_sweep
from tracker.supervision.models import Alert, Notification, OutboxMessage, TaskAssignment
from tracker.supervision.workflow.contest.models import TaskContest

D = date.fromisoformat


def _assign(task, on):
    task.status = "in_progress"
    db.session.add(
        TaskAssignment(
            task_id=task.id,
            unit_id=task.lead_unit_id,
            is_lead=True,
            assigned_at=on,
            ack_due=on.date(),
            acknowledged_at=on,
        )
    )
    db.session.commit()


@pytest.fixture
def zone_task(world):
    """Measure 1 of the zone plan (2021–2023), with its seeded phases 2021/2022/2023 as
    milestones, assigned and in progress since 2021-03."""
    plan = db.session.scalar(select(Plan).where(Plan.key == "czgxq-shuangchuang-2021"))
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 1))
    _assign(task, datetime(2021, 3, 1, 2))
    return task


def _alerts(kind, task_id):
    db.session.expire_all()
    return db.session.scalars(
        select(Alert).where(Alert.kind == kind, Alert.task_id == task_id).order_by(Alert.id)
    ).all()


def _entries(month, today, rule):
    _version, cards = scores.compute_month(month, today)
    return [
        (e.unit_id, e.amount, e.event.event_id) for c in cards for e in c.entries if e.rule == rule
    ]


def test_a_missed_milestone_alerts_escalates_scores_and_resolves(zone_task, world):
    task_id, lead = zone_task.id, zone_task.lead_unit_id
    first = db.session.scalar(
        select(Milestone).where(Milestone.task_id == task_id).order_by(Milestone.due_date)
    )
    assert first.due_date == D("2021-12-31")
    day = D("2022-06-15")
    # the task's own light is green: its end (2023-12-31) is far away
    assert task_light(zone_task.status, zone_task.due_date, day, load_calendar(), 5) == GREEN

    result = run_sweep(day)
    assert result.created[MILESTONE_OVERDUE] == 1
    (alert,) = _alerts(MILESTONE_OVERDUE, task_id)
    assert alert.unit_id == lead and alert.level == 1 and alert.resolved_at is None
    assert alert.key == f"milestone_overdue:milestone={first.id}:due=2021-12-31"
    assert (alert.subject_type, alert.subject_id) == ("milestone", first.id)
    assert _alerts(TASK_OVERDUE, task_id) == []
    assert sum(run_sweep(day).created.values()) == 0  # idempotent

    run_sweep(D("2022-06-21"))  # 4 working days later: urging
    (alert,) = _alerts(MILESTONE_OVERDUE, task_id)
    assert alert.level == 2
    run_sweep(D("2022-06-30"))  # 11 working days: named in the next bulletin
    (alert,) = _alerts(MILESTONE_OVERDUE, task_id)
    assert alert.level == 4

    # one deduction, in the month it was missed, for the unit that answers for it
    assert _entries("2021-12", day, "milestone_overdue") == [(lead, -2, first.id)]
    assert _entries("2022-06", day, "milestone_overdue") == []

    # the unit marks it done: the next sweep resolves the alert; the miss stays scored
    milestones.mark_done(
        first, zone_task, note="方案已印发", user=world["users"]["office"], day=D("2022-07-01")
    )
    db.session.commit()
    run_sweep(D("2022-07-01"))
    (alert,) = _alerts(MILESTONE_OVERDUE, task_id)
    assert alert.resolved_at is not None
    assert _entries("2021-12", D("2022-07-01"), "milestone_overdue") == [(lead, -2, first.id)]


def test_closing_the_task_resolves_its_milestone_alerts(zone_task):
    run_sweep(D("2022-06-15"))
    assert len(_alerts(MILESTONE_OVERDUE, zone_task.id)) == 1
    db.session.execute(update(Task).where(Task.id == zone_task.id).values(status="archived"))
    db.session.commit()
    run_sweep(D("2022-06-16"))
    assert all(a.resolved_at is not None for a in _alerts(MILESTONE_OVERDUE, zone_task.id))


def _contest(task, filed_on):
    contest = TaskContest(
        task_id=task.id, unit_id=task.lead_unit_id, reason="不属于本单位职责", filed_on=filed_on
    )
    db.session.add(contest)
    db.session.commit()
    return contest


def test_a_contested_task_gets_no_new_deadline_alerts(zone_task):
    _contest(zone_task, D("2022-06-01"))
    result = run_sweep(D("2022-06-15"))
    assert result.created[MILESTONE_OVERDUE] == 0
    assert _alerts(MILESTONE_OVERDUE, zone_task.id) == []
    # and no overdue deduction for the month judged while it is contested
    assert _entries("2022-06", D("2022-06-15"), "milestone_overdue") == []


def test_open_alerts_wait_while_contested_and_climb_after_the_decision(world):
    task = db.session.get(Task, world["ids"]["own_task"])
    task.due_date = D("2022-05-31")
    _assign(task, datetime(2022, 3, 1, 2))
    run_sweep(D("2022-06-15"))
    (alert,) = _alerts(TASK_OVERDUE, task.id)
    assert alert.level == 1
    assert _entries("2022-06", D("2022-06-15"), "task_overdue_lead") == [
        (task.lead_unit_id, -2, task.id)
    ]

    contest = _contest(task, D("2022-06-16"))
    run_sweep(D("2022-06-30"))  # 11 working days after it opened
    (alert,) = _alerts(TASK_OVERDUE, task.id)
    assert alert.level == 1 and alert.resolved_at is None  # stays open, does not climb
    assert _entries("2022-06", D("2022-06-30"), "task_overdue_lead") == []

    db.session.execute(
        update(TaskContest)
        .where(TaskContest.id == contest.id)
        .values(outcome="insisted", decided_at=datetime(2022, 7, 1, 2))
    )
    db.session.commit()
    run_sweep(D("2022-07-01"))
    (alert,) = _alerts(TASK_OVERDUE, task.id)
    assert alert.level > 1 and alert.resolved_at is None


def test_statements_do_not_grow_with_missed_milestones(zone_task, count_statements):
    """One zone measure with a missed milestone, then every zone measure (each with its
    three phases): the same number of statements per sweep (delivery included; the
    dashboard's stored months are stored first, as after any earlier sweep)."""
    counts = []
    plan_id = zone_task.plan_id
    for open_all in (False, True):
        db.session.execute(delete(Notification))
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(Alert))
        if open_all:
            db.session.execute(
                update(Task).where(Task.plan_id == plan_id).values(status="in_progress")
            )
        refresh_punctuality(D("2022-06-15"))
        db.session.commit()
        with count_statements() as counter:
            result = run_sweep(D("2022-06-15"))
        assert result.created[MILESTONE_OVERDUE] >= 1
        counts.append(counter.count)
    missed = len(_alerts_open(MILESTONE_OVERDUE))
    assert missed > 5, missed
    assert counts[0] == counts[1], counts


def _alerts_open(kind):
    db.session.expire_all()
    return db.session.scalars(
        select(Alert).where(Alert.kind == kind, Alert.resolved_at.is_(None))
    ).all()


def test_a_milestone_due_soon_is_a_reminder_that_does_not_climb(zone_task):
    """The 2022 phase (due Saturday 2022-12-31, so the next working day, 2023-01-03) within
    5 working days: a reminder at level 1, alongside the 2021 phase's overdue alert; after
    its date it turns into an overdue one."""
    second = db.session.scalars(
        select(Milestone).where(Milestone.task_id == zone_task.id).order_by(Milestone.due_date)
    ).all()[1]
    run_sweep(D("2022-12-26"))
    (soon,) = _alerts(MILESTONE_DUE_SOON, zone_task.id)
    assert soon.key == f"milestone_due_soon:milestone={second.id}:due=2023-01-03"
    assert soon.unit_id == zone_task.lead_unit_id
    assert len(_alerts(MILESTONE_OVERDUE, zone_task.id)) == 1  # the 2021 phase
    run_sweep(D("2023-01-04"))
    (soon,) = _alerts(MILESTONE_DUE_SOON, zone_task.id)
    assert soon.level == 1 and soon.resolved_at is not None
    assert len([a for a in _alerts(MILESTONE_OVERDUE, zone_task.id) if a.resolved_at is None]) == 2
