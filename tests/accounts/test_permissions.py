"""Every route, every role: who may read and who may write. A liaison sees its own unit's
tasks (and those of units its unit succeeded) and nothing of another unit's."""

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select
from support.permission_matrix import LOGIN, run_matrix

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison"]
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


# (endpoint, path template, expected per role: anonymous, admin, office, leader, liaison)
GET_MATRIX = [
    ("accounts.login", "/login", [OK, 302, 302, 302, 302]),
    ("pages.home", "/", [LOGIN, OK, OK, OK, OK]),
    ("plans.plan_list", "/plans", [LOGIN, OK, OK, OK, OK]),
    ("plans.plan_detail", "/plans/{own_plan}", [LOGIN, OK, OK, OK, OK]),
    ("plans.plan_detail", "/plans/{other_plan}", [LOGIN, OK, OK, OK, NOT_FOUND]),
    # issue 13: a large plan by section and page; the same scope rules
    ("plans.plan_detail", "/plans/{own_plan}?section=1&page=2", [LOGIN, OK, OK, OK, OK]),
    ("plans.plan_detail", "/plans/{other_plan}?page=x", [LOGIN, OK, OK, OK, NOT_FOUND]),
    ("pages.task_detail", "/tasks/{own_task}", [LOGIN, OK, OK, OK, OK]),
    ("pages.task_detail", "/tasks/{co_task}", [LOGIN, OK, OK, OK, OK]),
    ("pages.task_detail", "/tasks/{other_task}", [LOGIN, OK, OK, OK, NOT_FOUND]),
    ("pages.task_detail", "/tasks/{own_task}?page=2", [LOGIN, OK, OK, OK, OK]),
    ("pages.task_detail", "/tasks/{other_task}?page=2", [LOGIN, OK, OK, OK, NOT_FOUND]),
    ("pages.unit_list", "/units", [LOGIN, OK, OK, OK, OK]),
    ("units.unit_new", "/units/new", [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("units.unit_edit", "/units/{unit}/edit", [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("accounts.users", "/admin/users", [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("accounts.user_new", "/admin/users/new", [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("accounts.user_edit", "/admin/users/{user}", [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("accounts.audit_log", "/admin/audit", [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
]

# Writes: (endpoint, path, form data, expected per role). A refused write changes nothing.
POST_MATRIX = [
    (
        "units.unit_new",
        "/units/new",
        {"name": "市测试局", "code": "csj", "kind": "gov_dept", "successor_id": "0"},
        [LOGIN, 302, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    (
        "units.unit_edit",
        "/units/{unit}/edit",
        {"name": "市科技局", "code": "kjjx", "kind": "gov_dept", "successor_id": "0"},
        [LOGIN, 302, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    (
        "accounts.user_new",
        "/admin/users/new",
        {
            "username": "newbie",
            "display_name": "N",
            "role": "leader",
            "unit_id": "0",
            "password": "long-enough-1",
            "active": "y",
        },
        [LOGIN, 302, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    (
        "accounts.user_edit",
        "/admin/users/{user}",
        {
            "username": "office1",
            "display_name": "Renamed",
            "role": "admin",
            "unit_id": "0",
            "active": "y",
        },
        [LOGIN, 302, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    ("accounts.logout", "/logout", {}, [LOGIN, 302, 302, 302, 302]),
    ("accounts.set_language", "/lang", {"lang": "en", "next": "/"}, [302, 302, 302, 302, 302]),
    ("accounts.login", "/login", {"username": "x", "password": "y"}, [OK, 302, 302, 302, 302]),
]


ENDPOINTS = {e for e, _p, _x in GET_MATRIX} | {e for e, _p, _d, _x in POST_MATRIX}


def test_every_route_is_in_a_permission_matrix(app):
    """Each feature's tests/<feature>/…/test_*permissions.py declares the ENDPOINTS it checks
    for every role; a route none of them covers fails here."""
    covered = set()
    for path in Path(__file__).resolve().parents[1].glob("**/test_*permissions.py"):
        spec = importlib.util.spec_from_file_location(f"_matrix_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        covered |= module.ENDPOINTS
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routed - covered == set(), "routes without a permission test"


@pytest.mark.parametrize("role", ROLES)
def test_reads(world, client_for, role):
    cases = [("GET", path, None, expected) for _endpoint, path, expected in GET_MATRIX]
    run_matrix(cases, role, client_for=client_for, ids=world["ids"], roles=ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_writes(world, client_for, role):
    """A refused write changes nothing; signing out is a redirect for every role."""
    cases = [("POST", path, data, expected) for _endpoint, path, data, expected in POST_MATRIX]
    run_matrix(
        cases,
        role,
        client_for=client_for,
        ids=world["ids"],
        roles=ROLES,
        snapshot=_snapshot,
        fresh_client=True,
    )


def _snapshot():
    db.session.expire_all()
    units = db.session.execute(select(Unit.id, Unit.name, Unit.code)).all()
    users = db.session.execute(select(User.id, User.username, User.role, User.display_name)).all()
    return sorted(units), sorted(users)


def test_liaison_pages_show_no_other_units_tasks(world, client_for):
    client = client_for("liaison")
    own = db.session.get(Task, world["ids"]["own_task"]).title
    co = db.session.get(Task, world["ids"]["co_task"]).title
    other = db.session.get(Task, world["ids"]["other_task"]).title
    for path in ("/", "/plans/{own_plan}".format(**world["ids"])):
        page = client.get(path).get_data(as_text=True)
        assert own in page and co in page, path
        assert other not in page, path
    plans_page = client.get("/plans").get_data(as_text=True)
    zone = db.session.get(Plan, world["ids"]["other_plan"])
    assert zone.title not in plans_page


def test_successor_unit_sees_its_predecessors_tasks(seeded, make_user, login, client):
    """市工信局 succeeded 市经信委: its liaison sees task 12 (lead 市经信委)."""
    user = make_user(Role.LIAISON, "gxj", username="gxj1")
    task12 = db.session.scalar(
        select(Task).where(Task.number == 12, Task.plan.has(key="changfa-2017-29"))
    )
    login(client, user)
    assert client.get(f"/tasks/{task12.id}").status_code == 200
    assert task12.title in client.get("/").get_data(as_text=True)


def test_liaison_without_tasks_in_a_plan_does_not_see_it(seeded, make_user, login, client):
    user = make_user(Role.LIAISON, "gxqcxzx", username="zone1")
    login(client, user)
    page = client.get("/plans").get_data(as_text=True)
    assert "长治高新区双创高质量发展三年行动计划" in page
    assert "长发〔2017〕29号" not in page
