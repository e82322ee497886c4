"""The task page names units and leaders by typing (issue 13): the assign form's lead unit
and the office's leader box are text fields completed from the page's datalists (one of
units, one of leaders) instead of a 2,000-unit and a ≈1,000-leader menu; the server
resolves the names with the pickers' messages. A liaison's page reads the unit map once."""

from datetime import datetime

from freezegun import freeze_time
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.plans.people import queries
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit


def _at(year, month, day):
    return freeze_time(datetime(year, month, day, 10, tzinfo=LOCAL_TZ))


def _task(number, plan_key="changfa-2017-29"):
    return db.session.scalar(
        select(Task).where(Task.number == number, Task.plan.has(Plan.key == plan_key))
    )


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def test_the_assign_form_types_the_lead_unit(world, as_role):
    measure = _task(1, "czgxq-shuangchuang-2021")
    named = db.session.get(Unit, measure.lead_unit_id).name
    with _at(2026, 11, 2):
        office = as_role("office")
        page = office.get(f"/tasks/{measure.id}").get_data(as_text=True)
        assert '<select id="lead_unit_id"' not in page and 'list="units"' in page
        assert page.count('<datalist id="units"') == 1
        assert f'value="{named}"' in page  # the named lead unit, written in the box
        retired = office.post(f"/tasks/{measure.id}/assign", data={"lead_unit_id": "市经信委"})
        assert retired.status_code == 400
        form_page = retired.get_data(as_text=True)
        assert "its work answers to 市工信局" in form_page
        assert form_page.count('<datalist id="units"') == 1
        unknown = office.post(f"/tasks/{measure.id}/assign", data={"lead_unit_id": "市不存在局"})
        assert unknown.status_code == 400
        assert "No unit is called “市不存在局”" in unknown.get_data(as_text=True)
        done = office.post(f"/tasks/{measure.id}/assign", data={"lead_unit_id": "kjj"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, measure.id).lead_unit_id == _unit("kjj").id


def test_an_empty_lead_unit_keeps_the_named_one(world, as_role):
    own = db.session.get(Task, world["ids"]["own_task"])
    lead = own.lead_unit_id
    with _at(2026, 9, 28):
        response = as_role("office").post(f"/tasks/{own.id}/assign", data={"lead_unit_id": ""})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, own.id)
    assert (task.status, task.lead_unit_id) == ("assigned", lead)


def test_the_task_leader_is_typed(world, as_role, make_user):
    first = world["users"]["leader"]
    twin = make_user(Role.LEADER, username="leader2")
    twin.display_name = first.display_name  # two leaders share a name
    other = make_user(Role.LEADER, username="leader3")
    other.display_name = "王副市长"
    db.session.commit()
    own = world["ids"]["own_task"]
    office = as_role("office")
    page = office.get(f"/tasks/{own}").get_data(as_text=True)
    assert '<select id="task-leader-id"' not in page and 'list="leaders"' in page
    assert page.count('<datalist id="leaders"') == 1
    assert '<option value="王副市长">' in page  # a name one leader has: alone
    assert f'<option value="{first.display_name} (leader1)">' in page  # a shared one: + account

    def say(typed):
        return office.post(f"/tasks/{own}/leader", data={"leader_id": typed}, follow_redirects=True)

    assert "add the account" in say(first.display_name).get_data(as_text=True)
    assert "No active leader is called “无名氏”." in say("无名氏").get_data(as_text=True)
    assert queries.task_people(db.session.get(Task, own)).own_leader_id is None
    assert "Leader in charge saved." in say("王副市长").get_data(as_text=True)
    db.session.expire_all()
    assert queries.task_people(db.session.get(Task, own)).own_leader_id == other.id
    page = office.get(f"/tasks/{own}").get_data(as_text=True)
    assert 'id="task-leader-id"' in page and 'value="王副市长"' in page
    say("")  # empty: the task inherits again
    db.session.expire_all()
    assert queries.task_people(db.session.get(Task, own)).own_leader_id is None


def test_only_the_office_gets_the_forms_and_their_lists(world, as_role):
    own = world["ids"]["own_task"]
    for role in ("liaison", "leader", "admin"):
        page = as_role(role).get(f"/tasks/{own}").get_data(as_text=True)
        assert "<datalist" not in page, role
        assert as_role(role).post(f"/tasks/{own}/leader", data={"leader_id": "x"}).status_code in (
            403,
            404,
        )


def test_a_liaison_page_reads_the_unit_map_once(world, as_role, count_statements):
    """Three rules ask for the liaison's unit scope (may it see the task, the history, the
    reports): the successor map is read once a request."""
    liaison = as_role("liaison")
    own = world["ids"]["own_task"]
    liaison.get(f"/tasks/{own}")
    with count_statements() as counter:
        assert liaison.get(f"/tasks/{own}").status_code == 200
    maps = [s for s in counter.statements if " ".join(s.split()).startswith(
        "SELECT unit.id, unit.successor_id FROM unit")]  # fmt: skip
    assert len(maps) <= 1


def test_the_task_page_names_a_reorganised_lead_unit_by_its_successor(world, as_role):
    """Task 12 is led by 市经信委, now 市工信局: shown as the successor with its history;
    a task whose units were not reorganised is named from the loaded units."""
    office = as_role("office")
    page = office.get(f"/tasks/{_task(12).id}").get_data(as_text=True)
    lead = page[page.index('data-testid="lead-unit"') :][:300]
    assert "市工信局" in lead and "市经信委" in lead
    own = db.session.get(Task, world["ids"]["own_task"])
    name = db.session.get(Unit, own.lead_unit_id).name
    page = office.get(f"/tasks/{own.id}").get_data(as_text=True)
    assert name in page[page.index('data-testid="lead-unit"') :][:300]
