"""Every route of the scoring blueprint, every role.

Office, leader and admin read every scorecard and export; a liaison reads its own unit's
ledger only (another unit's is "not found", 404) and the rules; only the office computes,
adjusts and changes the rules. A refused request writes nothing.

`world`: liaison = 市发改委 (fgw), other_liaison = 市科技局 (kjj).
"""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from support.permission_matrix import PAGE, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.scoring import services
from tracker.scoring.models import ScoreAdjustment, Scorecard, ScoreRuleSet
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "scoring.index",
    "scoring.unit_card",
    "scoring.compute",
    "scoring.adjust",
    "scoring.rule_page",
    "scoring.export_json",
    "scoring.export_xlsx",
}


READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}
EVERYONE = {**READERS, "liaison": PAGE, "other_liaison": PAGE}
RULES = {**services.default_rules()["amounts"], "effective_from": "2027-01", "note": "调整"}

CASES = [
    ("GET", "/scores", None, expect(**READERS)),
    ("GET", "/scores?period=2026-Q3", None, expect(**READERS)),
    ("GET", "/scores?page=3", None, expect(**READERS)),
    ("GET", "/scores/units/{fgw}?page=2", None, expect(**READERS, liaison=PAGE, other_liaison=404)),
    ("GET", "/scores?period=2026-13", None, expect(admin=400, office=400, leader=400)),
    ("GET", "/scores/units/{fgw}", None, expect(**READERS, liaison=PAGE, other_liaison=404)),
    ("GET", "/scores/units/{kjj}", None, expect(**READERS, liaison=404, other_liaison=PAGE)),
    (
        "GET",
        "/scores/units/999999",
        None,
        expect(admin=404, office=404, leader=404, liaison=404, other_liaison=404),
    ),
    ("POST", "/scores/compute", {"period": "2026-09"}, expect(office=WRITE)),
    (
        "POST",
        "/scores/adjustments",
        {"period": "2026-09", "unit_id": "{fgw}", "amount": "1", "reason": "表扬"},
        expect(office=WRITE),
    ),
    ("GET", "/scores/rules", None, expect(**EVERYONE)),
    ("POST", "/scores/rules", RULES, expect(office=WRITE)),
    ("GET", "/scores/export.json?period=2026-09", None, expect(**READERS)),
    ("GET", "/scores/export.xlsx?period=2026-09", None, expect(**READERS)),
]


@pytest.fixture
def unit_ids(world):
    services.ensure_default_rule_set()
    db.session.commit()
    return {u.code: u.id for u in db.session.scalars(select(Unit))}


def snapshot():
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Scorecard, ScoreAdjustment, ScoreRuleSet, AuditEvent)
    ) + (db.session.scalar(select(func.max(Scorecard.computed_at))),)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client_for, unit_ids, role):
    """Only a write changes anything: reads and refusals leave every count as it was."""
    run_matrix(
        CASES,
        role,
        client_for=client_for,
        ids=unit_ids,
        snapshot=snapshot,
        fresh_client=True,
        reads_change_nothing=True,
    )


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("scoring.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_a_liaison_sees_only_its_own_ledger(app, world, login, unit_ids):
    services.add_adjustment(
        world["users"]["office"], "2026-09", unit_ids["kjj"], Decimal("-2"), "科技局的扣分理由"
    )
    services.store_month("2026-09", __import__("datetime").date(2026, 10, 10))
    db.session.commit()
    client = app.test_client()
    login(client, world["users"]["liaison"])
    other = client.get(f"/scores/units/{unit_ids['kjj']}?period=2026-09")
    assert other.status_code == 404
    assert "科技局的扣分理由" not in other.get_data(as_text=True)
    own = client.get(f"/scores/units/{unit_ids['fgw']}?period=2026-09")
    assert own.status_code == 200
    assert "科技局的扣分理由" not in own.get_data(as_text=True)
