"""Events told to the unit at once (not at the next sweep): a supervision notice, a leader's
instruction, a returned report, an extension decision, a close-out decision. In-app, by
e-mail through a real SMTP server on loopback, and to the unit's robot; the day's digest does
not repeat them. Notices show on the unit's to-do page."""

from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import select
from test_delivery import now, robot_server  # noqa: F401  (real servers; smtp_server: conftest)

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.plans.services import load_task
from tracker.reports.models import ProgressReport
from tracker.supervision.delivery import digests, notify
from tracker.supervision.delivery import outbox as delivery
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Notification,
    OutboxMessage,
    UnitWebhook,
)
from tracker.supervision.notices import services as notices
from tracker.supervision.workflow import requests, services
from tracker.units.models import Unit


def _unit_id(code):
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def _notes(user, kind=None):
    db.session.expire_all()
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def _mail_to(user, address):
    user = db.session.get(User, user.id)
    user.email, user.notify_email = address, True
    db.session.commit()


@pytest.fixture
def told(world, do):
    """own_task (lead 市发改委) assigned and acknowledged; the liaison takes e-mail."""
    do.assign("own_task")
    do.acknowledge("own_task")
    _mail_to(world["users"]["liaison"], "fgw@example.org")
    return world


@pytest.mark.parametrize("kind", sorted(notify.EVENT_TEXTS))
def test_every_event_reads_as_chinese_without_placeholders(kind):
    title, body = notify.event_text(kind, "市发改委", "加速建设示范基地", number="督办〔2026〕1号")
    assert "加速建设示范基地" in title and "市发改委" in body
    assert "{" not in body and "None" not in body


def test_a_notice_is_told_at_once_by_every_channel(
    told,
    smtp_server,  # noqa: F811
    robot_server,  # noqa: F811
    now,  # noqa: F811
    client_for,
):
    users, ids = told["users"], told["ids"]
    db.session.add(
        UnitWebhook(
            unit_id=_unit_id("fgw"), kind="wecom", url=f"{robot_server.base}/w", active=True
        )
    )
    db.session.commit()
    notice = notices.issue_notice(
        load_task(ids["own_task"]), users["office"], date(2026, 10, 12), "三日内报送整改方案"
    )
    db.session.commit()

    (note,) = _notes(users["liaison"], "notice_issued")
    assert notice.number in note.body and note.link == f"/notices/{notice.id}"
    assert _notes(users["other_liaison"]) == []  # another unit hears nothing
    counts = delivery.process_outbox(now, smtp_config=smtp_server.config, http_timeout=5)
    assert counts["sent"] == 2
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["fgw@example.org"]
    mail = message_from_bytes(envelope.content, policy=default_policy)
    assert mail["Subject"].startswith("督查督办系统：【收到督办单】")
    assert notice.number in mail.get_content()
    (request,) = robot_server.requests
    assert notice.number in request[1]["markdown"]["content"]
    # the day's digest does not repeat it
    assert digests.build_email_digests(date.today()) == 0

    # and the notice waits on the unit's to-do page
    page = client_for("liaison").get("/supervision/my").get_data(as_text=True)
    section = page[page.index('data-testid="notices-to-answer"') :]
    assert notice.number in section and f"/notices/{notice.id}" in section


def test_an_instruction_is_told_to_the_lead_unit(told, do):
    do.instruction("own_task")
    (note,) = _notes(told["users"]["liaison"], "instruction_written")
    assert "抓紧推进" in note.body
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "email"))
    assert email.recipient == "fgw@example.org" and "领导批示" in email.subject


@pytest.mark.parametrize(
    ("decision", "kind", "words"),
    [("approve", "extension_approved", "2027-03-31"), ("reject", "extension_rejected", "理由不足")],
)
def test_an_extension_decision_is_told(told, do, decision, kind, words):
    request = do.extension("own_task")
    task = services.load_task_for_update(told["ids"]["own_task"])
    request = db.session.get(ExtensionRequest, request.id)
    requests.decide_extension(request, task, told["users"]["office"], decision, "理由不足")
    db.session.commit()
    (note,) = _notes(told["users"]["liaison"], kind)
    assert words in note.body


@pytest.mark.parametrize(
    ("decision", "kind"), [("confirm", "close_out_confirmed"), ("refuse", "close_out_refused")]
)
def test_a_close_out_decision_is_told(told, do, decision, kind):
    request = do.close_out("own_task")
    task = services.load_task_for_update(told["ids"]["own_task"])
    request = db.session.get(CloseOutRequest, request.id)
    requests.decide_close_out(request, task, told["users"]["office"], decision, "材料不全")
    db.session.commit()
    (note,) = _notes(told["users"]["liaison"], kind)
    assert note.link == f"/tasks/{task.id}"


def test_a_returned_report_is_told_at_once(told, client_for):
    ids, users = told["ids"], told["users"]
    db.session.get(Task, ids["own_task"]).status = "in_progress"
    db.session.commit()
    liaison = client_for("liaison")
    data = {
        "task_id": ids["own_task"],
        "version": 0,
        "progress": "本月进展",
        "percent": 30,
        "action": "submit",
    }
    assert liaison.post("/reports/save", data=data).status_code == 302
    assert _notes(users["liaison"]) == []  # a submission tells nobody
    report = db.session.scalar(select(ProgressReport))
    response = client_for("office").post(
        f"/review/{report.id}",
        data={"version": report.version, "decision": "return", "reason": "请补充佐证"},
    )
    assert response.status_code == 302
    (note,) = _notes(users["liaison"], "report_returned")
    assert "请补充佐证" in note.body and note.link == f"/reports#report-{report.id}"
    assert _notes(users["other_liaison"]) == []


def test_a_reorganised_unit_is_told_through_its_successor(world, make_user):
    """Task 12 is led by 市经信委, now 市工信局."""
    gxj = make_user(Role.LIAISON, "gxj", username="gxj1")
    task = db.session.scalar(
        select(Task).where(Task.plan_id == world["ids"]["own_plan"], Task.number == 12)
    )
    task.status = "in_progress"
    db.session.commit()
    assert notify.notify_event("instruction_written", task, [task.lead_unit_id], due="2026-10-20")
    db.session.commit()
    (note,) = _notes(gxj, "instruction_written")
    assert "市工信局" in note.body
