"""Every route of the dashboard blueprint, every role.

The dashboard and its drill-down are read-only pages for the office, leaders and the admin;
a liaison gets 403 (also for ids that do not exist: the role is checked first), anonymous
users go to sign-in. Unknown ids are 404 and a malformed ?section= is 400 for readers.
Nothing is ever written, and no route accepts POST.

`world`: liaison = 市发改委 (fgw), other_liaison = 市科技局 (kjj).
"""

import pytest
from sqlalchemy import func, select
from support.permission_matrix import PAGE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Section, Task

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "dashboard.index",
    "dashboard.charts",
    "dashboard.plan",
    "dashboard.section",
    "dashboard.unit",
}


READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}


def readers(status):
    return {"admin": status, "office": status, "leader": status}


CASES = [  # all reads
    ("GET", "/dashboard", None, expect(**READERS)),
    ("GET", "/dashboard/charts.json", None, expect(**READERS)),
    ("GET", "/dashboard/units/{kjj}?page=2", None, expect(**READERS)),
    ("GET", "/dashboard/units/{kjj}?page=x", None, expect(**READERS)),
    ("GET", "/dashboard/plans/{own_plan}", None, expect(**READERS)),
    ("GET", "/dashboard/plans/{other_plan}", None, expect(**READERS)),
    ("GET", "/dashboard/plans/999999", None, expect(**readers(404))),
    ("GET", "/dashboard/plans/{own_plan}/sections/{section}", None, expect(**READERS)),
    ("GET", "/dashboard/plans/{other_plan}/sections/{section}", None, expect(**readers(404))),
    ("GET", "/dashboard/plans/{own_plan}/sections/999999", None, expect(**readers(404))),
    ("GET", "/dashboard/units/{fgw}", None, expect(**READERS)),
    ("GET", "/dashboard/units/{kjj}?section={section}", None, expect(**READERS)),
    ("GET", "/dashboard/units/{kjj}?section=x", None, expect(**readers(400))),
    ("GET", "/dashboard/units/{kjj}?section=999999", None, expect(**readers(404))),
    ("GET", "/dashboard/units/999999", None, expect(**readers(404))),
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
def test_every_route_for_every_role(client_for, ids, role):
    """No read writes to the audit log."""
    run_matrix(
        CASES, role, client_for=client_for, ids=ids, snapshot=_events, reads_change_nothing=True
    )


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
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_the_nav_link_shows_for_readers_only(app, world, login):
    for role, shown in [("leader", True), ("office", True), ("admin", True), ("liaison", False)]:
        client = app.test_client()
        login(client, world["users"][role])
        page = client.get("/").get_data(as_text=True)
        assert ('data-testid="nav-dashboard"' in page) is shown, role
