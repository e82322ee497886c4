"""The weekly leader digest (我分管的): through a real SMTP server on loopback (aiosmtpd), once
per week on a working day, to each leader who chose e-mail, red tasks first."""

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import func, select, update

from tests.support.clock import on
from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.plans.people import services
from tracker.scheduler import leader_digest_job
from tracker.supervision.delivery import digests
from tracker.supervision.delivery import outbox as delivery
from tracker.supervision.models import OutboxMessage

MONDAY = date(2026, 11, 30)


@pytest.fixture
def now():
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(minutes=1)


@pytest.fixture
def in_charge(world, make_user):
    """leader1 in charge of 长发〔2017〕29号 (task 17 red, task 2 yellow), leader2 of nothing,
    leader3 in charge of the zone plan but without e-mail."""
    users, ids = world["users"], world["ids"]
    second = make_user(Role.LEADER, username="leader2")
    third = make_user(Role.LEADER, username="leader3")
    office = users["office"]
    services.set_leader(db.session.get(Plan, ids["own_plan"]), users["leader"].id, office)
    services.set_leader(db.session.get(Plan, ids["other_plan"]), third.id, office)
    db.session.execute(
        update(Task).where(Task.plan_id == ids["own_plan"]).values(due_date=date(2027, 6, 30))
    )
    db.session.execute(
        update(Task)
        .where(Task.id == ids["co_task"])
        .values(status="assigned", due_date=date(2026, 11, 1))
    )
    db.session.execute(
        update(Task).where(Task.id == ids["other_task"]).values(due_date=date(2026, 12, 2))
    )
    for user, address in ((users["leader"], "l1@example.org"), (second, "l2@example.org")):
        row = db.session.get(User, user.id)
        row.email, row.notify_email = address, True
    db.session.commit()
    return users["leader"], second, third


def test_one_weekly_digest_per_leader_red_first_over_smtp(world, in_charge, smtp_server, now):
    ids = world["ids"]
    with on(MONDAY):
        assert digests.build_leader_digests(MONDAY) == 1  # leader2 leads nothing, leader3 no mail
        db.session.commit()
        # the same week again (even on Friday): nothing more
        assert digests.build_leader_digests(MONDAY + timedelta(days=4)) == 0
        db.session.commit()
    assert delivery.process_outbox(now, smtp_config=smtp_server.config)["sent"] == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["l1@example.org"]
    mail = message_from_bytes(envelope.content, policy=default_policy)
    assert mail["Subject"] == "督查督办系统：我分管的任务周报（红灯1项）"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    red_title = db.session.get(Task, ids["co_task"]).title
    yellow_title = db.session.get(Task, ids["other_task"]).title
    assert text.index(red_title) < text.index(yellow_title)
    assert "1. 【红灯】" in text and "2. 【黄灯】" in text
    assert "<ol>" in html and red_title in html
    # next week it goes again; not on a Saturday
    with on(MONDAY + timedelta(days=5)):
        assert digests.build_leader_digests(MONDAY + timedelta(days=5)) == 0
    with on(MONDAY + timedelta(days=7)):
        assert digests.build_leader_digests(MONDAY + timedelta(days=7)) == 1
        db.session.commit()
    keys = db.session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)).all()
    leader = in_charge[0].id
    assert keys == [f"leader-weekly:{leader}:2026-W49", f"leader-weekly:{leader}:2026-W50"]


def test_the_scheduler_job_sends_once_a_week_on_a_working_day(app, world, in_charge):
    # National Day week 2026: Oct 1–7 off; the job runs every day, the digest goes once,
    # on Thursday Oct 8, the week's first working day (Sat Oct 10, a make-up workday of the
    # same week, sends nothing more).
    days = [date(2026, 10, 5) + timedelta(days=i) for i in range(7)]
    for day in days:
        with on(day):
            leader_digest_job(app, day)
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.key, OutboxMessage.created_at)).all()
    assert len(rows) == 1
    assert rows[0].key.endswith(":2026-W41")
    assert rows[0].created_at.date() == date(2026, 10, 8)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_leader_digest_costs_the_same_for_more_leaders(
    world, in_charge, make_user, count_statements
):
    with count_statements() as few:
        digests.build_leader_digests(MONDAY)
    db.session.rollback()
    for i in range(5):
        user = make_user(Role.LEADER, username=f"more{i}")
        user.email, user.notify_email = f"m{i}@example.org", True
        services.set_leader(
            db.session.scalar(select(Task).where(Task.number == i + 3).limit(1)), user.id, None
        )
    db.session.commit()
    with count_statements() as many:
        assert digests.build_leader_digests(MONDAY) == 6
    assert many.count == few.count, many.statements
