"""Every route of the bulletins blueprint, every role.

The office drafts, edits and publishes bulletins; office, leader and admin read every
bulletin, drafts included; a liaison reads published bulletins only — a draft is "not
found" (404), also as Word or Excel. The plan ledger (台账) is for office, leader and admin.
A refused request writes nothing; every form needs its CSRF token.
"""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update
from support.clock import on
from support.csrf import signed_in_with_csrf
from support.permission_matrix import PAGE, REFUSED, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.scoring.bulletins import services as bulletins
from tracker.scoring.models import Bulletin
from tracker.scoring.services import store_month
from tracker.supervision.models import TaskAssignment
from tracker.supervision.workflow import services as workflow

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
TODAY = date(2026, 11, 5)

ENDPOINTS = {
    "bulletins.index",
    "bulletins.new",
    "bulletins.create",
    "bulletins.detail",
    "bulletins.docx",
    "bulletins.xlsx",
    "bulletins.edit",
    "bulletins.publish",
    "bulletins.plan_ledger",
}


READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}
EVERYONE = {**READERS, "liaison": PAGE, "other_liaison": PAGE}
DRAFT_READERS = {**READERS, "liaison": 404, "other_liaison": 404}
MISSING = {"admin": 404, "office": 404, "leader": 404, "liaison": 404, "other_liaison": 404}
EDIT = {"title": "关于2026年10月的通报", "body": "各单位：\n一、总体情况\n正文"}

CASES = [
    ("GET", "/bulletins", None, expect(**EVERYONE)),
    ("GET", "/bulletins/new", None, expect(office=PAGE)),
    ("POST", "/bulletins", {"period": "2026-10"}, expect(office=WRITE)),
    ("POST", "/bulletins", {"period": "2026-09"}, expect(office=400)),  # no stored scores
    ("GET", "/bulletins/{draft}", None, expect(**DRAFT_READERS)),
    ("GET", "/bulletins/{published}", None, expect(**EVERYONE)),
    ("GET", "/bulletins/999999", None, expect(**MISSING)),
    ("GET", "/bulletins/{draft}.docx", None, expect(**DRAFT_READERS)),
    ("GET", "/bulletins/{published}.docx", None, expect(**EVERYONE)),
    ("GET", "/bulletins/999999.docx", None, expect(**MISSING)),
    ("GET", "/bulletins/{draft}.xlsx", None, expect(**DRAFT_READERS)),
    ("GET", "/bulletins/{published}.xlsx", None, expect(**EVERYONE)),
    ("GET", "/bulletins/999999.xlsx", None, expect(**MISSING)),
    ("POST", "/bulletins/{draft}/edit", EDIT, expect(office=WRITE)),
    ("POST", "/bulletins/{published}/edit", EDIT, expect(office=REFUSED)),
    ("POST", "/bulletins/999999/edit", EDIT, expect(office=404)),
    ("POST", "/bulletins/{draft}/publish", {}, expect(office=WRITE)),
    ("POST", "/bulletins/{published}/publish", {}, expect(office=REFUSED)),
    ("POST", "/bulletins/999999/publish", {}, expect(office=404)),
    ("GET", "/plans/{own_plan}/ledger.xlsx", None, expect(**READERS)),
    ("GET", "/plans/999999/ledger.xlsx", None, expect(admin=404, office=404, leader=404)),
]


@pytest.fixture(autouse=True)
def frozen():
    with on(TODAY):
        yield


@pytest.fixture
def bulletin_ids(world):
    """October 2026 scored (own_task and other_task assigned in September), a draft and a
    published bulletin."""
    ids, office = world["ids"], world["users"]["office"]
    for name in ("own_task", "other_task"):
        workflow.assign_task(workflow.load_task_for_update(ids[name]), office, date(2026, 9, 1))
    db.session.execute(update(TaskAssignment).values(assigned_at=datetime(2026, 9, 1, 2)))
    store_month("2026-10", TODAY)
    draft = bulletins.draft(office, "2026-10", TODAY)
    published = bulletins.publish(bulletins.draft(office, "2026-10", TODAY), office, TODAY)
    db.session.commit()
    return {"draft": draft.id, "published": published.id}


def snapshot():
    db.session.expire_all()
    return {
        "bulletins": sorted(
            db.session.execute(
                select(Bulletin.id, Bulletin.state, Bulletin.title, Bulletin.body)
            ).all()
        ),
        "events": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(world, client_for, bulletin_ids, role):
    """A fresh client per case: sign-in events are not the route's writes."""
    run_matrix(
        CASES,
        role,
        client_for=client_for,
        ids={**world["ids"], **bulletin_ids},
        snapshot=snapshot,
        fresh_client=True,
        written=lambda before, after: before["bulletins"] != after["bulletins"],
    )


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("bulletins.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_a_draft_leaks_nothing_to_a_liaison(app, world, login, bulletin_ids):
    client = app.test_client()
    login(client, world["users"]["liaison"])
    draft = db.session.get(Bulletin, bulletin_ids["draft"])
    for suffix in ("", ".docx", ".xlsx"):
        response = client.get(f"/bulletins/{draft.id}{suffix}")
        assert response.status_code == 404
        assert draft.number not in response.get_data(as_text=True)


def test_every_bulletin_form_needs_its_csrf_token(app_factory, world, bulletin_ids):
    _, client = signed_in_with_csrf(app_factory, world["users"]["office"].username)
    form = client.get(f"/bulletins/{bulletin_ids['draft']}").get_data(as_text=True)
    assert form.count('name="csrf_token"') >= 3  # sign-out, edit, publish
    before = snapshot()
    for path, data in [
        ("/bulletins", {"period": "2026-10"}),
        (f"/bulletins/{bulletin_ids['draft']}/edit", EDIT),
        (f"/bulletins/{bulletin_ids['draft']}/publish", {}),
    ]:
        assert client.post(path, data=data).status_code == 400, path
    assert snapshot() == before
