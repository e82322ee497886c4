"""The flask commands: seed, seed --demo, export json."""

import json

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db


def test_seed_command_is_idempotent(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "'tasks': 87" in first.output
    assert "updated nothing" in first.output  # linking successors is part of creating
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "created nothing; updated nothing" in second.output


def test_seed_demo_creates_the_demo_accounts(runner, login, app):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "demo12345" in result.output
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert {"admin", "office", "leader", "fgw", "kjj"} <= set(users)
    from tracker.units.models import Unit

    kjj = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    assert users["office"].unit_id == kjj.id and users["office"].role == "office"
    assert users["fgw"].role == "liaison"
    assert all(u.is_demo for u in users.values())
    assert "jxw" not in users  # 市经信委 was succeeded by 市工信局, whose liaison is gxj
    assert "gxj" in users
    client = app.test_client()
    assert login(client, "fgw", "demo12345").status_code == 302
    assert "演示" in client.get("/").get_data(as_text=True)
    again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0
    assert "demo: 0 task states set, 0 progress reports added, 0 requests" in again.output


def test_seed_demo_refuses_in_production(app_factory, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    production = app_factory()
    result = production.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code != 0
    assert "production" in result.output
    with production.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_export_json(runner):
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["export", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    # oldest first: 2017-12-06, then the zone plan (published 2020-11-20, no 文号)
    assert [p["doc_number"] for p in data["plans"]] == ["长发〔2017〕29号", None]
    plan = next(p for p in data["plans"] if p["doc_number"] == "长发〔2017〕29号")
    assert set(plan) == {"doc_number", "title", "issuer", "issued_on", "sections"}
    assert plan["issued_on"] == "2017-12-06"
    assert len(plan["sections"]) == 7
    task6 = plan["sections"][1]["tasks"][0]
    assert set(task6) == {"number", "title", "lead_unit", "co_units", "due_date", "status"}
    assert (task6["number"], task6["lead_unit"], task6["co_units"]) == (
        6,
        "市经信委",
        ["市科技局", "市中小企业局"],
    )
    assert task6["due_date"] == "2020-12-31" and task6["status"] == "pending"
    zone = next(p for p in data["plans"] if p["doc_number"] is None)
    assert sum(len(s["tasks"]) for s in zone["sections"]) == 47
    assert {t["lead_unit"] for s in zone["sections"] for t in s["tasks"]} == {
        "长治高新区创新创业服务中心"
    }
