"""The seeds in the database: complete, faithful to the data files, idempotent."""

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.plans.seeding import seed
from tracker.units.models import Unit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _snapshot():
    """Every seeded row as plain values, for before/after comparison."""
    db.session.expire_all()
    rows = {}
    for model in (Unit, Plan, Section, Task, TaskCoUnit, AuditEvent, User):
        table = model.__table__
        rows[table.name] = sorted(
            tuple(str(v) for v in row) for row in db.session.execute(select(table)).all()
        )
    return rows


def test_plans_match_the_data_files(seeded):
    for path in sorted((SEEDS / "plans").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        plan = db.session.scalar(
            select(Plan)
            .where(Plan.key == data["key"])
            .options(
                selectinload(Plan.sections)
                .selectinload(Section.tasks)
                .options(
                    joinedload(Task.lead_unit),
                    selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
                )
            )
        )
        assert plan.doc_number == data["doc_number"]
        assert [s.title for s in plan.sections] == [s["title"] for s in data["sections"]]
        for section, s_data in zip(plan.sections, data["sections"], strict=True):
            assert [
                (
                    t.number,
                    t.title,
                    t.text,
                    t.lead_unit.name,
                    [u.name for u in t.co_units],
                    t.due_date.isoformat(),
                    t.due_phrase,
                )
                for t in section.tasks
            ] == [
                (
                    t["number"],
                    t["title"],
                    t["text"],
                    t["lead_unit"],
                    t["co_units"],
                    t["due_date"],
                    t["due_phrase"],
                )
                for t in s_data["tasks"]
            ]


def test_the_two_plans_have_their_programmes_and_items(seeded):
    counts = dict(
        db.session.execute(
            select(Plan.key, db.func.count(Task.id)).join(Task).group_by(Plan.key)
        ).all()
    )
    assert counts == {"changfa-2017-29": 40, "czgxq-shuangchuang-2021": 47}
    sections = dict(
        db.session.execute(
            select(Plan.key, db.func.count(Section.id)).join(Section).group_by(Plan.key)
        ).all()
    )
    assert sections == {"changfa-2017-29": 7, "czgxq-shuangchuang-2021": 13}


def test_item_33_keeps_its_seven_units_in_order(seeded):
    task = db.session.scalar(
        select(Task)
        .where(Task.number == 33, Task.plan.has(key="changfa-2017-29"))
        .options(
            joinedload(Task.lead_unit), selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit)
        )
    )
    assert task.lead_unit.name == "市发改委"
    assert [u.name for u in task.co_units] == [
        "市财政局",
        "市科技局",
        "市人社局",
        "市中小企业局",
        "市国税局",
        "市地税局",
    ]


def test_successors_are_linked(seeded):
    units = {
        u.name: u for u in db.session.scalars(select(Unit).options(joinedload(Unit.successor)))
    }
    assert units["市经信委"].successor.name == "市工信局"
    assert units["市国税局"].successor is units["市地税局"].successor
    assert units["市中小企业局"].successor is None  # unclear public record: left empty


def test_seeding_twice_changes_nothing(seeded):
    before = _snapshot()
    result = seed()
    db.session.commit()
    assert not result.changed
    assert _snapshot() == before


def test_reseeding_keeps_the_offices_reassignment(seeded):
    task = db.session.scalar(
        select(Task).where(Task.number == 1, Task.plan.has(key="changfa-2017-29"))
    )
    kjj = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    task.lead_unit_id = kjj.id
    task.status = "in_progress"
    db.session.commit()
    seed()
    db.session.commit()
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.lead_unit_id, task.status) == (kjj.id, "in_progress")


def test_every_seeded_task_has_its_history(seeded):
    seeded_events = db.session.scalar(
        select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.seeded")
    )
    assert seeded_events == 87


def test_zone_measures_show_their_provisional_lead_unit(seeded, make_user, login, client):
    """The zone plan names no unit per measure: the issuing centre leads, and says why."""
    from tracker.accounts.models import Role

    task = db.session.scalar(
        select(Task).where(Task.number == 24, Task.plan.has(key="czgxq-shuangchuang-2021"))
    )
    assert task.title == "促进和推进长治市域内高等学校人才、学科、科研三位一体的创新合作和创新能力"
    assert "待专班办公室重新交办" in task.lead_unit_basis
    login(client, make_user(Role.OFFICE, "kjj"))
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "长治高新区创新创业服务中心" in page and "待专班办公室重新交办" in page
    assert "暂定" in client.get(f"/plans/{task.plan_id}").get_data(as_text=True)
    changfa_task = db.session.scalar(
        select(Task).where(Task.number == 1, Task.plan.has(key="changfa-2017-29"))
    )
    assert changfa_task.lead_unit_basis is None  # the 2017 plan names its units
