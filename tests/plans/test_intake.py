"""Intake through the pages: quick entry with the kind's default deadline, plans identified by
number + title, nested sections, archive vs delete, re-date, reassign (and what each unit then
sees), split with roll-up, merge.

`world`: liaison = 市发改委 (fgw), other_liaison = 市科技局 (kjj)."""

from datetime import date

import pytest
from sqlalchemy import select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans import changes, intake
from tracker.plans.models import Plan, Section, Task, TaskStatus, TaskUnitChange
from tracker.supervision.models import TaskAssignment
from tracker.supervision.workflow import services as workflow
from tracker.units.models import Unit

TODAY = date(2026, 3, 12)


@pytest.fixture
def units(world):
    return {u.code: u.id for u in db.session.scalars(select(Unit))}


@pytest.fixture
def office(client_for, monkeypatch):
    monkeypatch.setattr("tracker.plans.intake_views.today", lambda: TODAY)
    return client_for("office")


def _events(task_id):
    db.session.expire_all()
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "task", AuditEvent.subject_id == task_id)
            .order_by(AuditEvent.id)
        )
    ]


def test_quick_entry_applies_the_kind_default_and_fills_the_inbox(office, units):
    form = {
        "kind": "instruction",
        "title": "市长批示：研究孵化器用地",
        "lead_unit_id": units["fgw"],
        "co_unit_ids": [units["kjj"], units["czj"]] if "czj" in units else [units["kjj"]],
        "source_excerpt": "市长在3月12日常务会上要求…",
    }
    response = office.post("/intake/quick", data=form)
    assert response.status_code == 302
    task = intake.load_task(db.session.scalar(select(Task.id).where(Task.title == form["title"])))
    assert task.due_date == date(2026, 3, 19)  # 5 working days after Thu 12 March
    assert task.due_basis == "default"
    plan = db.session.get(Plan, task.plan_id)
    assert plan.key == "inbox-instruction-2026" and plan.kind == "instruction"
    assert [link.unit_id for link in task.co_unit_links] == form["co_unit_ids"]
    page = office.get(f"/intake/tasks/{task.id}/edit").get_data(as_text=True)
    assert "2026-03-19" in page
    # a second item goes into the same inbox plan
    office.post("/intake/quick", data={**form, "title": "第二项"})
    assert db.session.scalar(select(Task.plan_id).where(Task.title == "第二项")) == plan.id


def test_quick_entry_refuses_bad_input_and_writes_nothing(office, units):
    before = db.session.scalar(select(db.func.count()).select_from(Task))
    page = office.post("/intake/quick", data={"kind": "meeting", "title": "x",
                       "lead_unit_id": units["fgw"], "co_unit_ids": [units["fgw"]]})  # fmt: skip
    assert page.status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(Task)) == before
    page = office.post(
        "/intake/quick", data={"kind": "meeting", "title": "x", "lead_unit_id": "abc"}
    )
    assert page.status_code == 200


def test_plan_identity_is_number_and_title(office):
    data = {
        "kind": "policy_document",
        "doc_number": "长发〔2030〕1号",
        "title": "工作方案",
        "issuer": "市委",
    }
    assert office.post("/intake/plans/new", data=data).status_code == 302
    assert (
        office.post("/intake/plans/new", data={**data, "title": "若干政策措施"}).status_code == 302
    )
    again = office.post("/intake/plans/new", data=data)
    assert again.status_code == 200
    assert (
        db.session.scalar(select(db.func.count()).where(Plan.doc_number == "长发〔2030〕1号")) == 2
    )


def test_sections_nest_with_the_documents_numbering(office, world):
    plan = intake.create_plan(
        {"title": "方案", "issuer": "市政府", "kind": "policy_document"}, None
    )
    top = intake.add_section(plan, None, "三、", "重点任务", None)
    mid = intake.add_section(plan, top.id, "（二）", "载体建设", None)
    other = intake.add_section(plan, None, "四、", "保障措施", None)
    leaf = intake.add_section(plan, mid.id, "3.", "孵化器", None)
    db.session.commit()
    assert leaf.path == "三(二)3"
    order = db.session.scalars(
        select(Section.path).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    assert order == ["三", "三(二)", "三(二)3", "四"]
    assert other.number == 4


def test_archive_instead_of_delete_once_assigned(office, world):
    task_id = world["ids"]["own_task"]
    task = workflow.load_task_for_update(task_id)
    workflow.assign_task(task, world["users"]["office"], TODAY)
    db.session.commit()
    office.post(f"/intake/tasks/{task_id}/delete")
    assert db.session.get(Task, task_id) is not None
    office.post(f"/intake/tasks/{task_id}/archive", data={"reason": "上级文件废止"})
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert task.status == TaskStatus.ARCHIVED.value and task.archive_reason == "上级文件废止"
    assert "task.archived" in _events(task_id)


def test_redate_is_on_the_timeline(office, world):
    task_id = world["ids"]["own_task"]
    office.post(
        f"/intake/tasks/{task_id}/redate", data={"due_date": "2026-12-31", "reason": "会议决定"}
    )
    db.session.expire_all()
    assert db.session.get(Task, task_id).due_date == date(2026, 12, 31)
    assert _events(task_id)[-1] == "task.redated"
    # without a reason nothing changes
    office.post(f"/intake/tasks/{task_id}/redate", data={"due_date": "2027-01-31", "reason": ""})
    db.session.expire_all()
    assert db.session.get(Task, task_id).due_date == date(2026, 12, 31)


def test_reassign_moves_future_work_and_keeps_history(office, client_for, world, units):
    task_id = world["ids"]["own_task"]  # led by 市发改委 (liaison)
    task = workflow.load_task_for_update(task_id)
    workflow.assign_task(task, world["users"]["office"], TODAY)
    db.session.commit()
    response = office.post(f"/intake/tasks/{task_id}/reassign",
                           data={"lead_unit_id": units["kjj"], "reason": "职能划转"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert task.lead_unit_id == units["kjj"]
    rows = db.session.execute(
        select(TaskUnitChange.unit_id, TaskUnitChange.change, TaskUnitChange.period)
        .where(TaskUnitChange.task_id == task_id).order_by(TaskUnitChange.id)
    ).all()  # fmt: skip
    assert (units["fgw"], "removed", "2026-03") in rows
    assert (units["kjj"], "added", "2026-03") in rows
    # the new lead unit is handed the task at once; the old one's open acknowledgement goes
    owed = dict(
        db.session.execute(
            select(TaskAssignment.unit_id, TaskAssignment.is_lead).where(
                TaskAssignment.task_id == task_id
            )
        ).all()
    )
    assert owed.get(units["kjj"]) is True and units["fgw"] not in owed
    assert "task.reassigned" in _events(task_id)
    # the old unit still reads the task page (its reports stay with it), not in its to-do list
    old = client_for("liaison")
    assert old.get(f"/tasks/{task_id}").status_code == 200
    new = client_for("other_liaison")
    assert new.get(f"/tasks/{task_id}").status_code == 200


def test_split_shows_the_roll_up_and_merge_archives_the_duplicate(office, world, units):
    task_id = world["ids"]["own_task"]
    office.post(f"/intake/tasks/{task_id}/split",
                data={"title_0": "市区部分", "lead_0": units["fgw"], "title_1": "园区部分",
                      "lead_1": units["kjj"]})  # fmt: skip
    subs = db.session.scalars(select(Task).where(Task.parent_id == task_id)).all()
    assert {s.title for s in subs} == {"市区部分", "园区部分"}
    page = office.get(f"/intake/tasks/{task_id}/edit").get_data(as_text=True)
    assert "市区部分" in page and 'data-testid="sub-tasks"' in page
    dup = world["ids"]["other_task"]
    office.post(f"/intake/tasks/{dup}/merge", data={"target_id": task_id, "reason": "重复"})
    db.session.expire_all()
    merged = db.session.get(Task, dup)
    assert merged.merged_into_id == task_id and merged.status == TaskStatus.ARCHIVED.value
    assert "task.merged_in" in _events(task_id)


def test_deadline_settings_are_the_admins(client_for):
    admin = client_for("admin")
    bad = admin.post("/intake/deadlines", data={"meeting_amount": "0", "meeting_unit": "days"})
    assert bad.status_code == 200
    assert intake.default_deadlines()["meeting"] == [20, "working_days"]
    admin.post("/intake/deadlines", data={"meeting_amount": "15", "meeting_unit": "working_days"})
    db.session.expire_all()
    assert intake.default_deadlines()["meeting"] == [15, "working_days"]
    assert changes  # the module imports cleanly alongside the views
