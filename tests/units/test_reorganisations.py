"""Reorganisations with dates and splits (issue 14, item 5; docs/reorganisations.md): the
seeded records, successors to confirm on the directory, recording a split, and the office's
wizard routing each open task of the old unit to one of its successors as a reassignment."""

import pytest
from sqlalchemy import func, select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskCoUnit, TaskUnitChange
from tracker.units.models import Reorganisation, Succession, Unit, UnitCategory

REFORM_2019 = "2019年长治市市级党政机构改革"


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def task(number: int) -> Task:
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    return db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == number))


def co_units(task_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(TaskCoUnit.unit_id)
            .where(TaskCoUnit.task_id == task_id)
            .order_by(TaskCoUnit.position)
        )
    )


@pytest.fixture
def energy(seeded):
    """市能源局: a new unit that takes 市经信委's energy work."""
    new = Unit(name="市能源局", code="nyj", kind="gov_dept", aliases=[])
    db.session.add(new)
    db.session.commit()
    return new


@pytest.fixture
def office(client_for):
    return client_for("office")


def record_split(office, energy):
    return office.post(
        "/reorganisations/new",
        data={
            "title": REFORM_2019,
            "doc_number": "长发〔2019〕1号",
            "effective_on": "2019-01-28",
            "unit_id": unit("jxw").id,
            "successor_1": unit("gxj").id,
            "duties_1": "其余职责",
            "successor_2": energy.id,
            "duties_2": "能源工作",
            "successor_3": 0,
        },
    )


def test_the_seed_records_reorganisations_categories_and_open_successors(seeded):
    titles = set(db.session.scalars(select(Reorganisation.title)))
    assert REFORM_2019 in titles and "2018年国税地税征管体制改革" in titles
    open_units = set(
        db.session.scalars(
            select(Unit.name)
            .join(Succession, Succession.unit_id == Unit.id)
            .where(Succession.successor_id.is_(None))
        )
    )
    assert open_units == {"市中小企业局", "市政务服务中心", "市地方金融监管局"}
    assert unit("jxw").successor_id == unit("gxj").id  # the main successor, as before
    assert unit("zxqyj").successor_id is None  # not guessed
    category = db.session.get(UnitCategory, unit("shuiwj").category_id)
    assert category.name == "中央和省驻长单位"
    assert db.session.get(UnitCategory, unit("gxqgwh").category_id).name == "开发区"


def test_the_directory_shows_open_successors_as_to_confirm(world, client_for):
    page = client_for("liaison").get("/units").get_data(as_text=True)
    assert page.count('data-testid="to-confirm"') == 3
    assert REFORM_2019 in page


def test_the_office_records_a_split_and_routes_each_open_task(world, office, energy):
    assert record_split(office, energy).status_code == 302
    rows = db.session.scalars(
        select(Succession).where(Succession.unit_id == unit("jxw").id).order_by(Succession.id)
    ).all()
    assert [(r.successor_id, r.duties, r.is_main) for r in rows] == [
        (unit("gxj").id, "其余职责", True),
        (energy.id, "能源工作", False),
    ]
    reorganisation = db.session.scalar(
        select(Reorganisation).where(Reorganisation.title == REFORM_2019)
    )
    assert str(reorganisation.effective_on) == "2019-01-28"
    path = f"/reorganisations/{reorganisation.id}/units/{unit('jxw').id}/route"
    page = office.get(path).get_data(as_text=True)
    assert page.count('name="route-') == 7  # lead of 6, 12, 32; co-unit of 11, 13, 15, 25

    jxw, gxj = unit("jxw").id, unit("gxj").id
    t12, t13, t6 = task(12), task(13), task(6)
    response = office.post(
        path,
        data={f"route-{t12.id}": energy.id, f"route-{t13.id}": energy.id, "all_remaining": gxj},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert task(12).lead_unit_id == energy.id
    assert co_units(t13.id) == [energy.id]  # the co-unit's part goes to the successor
    assert task(6).lead_unit_id == gxj  # routed by "all remaining"
    assert co_units(t6.id) == [unit("kjj").id, unit("zxqyj").id]
    # 市金融办 (task 25's lead) answered through 市地方金融监管局 already: now named so
    assert task(25).lead_unit_id == unit("dfjrjgj").id
    left = db.session.scalar(
        select(func.count())
        .select_from(Task)
        .where(
            (Task.lead_unit_id == jxw)
            | Task.id.in_(select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id == jxw))
        )  # fmt: skip
    )
    assert left == 0
    # the reassignment history: the owed rule, alerts and scores follow it
    removed = db.session.scalars(
        select(TaskUnitChange.task_id).where(
            TaskUnitChange.unit_id == jxw, TaskUnitChange.change == "removed"
        )
    ).all()
    assert len(removed) == 7
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "task.reassigned", AuditEvent.subject_id == t12.id
        )
    ).all()
    assert len(events) == 1
    assert events[0].detail["reason"] == f"{REFORM_2019}（长发〔2019〕1号）：能源工作"
    assert events[0].detail["lead_from"] == "市经信委"
    assert 'data-testid="no-open-tasks"' in office.get(path).get_data(as_text=True)


def test_routing_refuses_a_unit_outside_the_record_and_writes_nothing(world, office, energy):
    record_split(office, energy)
    reorganisation = db.session.scalar(
        select(Reorganisation).where(Reorganisation.title == REFORM_2019)
    )
    path = f"/reorganisations/{reorganisation.id}/units/{unit('jxw').id}/route"
    before = db.session.scalar(select(func.count()).select_from(TaskUnitChange))
    t12 = task(12)
    response = office.post(path, data={f"route-{t12.id}": unit("kjj").id})
    assert response.status_code == 200
    assert "只能选择现有单位" in response.get_data(as_text=True)
    nothing = office.post(path, data={"all_remaining": ""})
    assert nothing.status_code == 200
    assert 'class="flash flash-error"' in nothing.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TaskUnitChange)) == before
    assert task(12).lead_unit_id == unit("jxw").id


def test_recording_refuses_a_superseded_successor(world, office):
    response = office.post(
        "/reorganisations/new",
        data={
            "title": "测试改革",
            "effective_on": "2020-01-01",
            "unit_id": unit("kjj").id,
            "successor_1": unit("jxw").id,  # itself replaced in 2019
            "successor_2": 0,
            "successor_3": 0,
        },
    )
    assert response.status_code == 200
    assert (
        db.session.scalar(select(Reorganisation).where(Reorganisation.title == "测试改革")) is None
    )


@pytest.mark.parametrize("bad", ["2019-13-01", "", "明年"])
def test_recording_needs_a_real_date(world, office, bad):
    response = office.post(
        "/reorganisations/new",
        data={"title": "测试改革", "effective_on": bad, "unit_id": unit("kjj").id,
              "successor_1": unit("gxj").id, "successor_2": 0, "successor_3": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Reorganisation)) == 3


def test_the_office_confirms_open_successors(world, office):
    rows = {
        s.unit_id: s
        for s in db.session.scalars(select(Succession).where(Succession.successor_id.is_(None)))
    }
    small, service = rows[unit("zxqyj").id].id, rows[unit("zwfwzx").id].id
    assert office.post(f"/successions/{small}/confirm", data={"successor_id": 0}).status_code == 302
    response = office.post(f"/successions/{service}/confirm", data={"successor_id": unit("fgw").id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Succession, small) is None  # the unit continues
    assert unit("zxqyj").successor_id is None
    assert db.session.get(Succession, service).successor_id == unit("fgw").id
    assert unit("zwfwzx").successor_id == unit("fgw").id
    again = office.post(f"/successions/{service}/confirm", data={"successor_id": 0})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Succession, service) is not None  # already confirmed: refused


def test_the_routing_page_runs_a_constant_number_of_statements(
    world, office, energy, count_statements
):
    record_split(office, energy)
    reorganisation = db.session.scalar(
        select(Reorganisation).where(Reorganisation.title == REFORM_2019)
    )
    path = f"/reorganisations/{reorganisation.id}/units/{unit('jxw').id}/route"

    def count() -> int:
        with count_statements() as counter:
            assert office.get(path).status_code == 200
        return counter.count

    few = count()
    template = task(12)
    for number in range(900, 940):
        extra = Task(plan_id=template.plan_id, section_id=template.section_id, number=number,
                     title=f"任务{number}", text="…", lead_unit_id=unit("jxw").id,
                     status="assigned")  # fmt: skip
        extra.co_unit_links = [TaskCoUnit(unit_id=unit("kjj").id, position=1)]
        db.session.add(extra)
    db.session.commit()
    assert count() == few


def test_the_reorganisation_list_runs_a_constant_number_of_statements(
    world, office, count_statements
):
    def count() -> int:
        with count_statements() as counter:
            assert office.get("/reorganisations").status_code == 200
        return counter.count

    few = count()
    units = db.session.scalars(select(Unit).where(Unit.successor_id.is_(None))).all()
    for i in range(10):
        reform = Reorganisation(title=f"测试改革{i}")
        reform.successions = [
            Succession(unit_id=units[i].id, successor_id=units[i + 1].id, is_main=True),
            Succession(unit_id=units[i + 1].id, successor_id=None),
        ]
        db.session.add(reform)
    db.session.commit()
    assert count() == few
