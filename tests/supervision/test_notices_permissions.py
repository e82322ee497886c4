"""Every route of the notices blueprint, every role.

The office issues and closes notices; the addressed unit's liaison answers; office, leader
and admin read every notice; a liaison reads only its unit's notices, any other is "not
found" (404), also for the Word export and the answer. A refused request writes nothing.

`world`: liaison = 市发改委, other_liaison = 市科技局. own_task is led by 市发改委,
other_task by 市科技局; both are set in progress and each has a notice.
"""

from datetime import date

import pytest
from sqlalchemy import func, select, update
from support.permission_matrix import PAGE, REFUSED, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.supervision.models import SupervisionNotice
from tracker.supervision.notices import services as notices

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "notices.index",
    "notices.new",
    "notices.issue",
    "notices.detail",
    "notices.docx",
    "notices.answer",
    "notices.close",
}


READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}
ISSUE = {"required_actions": "限期整改", "answer_working_days": "5"}
ANSWER = {"text": "已按要求整改"}

CASES = [
    ("GET", "/notices", None, expect(**READERS, liaison=PAGE, other_liaison=PAGE)),
    ("GET", "/notices/new?task={own_task}", None, expect(office=PAGE)),
    ("GET", "/notices/new?task=999999", None, expect(office=404)),
    ("GET", "/notices/new", None, expect(office=404)),
    ("POST", "/tasks/{own_task}/notices", ISSUE, expect(office=WRITE)),
    ("POST", "/tasks/{pending_task}/notices", ISSUE, expect(office=REFUSED)),
    ("POST", "/tasks/999999/notices", ISSUE, expect(office=404)),
    ("GET", "/notices/{own_notice}", None, expect(**READERS, liaison=PAGE, other_liaison=404)),
    ("GET", "/notices/{other_notice}", None, expect(**READERS, liaison=404, other_liaison=PAGE)),
    (
        "GET",
        "/notices/999999",
        None,
        expect(admin=404, office=404, leader=404, liaison=404, other_liaison=404),
    ),
    ("GET", "/notices/{own_notice}.docx", None, expect(**READERS, liaison=PAGE, other_liaison=404)),
    (
        "GET",
        "/notices/{other_notice}.docx",
        None,
        expect(**READERS, liaison=404, other_liaison=PAGE),
    ),
    ("POST", "/notices/{own_notice}/answer", ANSWER, expect(liaison=WRITE, other_liaison=404)),
    ("POST", "/notices/{other_notice}/answer", ANSWER, expect(liaison=404, other_liaison=WRITE)),
    ("POST", "/notices/999999/answer", ANSWER, expect(liaison=404, other_liaison=404)),
    # answering twice: a message, nothing changed
    (
        "POST",
        "/notices/{answered_notice}/answer",
        ANSWER,
        expect(liaison=REFUSED, other_liaison=404),
    ),
    ("POST", "/notices/{own_notice}/close", {}, expect(office=WRITE)),
    ("POST", "/notices/{closed_notice}/close", {}, expect(office=REFUSED)),
    ("POST", "/notices/999999/close", {}, expect(office=404)),
]


@pytest.fixture
def notice_ids(world):
    """A notice on own_task (市发改委), one on other_task (市科技局), an answered and a
    closed one on own_task; pending_task is never assigned."""
    ids = world["ids"]
    db.session.execute(
        update(Task)
        .where(Task.id.in_([ids["own_task"], ids["other_task"]]))
        .values(status="in_progress")
    )
    db.session.commit()
    office, liaison = world["users"]["office"], world["users"]["liaison"]
    today = date(2026, 10, 12)

    def issue(name):
        notice = notices.issue_notice(notices.load_task(ids[name]), office, today, "限期整改")
        db.session.commit()
        return notice.id

    result = {"own_notice": issue("own_task"), "other_notice": issue("other_task")}
    answered = issue("own_task")
    notices.answer_notice(db.session.get(SupervisionNotice, answered), liaison, today, "已答复")
    closed = issue("own_task")
    notices.close_notice(db.session.get(SupervisionNotice, closed), office)
    db.session.commit()
    pending = db.session.scalar(
        select(Task.id).where(Task.status == "pending").order_by(Task.id.desc()).limit(1)
    )
    return {**result, "answered_notice": answered, "closed_notice": closed, "pending_task": pending}


def snapshot():
    db.session.expire_all()
    return {
        "notices": sorted(
            db.session.execute(
                select(SupervisionNotice.id, SupervisionNotice.state, SupervisionNotice.answer)
            ).all()
        ),
        "events": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(world, client_for, notice_ids, role):
    """A fresh client per case: sign-in events are not the route's writes."""
    run_matrix(
        CASES,
        role,
        client_for=client_for,
        ids={**world["ids"], **notice_ids},
        snapshot=snapshot,
        fresh_client=True,
        written=lambda before, after: before["notices"] != after["notices"],
    )


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("notices.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_a_docx_download_for_another_unit_leaks_nothing(world, login, app, notice_ids):
    client = app.test_client()
    login(client, world["users"]["liaison"])
    response = client.get(f"/notices/{notice_ids['other_notice']}.docx")
    assert response.status_code == 404
    assert "督办〔" not in response.get_data(as_text=True)


def test_a_leader_reads_but_has_no_buttons(world, login, app, notice_ids):
    client = app.test_client()
    login(client, world["users"]["leader"])
    page = client.get(f"/notices/{notice_ids['own_notice']}").get_data(as_text=True)
    assert "notice-answer-form" not in page and "notice-close-form" not in page
