"""Who hears of an alert (issue 13): the people who act on it, not every office user."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.plans.people.models import LeaderInCharge
from tracker.supervision.delivery import notify
from tracker.supervision.delivery.recipients import alert_recipients
from tracker.supervision.models import Alert, Notification, TaskAssignment
from tracker.timeutil import utcnow
from tracker.units.models import Unit

TODAY = date(2026, 11, 20)
LIAISONS, HANDLERS, OFFICE, LEADER = [1, 2], [10], [10, 11, 12], [20]


@pytest.mark.parametrize(
    ("kind", "level", "handlers", "leader", "expected"),
    [
        ("report_due_soon", 1, HANDLERS, LEADER, [1, 2]),  # a reminder: the liaisons
        ("task_overdue", 1, HANDLERS, LEADER, [1, 2]),
        ("task_overdue", 2, HANDLERS, LEADER, [1, 2, 10]),  # 催办: + the task's handler
        ("task_overdue", 2, [], LEADER, [1, 2, 10, 11, 12]),  # nobody named: the office
        ("report_missing", 3, HANDLERS, LEADER, [1, 2, 10]),
        ("report_missing", 4, HANDLERS, LEADER, [1, 2, 10, 20]),  # 拟通报: + 分管领导
        ("report_missing", 4, HANDLERS, [], [1, 2, 10]),  # no leader named
        ("notice_answer_overdue", 1, HANDLERS, LEADER, [1, 2, 10]),  # an answer: the office
        ("instruction_answer_overdue", 1, [], [], [1, 2, 10, 11, 12]),
    ],
)
def test_alert_recipients(kind, level, handlers, leader, expected):
    assert alert_recipients(kind, level, LIAISONS, handlers, OFFICE, leader) == expected


def test_a_person_in_two_roles_is_told_once():
    assert alert_recipients("task_overdue", 4, [1], [1, 2], [1, 2, 3], [2]) == [1, 2]


def _alert(key, kind, level, task_id, unit_id):
    alert = Alert(
        key=key,
        kind=kind,
        level=level,
        task_id=task_id,
        unit_id=unit_id,
        swept_on=TODAY,
        due_date=TODAY + timedelta(days=3),
        detail={},
    )
    db.session.add(alert)
    db.session.flush()
    return alert.id


def _told(alert_id):
    return set(
        db.session.scalars(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.alert_id == alert_id)
        )
    )


def test_the_handler_and_the_leader_in_charge_are_told_not_every_office_user(world, make_user):
    ids, users = world["ids"], world["users"]
    make_user(Role.OFFICE, "kjj", username="office2")
    handler = make_user(Role.OFFICE, "kjj", username="handler")
    fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    db.session.add(
        TaskAssignment(
            task_id=ids["own_task"],
            unit_id=fgw,
            is_lead=True,
            assigned_by_id=handler.id,
            ack_due=TODAY,
        )
    )
    plan_id = db.session.scalar(select(Task.plan_id).where(Task.id == ids["own_task"]))
    db.session.add(LeaderInCharge(plan_id=plan_id, user_id=users["leader"].id, set_at=utcnow()))
    db.session.commit()

    urging = _alert("u", "task_overdue", 2, ids["own_task"], fgw)
    bulletin = _alert("b", "report_missing", 4, ids["own_task"], fgw)
    unassigned = _alert("x", "task_overdue", 2, ids["other_task"], ids["unit"])
    notify.notify_alerts([urging, bulletin, unassigned], TODAY)
    db.session.commit()

    assert _told(urging) == {"liaison1", "handler"}
    assert _told(bulletin) == {"liaison1", "handler", "leader1"}  # the plan's leader
    # nobody is named for the other task: every office user hears
    assert _told(unassigned) == {"liaison2", "office1", "office2", "handler"}
