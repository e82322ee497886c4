"""Every route of the reporting-load blueprint, every role (docs/reporting-load.md).

The 报送负担 table and a unit's overlaps are read by the office, leaders and the admin (a
liaison: 403, it never sees another unit's load); only the office links and unlinks. A
refused request writes nothing; bad input gets a message, never a 500."""

import re

import pytest
from sqlalchemy import func, select
from support.csrf import signed_in_with_csrf
from support.permission_matrix import PAGE, REFUSED, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.reports.load.models import TaskLink

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
ENDPOINTS = {
    "reporting_load.index",
    "reporting_load.unit",
    "reporting_load.link",
    "reporting_load.unlink",
}
READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}
PAIR = {"task_ids": "{own_task},{co_task}"}

CASES = [
    ("GET", "/reporting-load", None, expect(**READERS)),
    ("GET", "/reporting-load?sort=name&page=2", None, expect(**READERS)),
    ("GET", "/reporting-load/units/{unit}", None, expect(**READERS)),
    ("GET", "/reporting-load/units/999999", None, expect(admin=404, office=404, leader=404)),
    ("POST", "/reporting-load/link", {"task_ids": "abc"}, expect(office=REFUSED)),
    ("POST", "/reporting-load/link", {"task_ids": "{own_task}"}, expect(office=REFUSED)),
    ("POST", "/reporting-load/link", {"task_ids": "{own_task},999999"}, expect(office=REFUSED)),
    ("POST", "/reporting-load/tasks/{own_task}/unlink", {}, expect(office=REFUSED)),
    ("POST", "/reporting-load/link", PAIR, expect(office=WRITE)),
    ("POST", "/reporting-load/tasks/{own_task}/unlink", {}, expect(office=WRITE)),
]


def snapshot():
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        sorted(db.session.execute(select(TaskLink.task_id, TaskLink.group_id)).all()),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client_for, world, role):
    run_matrix(
        CASES,
        role,
        client_for=client_for,
        ids=world["ids"],
        snapshot=snapshot,
        fresh_client=True,
        reads_change_nothing=True,
    )


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("reporting_load.")
    }
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


@pytest.mark.parametrize(
    ("task_ids", "message"),
    [
        ("abc", "Enter the task numbers to link"),
        ("", "Enter the task numbers to link"),
        ("{own_task}", "Choose at least two different tasks"),
        ("{own_task},{own_task}", "Choose at least two different tasks"),
        ("{own_task},999999", "One of these tasks does not exist"),
    ],
)
def test_bad_link_input_gets_a_clear_message(app_factory, world, login, task_ids, message):
    """In English (the message catalogue's msgids: the user chose English); in Chinese
    the same messages come from the zh_CN catalogue (tests/test_translations.py)."""
    client = app_factory().test_client()
    client.set_cookie("tracker_lang", "en")
    login(client, world["users"]["office"])
    data = {"task_ids": task_ids.format(**world["ids"]), "next": "/reporting-load"}
    response = client.post("/reporting-load/link", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_link_without_csrf_token_is_refused(app_factory, world):
    _app, client = signed_in_with_csrf(app_factory, world["users"]["office"].username)
    before = snapshot()
    ids = world["ids"]
    data = {"task_ids": f"{ids['own_task']},{ids['co_task']}", "next": "/reporting-load"}
    response = client.post("/reporting-load/link", data=data)
    assert response.status_code in (302, 400)
    assert "/login" not in response.headers.get("Location", "")
    assert snapshot() == before
    # with the token from the unit page, the same link is made
    page = client.get(f"/reporting-load/units/{ids['unit']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/reporting-load/link", data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert snapshot()[1] != before[1]
