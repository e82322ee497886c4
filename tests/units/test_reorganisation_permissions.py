"""Every route of the reorganisation pages and the unit categories, every role
(docs/reorganisations.md, docs/permissions.md): the office and the admin record
reorganisations, confirm open successors and route tasks; only the admin edits categories;
leaders and liaisons get 403. A refused request writes nothing."""

import pytest
from sqlalchemy import func, select
from support.permission_matrix import PAGE, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Task, TaskUnitChange
from tracker.units.models import Reorganisation, Succession, Unit, UnitCategory

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
ENDPOINTS = {
    "reorganisations.index",
    "reorganisations.new",
    "reorganisations.confirm",
    "reorganisations.route",
    "units.categories",
    "units.category_edit",
}
BOTH = {"office": PAGE, "admin": PAGE}
RECORD = {"title": "测试机构改革", "effective_on": "2024-03-01", "unit_id": "{zwfwzx}",
          "successor_1": "{fgw}", "successor_2": "0", "successor_3": "0"}  # fmt: skip
CATEGORY = {}  # the edited category's id: its form fields carry it (prefix c<id>-)
ROUTE = "/reorganisations/{reform}/units/{jxw}/route"

CASES = [
    ("GET", "/reorganisations", None, expect(**BOTH)),
    ("GET", "/reorganisations/new", None, expect(**BOTH)),
    ("POST", "/reorganisations/new", RECORD, expect(office=WRITE, admin=WRITE)),
    (
        "POST",
        "/successions/{open}/confirm",
        {"successor_id": "0"},
        expect(office=WRITE, admin=WRITE),
    ),  # fmt: skip
    ("POST", "/successions/999999/confirm", {"successor_id": "0"}, expect(office=404, admin=404)),
    ("GET", ROUTE, None, expect(**BOTH)),
    ("GET", "/reorganisations/{reform}/units/{fgw}/route", None, expect(office=404, admin=404)),
    ("POST", ROUTE, {"all_remaining": "{gxj}"}, expect(office=WRITE, admin=WRITE)),
    ("GET", "/units/categories", None, expect(admin=PAGE)),
    ("POST", "/units/categories", {"name": "县直单位", "position": "7"}, expect(admin=WRITE)),
    (
        "POST",
        "/units/categories/{category}",
        lambda: {f"c{CATEGORY['id']}-name": "市直单位"},
        expect(admin=WRITE),
    ),  # fmt: skip
]


@pytest.fixture
def ids(world):
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    reform = db.session.scalar(
        select(Reorganisation.id).where(Reorganisation.title == "2019年长治市市级党政机构改革")
    )
    open_row = db.session.scalar(select(Succession.id).where(Succession.unit_id == units["zxqyj"]))
    category = db.session.scalar(select(UnitCategory.id).where(UnitCategory.name == "市直部门"))
    CATEGORY["id"] = category
    return {**world["ids"], **units, "reform": reform, "open": open_row, "category": category}


def snapshot():
    db.session.expire_all()
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Reorganisation, Succession, TaskUnitChange, UnitCategory, AuditEvent)
    )
    leads = db.session.execute(select(Task.id, Task.lead_unit_id)).all()
    names = db.session.scalars(select(UnitCategory.name)).all()
    links = db.session.execute(select(Succession.id, Succession.successor_id)).all()
    return counts, sorted(leads), sorted(names), sorted(links)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client_for, ids, role):
    run_matrix(CASES, role, client_for=client_for, ids=ids, snapshot=snapshot, fresh_client=True)


def test_every_endpoint_is_in_the_matrix(app):
    prefixes = ("reorganisations.", "units.categor")
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(prefixes)}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS
