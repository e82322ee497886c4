"""People (issue 14): the leader in charge is inherited task ← section ← plan, "我分管的" puts
red work first, units name their responsible persons, and the 挂图作战 chart shows every
task once at a constant cost."""

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from tests.support.clock import at, on
from tracker.accounts.models import Role
from tracker.audit import AuditEvent
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.milestones.pace import refresh_pace
from tracker.plans.models import Plan, Section, Task
from tracker.plans.people import queries, services
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.units.models import Unit

DAY = date(2026, 11, 20)


@pytest.fixture
def leaders(world, make_user):
    """leader1 (world's leader) and a second leader, leader2."""
    return world["users"]["leader"], make_user(Role.LEADER, username="leader2")


def _plan(world):
    return db.session.get(Plan, world["ids"]["own_plan"])


def _task(world, name="own_task"):
    return db.session.get(Task, world["ids"][name])


def _assign_all(plan_id):
    db.session.execute(update(Task).where(Task.plan_id == plan_id).values(status="assigned"))
    db.session.commit()


def test_the_leader_in_charge_is_inherited_task_then_section_then_plan(world, leaders):
    first, second = leaders
    office = world["users"]["office"]
    plan, task = _plan(world), _task(world)
    section = db.session.get(Section, task.section_id)
    assert queries.task_people(task).leader_id is None

    services.set_leader(plan, first.id, office)
    db.session.commit()
    people = queries.task_people(task)
    assert (people.leader_id, people.source) == (first.id, "plan")

    services.set_leader(section, second.id, office)
    db.session.commit()
    assert (queries.task_people(task).leader_id, queries.task_people(task).source) == (
        second.id,
        "section",
    )
    services.set_leader(task, first.id, office)
    db.session.commit()
    assert queries.task_people(task).source == "task"

    # every task of the plan has exactly one leader; the section's tasks go to `second`
    rows, in_charge = queries.task_leaders([plan.id], queries.load_leaders())
    for row in rows:
        expected = first.id if row.id == task.id or row.section_id != section.id else second.id
        assert in_charge[row.id] == expected, row.number

    # clearing the task's own leader lets it inherit again; each change is on the timeline
    services.set_leader(task, None, office)
    db.session.commit()
    assert queries.task_people(task).leader_id == second.id
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("%.leader_set"))
    ).all()
    assert sorted(events) == [
        "plan.leader_set",
        "section.leader_set",
        "task.leader_set",
        "task.leader_set",
    ]
    assert (
        db.session.scalar(select(LeaderInCharge).where(LeaderInCharge.task_id == task.id)) is None
    )


def test_only_an_active_leader_can_be_named(world, leaders):
    office = world["users"]["office"]
    with pytest.raises(StepRefused) as refused:
        services.set_leader(_plan(world), office.id, office)
    assert refused.value.key == "people_not_a_leader"
    db.session.rollback()
    assert db.session.scalar(select(LeaderInCharge)) is None


@at("2026-11-20 02:00:00")
def test_my_tasks_in_charge_put_red_first_then_by_due_date(world, leaders, client_for):
    first, _second = leaders
    plan = _plan(world)
    services.set_leader(plan, first.id, world["users"]["office"])
    db.session.commit()
    # one red task (open, due 2020) among tasks not yet assigned elsewhere in the plan
    db.session.execute(
        update(Task).where(Task.plan_id == plan.id).values(due_date=date(2027, 6, 30))
    )
    db.session.execute(
        update(Task)
        .where(Task.id == world["ids"]["co_task"])
        .values(status="assigned", due_date=date(2026, 11, 1))
    )
    db.session.execute(
        update(Task)
        .where(Task.id == world["ids"]["other_task"])
        .values(due_date=date(2026, 11, 24))
    )
    db.session.commit()
    client = client_for("leader")
    client.set_cookie("tracker_lang", "en")
    page = client.get("/leading").get_data(as_text=True)
    order = [
        int(x)
        for x in __import__("re").findall(
            r'data-testid="leading-row" data-light="\w+" data-task="(\d+)"', page
        )
    ]
    assert order[0] == world["ids"]["co_task"]  # red
    assert order[1] == world["ids"]["other_task"]  # yellow: due in two working days
    total = db.session.scalar(
        select(__import__("sqlalchemy").func.count())
        .select_from(Task)
        .where(Task.plan_id == plan.id)
    )
    assert f"<b>{total}</b>" in page
    # the home page shows the first of them, red first
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="leading-home"' in home
    assert home.index(f'data-task="{world["ids"]["co_task"]}"') < home.index(
        f'data-task="{world["ids"]["other_task"]}"'
    )
    assert 'data-testid="leading-more"' in home
    # another leader has nothing in charge
    assert queries.leader_page(leaders[1].id).total == 0


def test_a_liaison_names_its_own_units_responsible_person_and_the_task_page_shows_it(
    world, client_for
):
    ids = world["ids"]
    fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    kjj = db.session.scalar(select(Unit.id).where(Unit.code == "kjj"))
    liaison = client_for("liaison")
    liaison.set_cookie("tracker_lang", "en")
    # co_task: led by 市科技局, 市发改委 is a co-unit
    answer = liaison.post(
        f"/tasks/{ids['co_task']}/responsible-person",
        data={"unit_id": fgw, "name": "张三", "phone": "0431-88886666"},
    )
    assert answer.status_code == 302
    person = db.session.scalar(select(ResponsiblePerson))
    assert (person.task_id, person.unit_id, person.name, person.phone) == (
        ids["co_task"],
        fgw,
        "张三",
        "0431-88886666",
    )
    # not the lead unit's person: that is 市科技局's to name
    assert (
        liaison.post(
            f"/tasks/{ids['co_task']}/responsible-person", data={"unit_id": kjj, "name": "李四"}
        ).status_code
        == 403
    )
    # a bad phone is refused with a message, nothing written
    answer = liaison.post(
        f"/tasks/{ids['co_task']}/responsible-person",
        data={"unit_id": fgw, "name": "张三", "phone": "call me"},
        follow_redirects=True,
    )
    assert "Enter a phone number" in answer.get_data(as_text=True)
    page = client_for("leader").get(f"/tasks/{ids['co_task']}").get_data(as_text=True)
    assert "张三" in page and "0431-88886666" in page
    assert 'data-testid="responsible-form' not in page  # a leader reads only
    own_page = liaison.get(f"/tasks/{ids['co_task']}").get_data(as_text=True)
    assert f'data-testid="responsible-form-{fgw}"' in own_page
    assert f'data-testid="responsible-form-{kjj}"' not in own_page
    assert 'data-testid="task-leader-form"' not in own_page
    assert "张三 0431-88886666" in own_page  # the timeline names the person too
    office_page = client_for("office").get(f"/tasks/{ids['co_task']}").get_data(as_text=True)
    assert f'data-testid="responsible-form-{kjj}"' in office_page
    assert 'data-testid="task-leader-form"' in office_page
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == ids["co_task"])
    ).all()
    assert actions.count("task.responsible_person_set") == 1
    # an empty name clears it
    liaison.post(f"/tasks/{ids['co_task']}/responsible-person", data={"unit_id": fgw, "name": ""})
    assert db.session.scalar(select(ResponsiblePerson)) is None


def test_the_office_names_leaders_on_the_plan_people_page(world, leaders, client_for):
    first, second = leaders
    plan = _plan(world)
    section = db.session.scalar(select(Section).where(Section.plan_id == plan.id).limit(1))
    office = client_for("office")
    page = office.get(f"/plans/{plan.id}/people").get_data(as_text=True)
    assert first.display_name in page
    assert office.post(f"/plans/{plan.id}/leader", data={"leader_id": first.id}).status_code == 302
    assert (
        office.post(f"/sections/{section.id}/leader", data={"leader_id": second.id}).status_code
        == 302
    )
    # an account that is not a leader, or rubbish, is refused with a message
    office.set_cookie("tracker_lang", "en")
    answer = office.post(
        f"/plans/{plan.id}/leader",
        data={"leader_id": world["users"]["office"].id},
        follow_redirects=True,
    )
    assert "Choose an active leader account." in answer.get_data(as_text=True)
    assert office.post(f"/plans/{plan.id}/leader", data={"leader_id": "x" * 40}).status_code == 302
    leaders_now = queries.load_leaders()
    assert leaders_now.of_plan == {plan.id: first.id}
    assert leaders_now.of_section == {section.id: second.id}
    # a task's own leader, set on the task page
    assert (
        office.post(
            f"/tasks/{world['ids']['own_task']}/leader", data={"leader_id": second.id}
        ).status_code
        == 302
    )
    assert queries.load_leaders().of_task == {world["ids"]["own_task"]: second.id}


def _chart_rows(page: str) -> list[int]:
    import re

    return [int(x) for x in re.findall(r'data-testid="chart-row" data-task="(\d+)"', page)]


def test_the_wall_chart_shows_every_task_of_the_plan_once(world, leaders, client_for):
    plan = _plan(world)
    services.set_leader(plan, leaders[0].id, world["users"]["office"])
    db.session.commit()
    task_ids = set(
        db.session.scalars(
            select(Task.id).where(Task.plan_id == plan.id, Task.status != "archived")
        )
    )
    page = client_for("office").get(f"/plans/{plan.id}/wall-chart").get_data(as_text=True)
    rows = _chart_rows(page)
    assert sorted(rows) == sorted(task_ids) and len(rows) == len(set(rows))
    assert "css/wall_chart.css" in page and leaders[0].display_name in page
    # the leader's chart holds the same tasks, once each
    leader_page = client_for("leader").get(f"/leaders/{leaders[0].id}/wall-chart")
    rows = _chart_rows(leader_page.get_data(as_text=True))
    assert sorted(rows) == sorted(task_ids) and len(rows) == len(set(rows))
    # a liaison sees its unit's tasks only
    liaison_rows = _chart_rows(
        client_for("liaison").get(f"/plans/{plan.id}/wall-chart").get_data(as_text=True)
    )
    assert (
        world["ids"]["own_task"] in liaison_rows and world["ids"]["other_task"] not in liaison_rows
    )


def test_the_print_style_puts_the_chart_on_a3_landscape():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "tracker/static/css/wall_chart.css").read_text()
    assert "size: A3 landscape" in css and "page: wallchart" in css


def test_red_then_behind_pace_then_yellow_and_a_missed_milestone_is_red(world, leaders):
    """On 2028-01-01: task 17 is overdue (red); the zone plan's measure 1 has missed its 2021
    milestone (red, its own due date far ahead); task 1 is at 30 % with 80 % of its time gone
    (慢于序时); task 2 is due in two working days (yellow)."""
    ids, first = world["ids"], leaders[0]
    office = world["users"]["office"]
    zone = db.session.get(Plan, ids["other_plan"])
    for plan in (_plan(world), zone):
        services.set_leader(plan, first.id, office)
    db.session.execute(update(Task).values(due_date=date(2099, 12, 31)))
    zone_task = db.session.scalar(select(Task).where(Task.plan_id == zone.id, Task.number == 1))
    assert db.session.scalar(
        select(Milestone.id).where(Milestone.task_id == zone_task.id, Milestone.done_on.is_(None))
    )
    zone_task.status = "assigned"
    # only measure 1 keeps its missed phase milestones (the lists' light would make every
    # other measure with a missed 2021 phase red as well)
    db.session.execute(delete(Milestone).where(Milestone.task_id != zone_task.id))
    red = _task(world, "co_task")
    red.status, red.due_date = "assigned", date(2027, 6, 30)
    behind = _task(world)
    behind.status, behind.due_date = "in_progress", date(2030, 1, 1)
    _plan(world).period_start = date(2020, 1, 1)
    yellow = _task(world, "other_task")
    yellow.status, yellow.due_date = "assigned", date(2028, 1, 4)
    period = ReportingPeriod(year=2027, month=12, due_day=25, due_date=date(2027, 12, 25))
    db.session.add(period)
    db.session.flush()
    db.session.add(
        ProgressReport(
            task_id=behind.id,
            unit_id=behind.lead_unit_id,
            period_id=period.id,
            state="accepted",
            progress="进展",
            percent=30,
        )
    )
    refresh_pace(date(2028, 1, 1))  # what the sweep of that day stores
    db.session.commit()
    with on(date(2028, 1, 1)):
        result = queries.leader_page(first.id)
    order = [t.id for t in result.tasks[:4]]
    assert order == [red.id, zone_task.id, behind.id, yellow.id]
    assert [result.lights[i] for i in order] == ["red", "red", "green", "yellow"]
    assert result.behind == {behind.id}
