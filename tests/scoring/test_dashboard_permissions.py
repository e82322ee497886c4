"""Every route of the dashboard blueprint, every role.

The dashboard and its drill-down are read-only pages for the office, leaders and the admin;
a liaison gets 403 (also for ids that do not exist: the role is checked first), anonymous
users go to sign-in. Unknown ids are 404 and a malformed ?section= is 400 for readers.
Nothing is ever written, and no route accepts POST.

`world`: liaison = 市发改委 (fgw), other_liaison = 市科技局 (kjj).
"""

import re

import pytest
from sqlalchemy import func, select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Section, Task

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
LOGIN, PAGE = "login", 200

ENDPOINTS = {
    "dashboard.index",
    "dashboard.plan",
    "dashboard.section",
    "dashboard.unit",
}


def expect(**by_role):
    """Expected status per role: anonymous goes to sign-in, unnamed roles get 403."""
    return [by_role.get(role, LOGIN if role == "anonymous" else 403) for role in ROLES]


READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}


def readers(status):
    return {"admin": status, "office": status, "leader": status}


CASES = [
    ("/dashboard", expect(**READERS)),
    ("/dashboard/plans/{own_plan}", expect(**READERS)),
    ("/dashboard/plans/{other_plan}", expect(**READERS)),
    ("/dashboard/plans/999999", expect(**readers(404))),
    ("/dashboard/plans/{own_plan}/sections/{section}", expect(**READERS)),
    ("/dashboard/plans/{other_plan}/sections/{section}", expect(**readers(404))),
    ("/dashboard/plans/{own_plan}/sections/999999", expect(**readers(404))),
    ("/dashboard/units/{fgw}", expect(**READERS)),
    ("/dashboard/units/{kjj}?section={section}", expect(**READERS)),
    ("/dashboard/units/{kjj}?section=x", expect(**readers(400))),
    ("/dashboard/units/{kjj}?section=999999", expect(**readers(404))),
    ("/dashboard/units/999999", expect(**readers(404))),
]


@pytest.fixture
def ids(world):
    section = db.session.scalar(
        select(Section.id).where(Section.plan_id == world["ids"]["own_plan"], Section.number == 1)
    )
    fgw, kjj = (
        db.session.scalar(select(Task.lead_unit_id).where(Task.id == world["ids"][name]))
        for name in ("own_task", "other_task")
    )
    return {**world["ids"], "section": section, "fgw": fgw, "kjj": kjj}


def _events():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(app, world, login, ids, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, world["users"][role]).status_code == 302
    before = _events()
    for template, expected in CASES:
        path = template.format(**ids)
        want = expected[ROLES.index(role)]
        response = client.get(path)
        label = f"{role} GET {path}: {response.status_code}"
        if want == LOGIN:
            assert response.status_code == 302, label
            assert "/login" in response.headers["Location"], label
        else:
            assert response.status_code == want, label
    assert _events() == before, f"{role}: a read wrote to the audit log"


@pytest.mark.parametrize("role", ["office", "leader", "admin"])
def test_no_route_accepts_a_post(app, world, login, ids, role):
    client = app.test_client()
    login(client, world["users"][role])
    for template in (
        "/dashboard",
        "/dashboard/plans/{own_plan}",
        "/dashboard/plans/{own_plan}/sections/{section}",
        "/dashboard/units/{fgw}",
    ):
        assert client.post(template.format(**ids)).status_code == 405, template


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("dashboard.")}
    assert routed == ENDPOINTS
    adapter = app.url_map.bind("localhost")
    tested = set()
    for template, _expected in CASES:
        path = re.sub(r"\{\w+\}", "1", template.split("?")[0])
        endpoint, _args = adapter.match(path, method="GET")
        tested.add(endpoint)
    assert tested == ENDPOINTS


def test_the_nav_link_shows_for_readers_only(app, world, login):
    for role, shown in [("leader", True), ("office", True), ("admin", True), ("liaison", False)]:
        client = app.test_client()
        login(client, world["users"][role])
        page = client.get("/").get_data(as_text=True)
        assert ('data-testid="nav-dashboard"' in page) is shown, role
