"""The office's queue, the liaison's to-do list, the task page's workflow panel and assigning
a whole plan cost a constant number of SQL statements, whatever the number of rows; the
panel offers each role only its own steps."""

import uuid
from datetime import date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.reports.models import Attachment
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    TaskAssignment,
)
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

NOW = datetime(2026, 11, 2, 2, 0)  # Monday 10:00 in Beijing
TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(datetime(2026, 11, 2, 10, tzinfo=LOCAL_TZ)):
        yield


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _tasks(plan_key, count):
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.plan.has(Plan.key == plan_key))
            .order_by(Task.number)
            .limit(count)
        )
    )


def _work(world, tasks, unit, *, instructions_per_task=1, closed_requests=0, co_units=()):
    """On each task: an assignment of `unit` (and of `co_units`) not acknowledged in time, a
    pending extension and close-out request (with an attachment), unanswered instructions;
    optionally decided requests too. With co_units, the lead unit's assignment exists."""
    leader = world["users"]["leader"]
    n = 0
    for task in tasks:
        task.status = "in_progress"
        units = [(u, False) for u in co_units] if co_units else [(unit, True)]
        for assigned, is_lead in units:
            db.session.add(
                TaskAssignment(
                    task_id=task.id,
                    unit_id=assigned.id,
                    is_lead=is_lead,
                    ack_due=date(2026, 10, 8),
                )
            )
        for state in ["pending"] + ["rejected"] * closed_requests:
            db.session.add(
                ExtensionRequest(
                    task_id=task.id,
                    unit_id=unit.id,
                    reason="理由",
                    current_due=date(2026, 12, 31),
                    requested_due=date(2027, 6, 30),
                    state=state,
                )
            )
            close_out = CloseOutRequest(
                task_id=task.id, unit_id=unit.id, summary="总结", state=state
            )
            db.session.add(close_out)
            db.session.flush()
            n += 1
            db.session.add(
                Attachment(
                    close_out_id=close_out.id,
                    original_name=f"佐证{n}.pdf",
                    stored_name=uuid.uuid4().hex,
                    content_type="application/pdf",
                    size=10,
                    sha256="0" * 64,
                )
            )
        for _ in range(instructions_per_task):
            db.session.add(
                Instruction(
                    task_id=task.id, author_id=leader.id, text="抓紧", answer_due=date(2026, 10, 20)
                )
            )
    db.session.commit()


def _count(count_statements, client, path):
    with count_statements() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


def test_office_queue_costs_the_same_for_2_and_20_of_everything(world, as_role, count_statements):
    office, leader = as_role("office"), as_role("leader")
    fgw = _unit("fgw")
    _work(world, _tasks("changfa-2017-29", 2), fgw)
    small = _count(count_statements, office, "/supervision/requests")
    assert _count(count_statements, leader, "/supervision/requests") == small
    page = office.get("/supervision/requests").get_data(as_text=True)
    assert "Extension requests <small>(2)</small>" in page
    assert "Instructions not yet answered <small>(2)</small>" in page
    _work(world, _tasks("czgxq-shuangchuang-2021", 18), _unit("gxqcxzx"))
    large = _count(count_statements, office, "/supervision/requests")
    assert large == small <= 7
    page = office.get("/supervision/requests").get_data(as_text=True)
    assert "Close-out requests <small>(20)</small>" in page
    assert "Assignments not acknowledged in time <small>(20)</small>" in page


def test_liaison_todo_costs_the_same_for_2_and_20(world, as_role, count_statements):
    liaison = as_role("liaison")
    fgw = _unit("fgw")
    fgw_tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.plan.has(Plan.key == "changfa-2017-29"), Task.lead_unit_id == fgw.id)
            .order_by(Task.number)
        )
    )
    assert len(fgw_tasks) == 17
    _work(world, fgw_tasks[:2], fgw)
    small = _count(count_statements, liaison, "/supervision/my")
    _work(world, fgw_tasks[2:], fgw)
    large = _count(count_statements, liaison, "/supervision/my")
    # assignments, instructions, notices, the page's own, and (counted cold) the stamp of
    # the work a process keeps (tracker.kept: the units' successors come from it when warm)
    assert large == small <= 7
    page = liaison.get("/supervision/my").get_data(as_text=True)
    assert "Tasks to acknowledge <small>(17)</small>" in page
    assert "Instructions to answer <small>(17)</small>" in page


@pytest.mark.parametrize("role", ["office", "leader", "liaison", "other_liaison"])
def test_task_page_with_the_panel_does_not_grow_with_rows(world, as_role, count_statements, role):
    """own_task (市发改委) and co_task (lead 市科技局, co-unit 市发改委)."""
    client = as_role(role)
    own = db.session.get(Task, world["ids"]["own_task"])
    co = db.session.get(Task, world["ids"]["co_task"])
    fgw, kjj = _unit("fgw"), _unit("kjj")
    _work(world, [own], fgw)
    _work(world, [co], kjj)
    paths = (
        [f"/tasks/{own.id}", f"/tasks/{co.id}"] if role != "other_liaison" else [f"/tasks/{co.id}"]
    )
    small = [_count(count_statements, client, p) for p in paths]
    more_units = list(db.session.scalars(select(Unit).where(Unit.code.in_(["jyj", "swj", "rsj"]))))
    assert len(more_units) == 3
    for task, unit in ((own, fgw), (co, kjj)):
        _work(world, [task], unit, instructions_per_task=9, closed_requests=9, co_units=more_units)
    large = [_count(count_statements, client, p) for p in paths]
    assert large == small


def test_assigning_a_plan_costs_the_same_for_2_and_40_tasks(world, as_role, count_statements):
    """One transaction, a constant number of statements: 40 tasks with their co-units."""
    office = as_role("office")
    fgw, kjj, jxw = _unit("fgw"), _unit("kjj"), _unit("jxw")
    plan = Plan(key="small", doc_number="测试〔2026〕1号", title="小计划", issuer="测试", phases=[])
    db.session.add(plan)
    db.session.flush()
    section = Section(plan_id=plan.id, number=1, label="一", title="部分")
    db.session.add(section)
    db.session.flush()
    for number, lead in ((1, fgw), (2, jxw)):
        task = Task(
            plan_id=plan.id,
            section_id=section.id,
            number=number,
            title=f"任务{number}",
            text="正文",
            lead_unit_id=lead.id,
        )
        task.co_unit_links = [TaskCoUnit(unit_id=kjj.id, position=1)]
        db.session.add(task)
    db.session.commit()
    small_url = f"/plans/{plan.id}/assign"
    large_url = "/plans/{own_plan}/assign".format(**world["ids"])
    with count_statements() as small:
        assert office.post(small_url).status_code == 302
    with count_statements() as large:
        assert office.post(large_url).status_code == 302
    assert large.count == small.count, "\n".join(
        [s[:70] for s in small.statements] + ["---"] + [s[:70] for s in large.statements]
    )
    leads = db.session.scalars(select(TaskAssignment.task_id).where(TaskAssignment.is_lead)).all()
    assert len(leads) == len(set(leads)) == 42


PANEL_FORMS = {
    # role: (testids shown on own_task in progress with pending requests and an instruction)
    "office": {"extension-decision", "close-out-decision"},
    "leader": {"instruction-form"},
    "liaison": {"acknowledge-form", "answer-form"},
    "admin": set(),
}
ALL_FORMS = {
    "assign-form",
    "acknowledge-form",
    "extension-form",
    "extension-decision",
    "close-out-form",
    "close-out-decision",
    "instruction-form",
    "answer-form",
}


@pytest.mark.parametrize("role", list(PANEL_FORMS))
def test_the_panel_offers_each_role_its_own_steps(world, as_role, role):
    own = db.session.get(Task, world["ids"]["own_task"])
    _work(world, [own], _unit("fgw"))
    page = as_role(role).get(f"/tasks/{own.id}").get_data(as_text=True)
    shown = {form for form in ALL_FORMS if f'data-testid="{form}"' in page}
    assert shown == PANEL_FORMS[role]
    assert "佐证1.pdf" in page  # close-out evidence is listed


def test_the_panel_before_and_after_assignment(world, as_role, do):
    own = world["ids"]["own_task"]
    office = as_role("office")
    page = office.get(f"/tasks/{own}").get_data(as_text=True)
    assert 'data-testid="assign-form"' in page
    assert "Not yet assigned by the supervision office." not in page
    liaison = as_role("liaison")
    page = liaison.get(f"/tasks/{own}").get_data(as_text=True)
    assert "Not yet assigned by the supervision office." in page
    assert 'data-testid="acknowledge-form"' not in page
    do.assign("own_task")
    page = liaison.get(f"/tasks/{own}").get_data(as_text=True)
    assert {f for f in ALL_FORMS if f'data-testid="{f}"' in page} == {
        "acknowledge-form",
        "extension-form",
        "close-out-form",
    }
    # the co-unit acknowledges its part but asks for nothing on the lead unit's behalf
    do.assign("co_task")
    page = liaison.get("/tasks/{co_task}".format(**world["ids"])).get_data(as_text=True)
    assert {f for f in ALL_FORMS if f'data-testid="{f}"' in page} == {"acknowledge-form"}
