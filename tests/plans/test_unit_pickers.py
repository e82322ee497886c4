"""Units typed by name or code instead of chosen from a 2,000-option menu (issue 13): the
task forms, the reorganisation form, the admin's user, unit, robot and service-token forms.

Each field: a name is saved as the unit's id, the short code too, an unknown name is refused
with the closest names and nothing saved, a name two units share is refused, a retired unit
(successor set) is refused where only current units could be chosen; each page carries the
unit names once (one `<datalist id="units">`), however many fields name a unit.

`world`: liaison = 市发改委 (fgw), other_liaison = 市科技局 (kjj); 市经信委 (jxw) was
reorganised into 市工信局 (gxj)."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tracker.api.models import ApiToken
from tracker.extensions import db
from tracker.plans.models import Task, TaskCoUnit
from tracker.supervision.models import UnitWebhook
from tracker.units.forms import resolve_units, split_names
from tracker.units.models import Succession, Unit

TODAY = date(2026, 3, 12)


@pytest.fixture
def units(world):
    return {u.code: u for u in db.session.scalars(select(Unit))}


@pytest.fixture
def office(client_for, monkeypatch):
    monkeypatch.setattr("tracker.plans.intake_views.today", lambda: TODAY)
    client = client_for("office")
    client.set_cookie("tracker_lang", "en")
    return client


@pytest.fixture
def admin(client_for):
    client = client_for("admin")
    client.set_cookie("tracker_lang", "en")
    return client


def _quick(office, lead, co="", title="市长批示：研究孵化器用地"):
    return office.post(
        "/intake/quick",
        data={"kind": "instruction", "title": title, "lead_unit_id": lead, "co_unit_ids": co},
    )


def _entered(title="市长批示：研究孵化器用地"):
    return db.session.scalar(select(Task).where(Task.title == title))


def _co_units(task_id):
    return list(
        db.session.scalars(
            select(TaskCoUnit.unit_id)
            .where(TaskCoUnit.task_id == task_id)
            .order_by(TaskCoUnit.position)
        )
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("市发改委、市科技局", ["市发改委", "市科技局"]),
        ("市发改委，市科技局,市财政局", ["市发改委", "市科技局", "市财政局"]),
        ("市发改委\n市科技局；市发改委", ["市发改委", "市科技局"]),
        (" 、 ", []),
    ],
)
def test_split_names(text, names):
    assert split_names(text) == names


def test_quick_entry_takes_names_and_codes_in_order(office, units):
    response = _quick(office, "市发改委", "KJJ\n" + units["gxj"].name)
    assert response.status_code == 302
    task = _entered()
    assert task.lead_unit_id == units["fgw"].id
    assert _co_units(task.id) == [units["kjj"].id, units["gxj"].id]


def test_an_unknown_name_is_refused_with_the_closest_names(office, units):
    response = _quick(office, "市发改", "市科技局")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No unit is called “市发改”. Did you mean:" in page
    assert "“市发改委”" in page
    assert 'value="市发改"' in page  # what was typed comes back
    assert _entered() is None


def test_every_unknown_co_unit_is_named(office):
    page = _quick(office, "市发改委", "市科技局、无此单位甲、无此单位乙").get_data(as_text=True)
    assert "无此单位甲" in page and "无此单位乙" in page
    assert _entered() is None


def test_a_name_several_units_share_is_refused(office, units):
    units["fgw"].full_name = "联合办公室"
    units["kjj"].full_name = "联合办公室"
    db.session.commit()
    page = _quick(office, "联合办公室").get_data(as_text=True)
    assert "“联合办公室” names several units" in page
    assert _entered() is None
    # a full name only one unit has is enough
    units["kjj"].full_name = "长治市科学技术局"
    db.session.commit()
    assert _quick(office, "长治市科学技术局").status_code == 302
    assert _entered().lead_unit_id == units["kjj"].id


def test_a_retired_unit_is_refused_naming_its_successor(office, units):
    assert units["jxw"].successor_id == units["gxj"].id
    page = _quick(office, "市经信委").get_data(as_text=True)
    assert "市经信委 was reorganised: its work answers to 市工信局" in page
    assert _entered() is None
    page = _quick(office, "市发改委", "jxw").get_data(as_text=True)
    assert "its work answers to 市工信局" in page
    assert _entered() is None


def test_another_name_of_a_unit_is_accepted(office, units):
    units["kjj"].aliases = ["科技局"]
    db.session.commit()
    assert _quick(office, "科技局").status_code == 302
    assert _entered().lead_unit_id == units["kjj"].id


def test_resolve_units_reads_one_statement_for_known_names(app, world, count_statements):
    with count_statements() as counter:
        ids, problems = resolve_units(["市发改委", "kjj", "市财政局"])
    assert problems == [] and len(ids) == 3
    assert counter.count == 1


def test_task_edit_reassign_and_split_take_typed_units(office, world, units):
    task_id = world["ids"]["own_task"]
    task = db.session.get(Task, task_id)
    task.status = "pending"
    db.session.commit()
    page = office.get(f"/intake/tasks/{task_id}/edit").get_data(as_text=True)
    assert re.search(
        r'name="lead_unit_id"[^>]*value="市发改委"|value="市发改委"[^>]*name="lead_unit_id"', page
    )
    response = office.post(
        f"/intake/tasks/{task_id}/edit",
        data={"title": task.title, "lead_unit_id": "kjj", "co_unit_ids": "市发改委"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task_id).lead_unit_id == units["kjj"].id
    assert _co_units(task_id) == [units["fgw"].id]
    # a change step refused: the message comes back on the edit page, nothing changes
    office.post(f"/intake/tasks/{task_id}/reassign",
                data={"lead_unit_id": "无此单位", "reason": "职能划转"})  # fmt: skip
    page = office.get(f"/intake/tasks/{task_id}/edit").get_data(as_text=True)
    assert "No unit is called “无此单位”" in page
    db.session.expire_all()
    assert db.session.get(Task, task_id).lead_unit_id == units["kjj"].id
    office.post(f"/intake/tasks/{task_id}/split",
                data={"title_0": "市区部分", "lead_0": "市发改委", "title_1": "园区部分",
                      "lead_1": "gxj"})  # fmt: skip
    subs = dict(
        db.session.execute(
            select(Task.title, Task.lead_unit_id).where(Task.parent_id == task_id)
        ).all()
    )
    assert subs == {"市区部分": units["fgw"].id, "园区部分": units["gxj"].id}


def _bulk_units(n: int) -> None:
    db.session.add_all(
        Unit(name=f"测试单位{i:04d}", code="zz" + "".join(chr(97 + int(d)) for d in f"{i:04d}"),
             kind="gov_dept")
        for i in range(n)
    )  # fmt: skip
    db.session.commit()


def test_the_unit_names_are_on_each_page_once(office, admin, world, units):
    """The task edit page had 7 menus of every unit; now one datalist: a unit added adds one
    option to each page, and no page repeats the list."""
    task_id = world["ids"]["own_task"]
    pages = {
        "task": (office, f"/intake/tasks/{task_id}/edit"),
        "quick": (office, "/intake/quick"),
        "reorganisation": (office, "/reorganisations/new"),
        "user": (admin, "/admin/users/new"),
        "unit": (admin, "/units/new"),
        "robots": (admin, "/admin/webhooks"),
        "tokens": (admin, "/admin/service-tokens"),
    }
    before = {k: len(c.get(p).get_data()) for k, (c, p) in pages.items()}
    _bulk_units(300)
    for key, (client, path) in pages.items():
        page = client.get(path).get_data(as_text=True)
        assert page.count("<datalist") <= 1, key
        assert page.count("测试单位0299") <= 1, key
        grown = len(page.encode()) - before[key]
        assert grown <= 300 * 50, (key, grown)  # one ≈ 40-byte option a unit, at most
    token_page = admin.get("/admin/service-tokens").get_data(as_text=True)
    assert "测试单位0299" not in token_page  # the token's units are typed without a list


def test_the_reorganisation_form_takes_typed_units(office, units):
    data = {"title": "测试机构改革", "effective_on": "2024-03-01", "unit_id": "市财政局",
            "successor_1": "fgw", "successor_2": "", "successor_3": ""}  # fmt: skip
    refused = office.post("/reorganisations/new", data={**data, "successor_1": "市经信委"})
    assert "its work answers to 市工信局" in refused.get_data(as_text=True)
    assert office.post("/reorganisations/new", data=data).status_code == 302
    row = db.session.scalar(select(Succession).where(Succession.unit_id == units["czj"].id))
    assert row.successor_id == units["fgw"].id
    # the unit reorganised may itself be a retired one (the old menu listed every unit)
    again = {**data, "title": "再次改革", "unit_id": "市经信委", "successor_1": "kjj"}
    assert office.post("/reorganisations/new", data=again).status_code == 302


def test_the_admin_types_a_users_unit(admin, units):
    form = {"username": "liaison9", "display_name": "联络员九", "role": "liaison",
            "unit_id": "市科技局", "password": "Very-long-pass-9!", "active": "y"}  # fmt: skip
    refused = admin.post("/admin/users/new", data={**form, "unit_id": "市科委"})
    assert "No unit is called “市科委”" in refused.get_data(as_text=True)
    assert admin.post("/admin/users/new", data=form).status_code == 302
    from tracker.accounts.models import User

    user = db.session.scalar(select(User).where(User.username == "liaison9"))
    assert user.unit_id == units["kjj"].id
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="市科技局"' in page


def test_the_admin_types_a_units_successor(admin, units):
    form = {"name": "市测试局", "code": "csj", "kind": "gov_dept", "successor_id": "市工信局",
            "category_id": "0"}  # fmt: skip
    refused = admin.post("/units/new", data={**form, "successor_id": "市工信"})
    assert "Did you mean" in refused.get_data(as_text=True)
    assert admin.post("/units/new", data=form).status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "csj"))
    assert unit.successor_id == units["gxj"].id
    page = admin.get(f"/units/{unit.id}/edit").get_data(as_text=True)
    assert 'value="市工信局"' in page
    assert (
        admin.post(f"/units/{unit.id}/edit", data={**form, "successor_id": ""}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).successor_id is None


def test_robots_and_service_tokens_take_typed_units(admin, units):
    hook = {"unit_id": "市发改委", "kind": "wecom",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}  # fmt: skip
    refused = admin.post("/admin/webhooks", data={**hook, "unit_id": "市经信委"})
    assert refused.status_code == 400
    assert db.session.scalar(select(UnitWebhook)) is None
    assert admin.post("/admin/webhooks", data=hook).status_code == 302
    assert db.session.scalar(select(UnitWebhook.unit_id)) == units["fgw"].id
    token = {"name": "数据中台", "owner": "office1", "scope": "read",
             "unit_ids": "市科技局、fgw"}  # fmt: skip
    refused = admin.post("/admin/service-tokens", data={**token, "unit_ids": "市科技局、乱写"})
    assert refused.status_code == 400 and "No unit is called “乱写”" in refused.get_data(
        as_text=True
    )
    assert admin.post("/admin/service-tokens", data=token).status_code == 200
    saved = db.session.scalar(select(ApiToken).where(ApiToken.name == "数据中台"))
    assert sorted(saved.unit_ids) == sorted([units["kjj"].id, units["fgw"].id])


def test_an_open_successor_is_confirmed_by_typing_it(office, units):
    rows = db.session.scalars(select(Succession).where(Succession.successor_id.is_(None))).all()
    page = office.get("/reorganisations").get_data(as_text=True)
    assert page.count("<datalist") == 1 and page.count('list="units"') == len(rows)
    target = next(r for r in rows if r.unit_id == units["zwfwzx"].id)
    refused = office.post(f"/successions/{target.id}/confirm", data={"successor_id": "jxw"},
                          follow_redirects=True)  # fmt: skip
    assert "its work answers to 市工信局" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Succession, target.id).successor_id is None
    office.post(f"/successions/{target.id}/confirm", data={"successor_id": "市发改委"})
    db.session.expire_all()
    assert db.session.get(Succession, target.id).successor_id == units["fgw"].id
