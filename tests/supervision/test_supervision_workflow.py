"""A month of supervision work on frozen clocks: the office assigns (交办) on the Monday before
National Day, units acknowledge (签收) after the holiday, a leader writes an instruction (批示),
the lead unit asks for extensions (延期申请) and close-out (办结申请), the office decides.
Every step is on the task's timeline with who, what, when and from where."""

from datetime import date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    TaskAssignment,
)
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit


def at(year, month, day, hour=10):
    """Freeze the clock at that Beijing time."""
    return freeze_time(datetime(year, month, day, hour, tzinfo=LOCAL_TZ))


def text(response) -> str:
    return response.get_data(as_text=True)


def assignments(task_id):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(TaskAssignment)
            .where(TaskAssignment.task_id == task_id)
            .order_by(TaskAssignment.is_lead.desc(), TaskAssignment.id)
        )
    )


def unit_id(code):
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def one(model, **where):
    db.session.expire_all()
    query = select(model).order_by(model.id.desc())
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalars(query).first()


def test_a_month_of_one_task(world, as_role, task_of, events):
    own = world["ids"]["own_task"]
    url = f"/tasks/{own}"

    # Monday 28 September: assigned; 3 working days to acknowledge cross National Day
    with at(2026, 9, 28):
        office = as_role("office")
        assert 'data-testid="assign-form"' in text(office.get(url))
        response = office.post(f"{url}/assign")
        assert response.status_code == 302 and response.headers["Location"] == url
        page = text(office.get(url))
        assert "Task assigned: the units acknowledge by 2026-10-08." in page
        assert 'data-testid="assign-form"' not in page
        assert task_of("own_task").status == "assigned"
        (lead,) = assignments(own)
        assert (lead.unit_id, lead.is_lead, lead.ack_due) == (
            unit_id("fgw"),
            True,
            date(2026, 10, 8),
        )
        # assigning again is refused, nothing changes
        office.post(f"{url}/assign")
        assert "This task has already been assigned." in text(office.get(url))
        assert len(assignments(own)) == 1

    # Friday 9 October: one working day late
    with at(2026, 10, 9):
        assert "overdue" in text(as_role("office").get("/supervision/requests"))
        liaison = as_role("liaison")
        assert 'data-testid="acknowledge-form"' in text(liaison.get(url))
        assert liaison.post(f"{url}/acknowledge").status_code == 302
        assert "Acknowledged, after the deadline of 2026-10-08." in text(liaison.get(url))
        assert task_of("own_task").status == "in_progress"
        liaison.post(f"{url}/acknowledge")
        assert "Your unit has already acknowledged this task." in text(liaison.get(url))
        (ack,) = events(own, "task.acknowledged")
        assert ack.detail == {
            "unit": "市发改委",
            "lead": True,
            "ack_due": "2026-10-08",
            "late": True,
        }

    # Monday 12 October: a leader's instruction, answered within 5 working days
    with at(2026, 10, 12):
        leader = as_role("leader")
        leader.post(f"{url}/instructions", data={"text": "请抓紧推进，按期完成"})
        instruction = one(Instruction, task_id=own)
        assert instruction.answer_due == date(2026, 10, 19)
        assert "the lead unit answers by 2026-10-19" in text(leader.get(url))

    # Tuesday 13 October: an extension request, then a second one is refused
    with at(2026, 10, 13):
        liaison = as_role("liaison")
        data = {"requested_due": "2027-03-31", "reason": "资金未到位"}
        assert liaison.post(f"{url}/extensions", data=data).status_code == 302
        assert liaison.post(f"{url}/extensions", data=data).status_code == 302
        assert "awaiting a decision" in text(liaison.get(url))
        assert db.session.query(ExtensionRequest).count() == 1
        first = one(ExtensionRequest, task_id=own)
        assert (first.state, first.current_due) == ("pending", date(2020, 12, 31))
        queue = text(as_role("office").get("/supervision/requests"))
        assert "资金未到位" in queue

    # Wednesday 14 October: rejected, but only with a note
    with at(2026, 10, 14):
        office = as_role("office")
        response = office.post(f"/extensions/{first.id}/decide", data={"decision": "reject"})
        assert response.status_code == 400
        assert "Say why: a rejection needs a note." in text(response)
        assert one(ExtensionRequest, id=first.id).state == "pending"
        office.post(
            f"/extensions/{first.id}/decide", data={"decision": "reject", "note": "理由不充分"}
        )
        first = one(ExtensionRequest, id=first.id)
        assert (first.state, first.decision_note) == ("rejected", "理由不充分")
        assert task_of("own_task").due_date == date(2020, 12, 31)
        assert "Extension rejected." in text(office.get(url))

    # Thursday 15 October: asked again, approved; the old date stays on the request
    with at(2026, 10, 15):
        liaison = as_role("liaison")
        liaison.post(
            f"{url}/extensions", data={"requested_due": "2027-06-30", "reason": "已落实资金"}
        )
        second = one(ExtensionRequest, task_id=own)
        as_role("office").post(f"/extensions/{second.id}/decide", data={"decision": "approve"})
        second = one(ExtensionRequest, id=second.id)
        assert (second.state, second.current_due) == ("approved", date(2020, 12, 31))
        assert task_of("own_task").due_date == date(2027, 6, 30)

    # Friday 16 October: the instruction is answered, once
    with at(2026, 10, 16):
        liaison = as_role("liaison")
        answer_url = f"/instructions/{instruction.id}/answer"
        assert liaison.post(answer_url, data={"text": "已召开专题会议部署"}).status_code == 302
        liaison.post(answer_url, data={"text": "再答一次"})
        assert "This instruction has already been answered." in text(liaison.get(url))
        instruction = one(Instruction, id=instruction.id)
        assert (instruction.answer, instruction.answer_unit_id) == (
            "已召开专题会议部署",
            unit_id("fgw"),
        )

    # Monday 26 October: close-out asked, refused with a note
    with at(2026, 10, 26):
        as_role("liaison").post(f"{url}/close-out", data={"summary": "示范基地已建成"})
        request = one(CloseOutRequest, task_id=own)
        office = as_role("office")
        response = office.post(f"/close-outs/{request.id}/decide", data={"decision": "refuse"})
        assert response.status_code == 400
        office.post(
            f"/close-outs/{request.id}/decide", data={"decision": "refuse", "note": "佐证不足"}
        )
        assert one(CloseOutRequest, id=request.id).state == "rejected"
        assert task_of("own_task").status == "in_progress"

    # Wednesday 28 October, 15:00: asked again with more evidence, confirmed (销号)
    with at(2026, 10, 28, hour=15):
        as_role("liaison").post(f"{url}/close-out", data={"summary": "示范基地已建成并投入运营"})
        request = one(CloseOutRequest, task_id=own)
        as_role("office").post(f"/close-outs/{request.id}/decide", data={"decision": "confirm"})
        task = task_of("own_task")
        assert task.status == "closed"
        assert task.closed_at == datetime(2026, 10, 28, 7, 0)  # stored in UTC
        # a closed task takes no more requests or instructions
        liaison = as_role("liaison")
        liaison.post(f"{url}/extensions", data={"requested_due": "2027-12-31", "reason": "x"})
        assert "This task is closed." in text(liaison.get(url))
        as_role("leader").post(f"{url}/instructions", data={"text": "再接再厉"})
        assert db.session.query(Instruction).count() == 1
        page = text(as_role("office").get(url))

    actions = [e.action for e in events(own) if e.action != "task.seeded"]
    assert actions == [
        "task.assigned",
        "task.status_changed",
        "task.acknowledged",
        "task.status_changed",
        "task.instruction_written",
        "task.extension_requested",
        "task.extension_rejected",
        "task.extension_requested",
        "task.extension_approved",
        "task.instruction_answered",
        "task.close_out_requested",
        "task.close_out_refused",
        "task.close_out_requested",
        "task.closed_out",
        "task.status_changed",
    ]
    by_action = {e.action: e for e in events(own)}
    approved = by_action["task.extension_approved"]
    assert approved.detail["from"] == "2020-12-31" and approved.detail["to"] == "2027-06-30"
    assert approved.actor_name == "office1" and approved.remote_addr == "127.0.0.1"
    assert approved.occurred_at == datetime(2026, 10, 15, 2, 0)
    assert by_action["task.instruction_answered"].detail["late"] is False
    assert by_action["task.instruction_answered"].actor_name == "liaison1"
    statuses = [(e.detail["from"], e.detail["to"]) for e in events(own, "task.status_changed")]
    assert statuses == [
        ("pending", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "closed"),
    ]
    # the timeline shows each step by name
    for label in (
        "Assigned to the units",
        "Assignment acknowledged",
        "Extension rejected",
        "Extension approved",
        "Instruction answered",
        "Close-out refused",
        "Close-out confirmed",
    ):
        assert label in page, label


def test_co_unit_acknowledges_its_part_and_the_lead_unit_starts_the_task(
    world, as_role, task_of, events
):
    """co_task: lead 市科技局, co-unit 市发改委. Only the lead unit's acknowledgement starts the
    task; a unit that has not acknowledged after the deadline shows on the office's list."""
    co = world["ids"]["co_task"]
    with at(2026, 9, 28):
        as_role("office").post(f"/tasks/{co}/assign")
        rows = assignments(co)
        assert [(a.unit_id, a.is_lead) for a in rows] == [
            (unit_id("kjj"), True),
            (unit_id("fgw"), False),
        ]
    with at(2026, 9, 30):
        liaison = as_role("liaison")
        assert "Tasks to acknowledge <small>(1)</small>" in text(liaison.get("/supervision/my"))
        liaison.post(f"/tasks/{co}/acknowledge")
        assert "Acknowledged." in text(liaison.get(f"/tasks/{co}"))
        assert task_of("co_task").status == "assigned"
        assert "Tasks to acknowledge <small>(0)</small>" in text(liaison.get("/supervision/my"))
    with at(2026, 10, 9):
        queue = text(as_role("office").get("/supervision/requests"))
        assert "Assignments not acknowledged in time <small>(1)</small>" in queue
        assert "市科技局" in queue
        as_role("other_liaison").post(f"/tasks/{co}/acknowledge")
        assert task_of("co_task").status == "in_progress"
        queue = text(as_role("leader").get("/supervision/requests"))
        assert "Assignments not acknowledged in time <small>(0)</small>" in queue
    acks = events(co, "task.acknowledged")
    assert [(e.detail["unit"], e.detail["lead"], e.detail["late"]) for e in acks] == [
        ("市发改委", False, False),
        ("市科技局", True, True),
    ]


def _task(number, plan_key="changfa-2017-29"):
    return db.session.scalar(
        select(Task).where(Task.number == number, Task.plan.has(Plan.key == plan_key))
    )


def test_open_work_moves_to_the_successor_unit(world, as_role, make_user, login, events, task_of):
    """Task 12 is led by 市经信委, now 市工信局: 市工信局 is assigned and acknowledges; the task
    keeps the document's name. Task 33 names 市国税局 and 市地税局, both now 市税务局:
    assigned once."""
    task12, task33 = _task(12), _task(33)
    with at(2026, 9, 28):
        office = as_role("office")
        office.post(f"/tasks/{task12.id}/assign")
        office.post(f"/tasks/{task33.id}/assign")
    (lead,) = assignments(task12.id)
    assert lead.unit_id == unit_id("gxj")
    assert db.session.get(Task, task12.id).lead_unit_id == unit_id("jxw")
    assert events(task12.id, "task.assigned")[0].detail["lead_unit"] == "市工信局"
    units33 = [a.unit_id for a in assignments(task33.id)]
    assert len(units33) == len(set(units33)) == 6  # the lead and 6 co-units, two of them merged
    gxj = make_user("liaison", "gxj", username="gxj1")
    with at(2026, 9, 29):
        client = as_role("anonymous")
        login(client, gxj)
        client.post(f"/tasks/{task12.id}/acknowledge")
    assert task_of(task12.id).status == "in_progress"
    assert assignments(task12.id)[0].acknowledged_by_id == gxj.id


def test_the_office_names_another_lead_unit_while_assigning(world, as_role, task_of, events):
    """The zone's measures have a provisional lead unit (with its basis); choosing a unit
    replaces it and clears the basis. A unit since reorganised cannot be chosen."""
    measure = _task(1, "czgxq-shuangchuang-2021")
    assert measure.lead_unit_basis
    with at(2026, 11, 2):
        office = as_role("office")
        response = office.post(f"/tasks/{measure.id}/assign", data={"lead_unit_id": unit_id("jxw")})
        assert response.status_code == 400  # not among the choices
        assert assignments(measure.id) == []
        response = office.post(f"/tasks/{measure.id}/assign", data={"lead_unit_id": unit_id("kjj")})
    assert response.status_code == 302
    task = task_of(measure.id)
    assert (task.lead_unit_id, task.lead_unit_basis, task.status) == (
        unit_id("kjj"),
        None,
        "assigned",
    )
    (event,) = events(measure.id, "task.assigned")
    assert event.detail["lead_unit_changed"] == {
        "from": "长治高新区创新创业服务中心",
        "to": "市科技局",
    }
    assert [a.unit_id for a in assignments(measure.id)] == [unit_id("kjj")]


def test_assign_a_whole_plan(world, as_role, task_of):
    own = world["ids"]["own_task"]
    plan_id = world["ids"]["own_plan"]
    with at(2026, 9, 28):
        office = as_role("office")
        office.post(f"/tasks/{own}/assign")
        response = office.post(f"/plans/{plan_id}/assign")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/plans/{plan_id}"
        assert "39 tasks assigned." in text(office.get(f"/plans/{plan_id}"))
        db.session.expire_all()
        statuses = db.session.scalars(select(Task.status).where(Task.plan_id == plan_id)).all()
        assert set(statuses) == {"assigned"}
        office.post(f"/plans/{plan_id}/assign")
        page = text(office.get(f"/plans/{plan_id}"))
        assert "This plan has no task waiting to be assigned." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"requested_due": "2026-10-12", "reason": "x"}, "The new due date cannot be in the past."),
        ({"requested_due": "", "reason": "x"}, "Enter the new due date (yyyy-mm-dd)."),
        ({"requested_due": "31/12/2027", "reason": "x"}, "Enter the new due date (yyyy-mm-dd)."),
        ({"requested_due": "2027-03-31", "reason": "  "}, "Say why the task needs more time."),
        ({"requested_due": "2027-03-31", "reason": "长" * 1001}, "At most 1000 characters."),
    ],
)
def test_bad_extension_requests_keep_the_input_and_save_nothing(
    world, as_role, do, snapshot, data, message
):
    do.assign("own_task")
    before = snapshot()
    with at(2026, 10, 13):
        response = as_role("liaison").post(
            "/tasks/{own_task}/extensions".format(**world["ids"]), data=data
        )
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "Nothing was saved" in page
    assert data["reason"].strip()[:50] in page  # the text typed is still there
    assert snapshot() == before


def test_a_date_not_after_the_current_due_date_is_refused(world, as_role, do, snapshot):
    task = db.session.get(Task, world["ids"]["own_task"])
    task.due_date = date(2026, 12, 31)
    db.session.commit()
    do.assign("own_task")
    before = snapshot()
    with at(2026, 10, 13):
        response = as_role("liaison").post(
            f"/tasks/{task.id}/extensions", data={"requested_due": "2026-12-31", "reason": "x"}
        )
    assert response.status_code == 400
    assert "The new due date must be after the current due date." in text(response)
    assert snapshot() == before


def test_close_out_needs_a_summary_and_an_assigned_task(world, as_role, do, snapshot):
    own = world["ids"]["own_task"]
    liaison = as_role("liaison")
    before = snapshot()
    liaison.post(f"/tasks/{own}/close-out", data={"summary": "已完成"})
    assert "This task has not been assigned yet." in text(liaison.get(f"/tasks/{own}"))
    assert snapshot() == before
    do.assign("own_task")
    before = snapshot()
    response = liaison.post(f"/tasks/{own}/close-out", data={"summary": ""})
    assert response.status_code == 400
    assert "Summarise what was done" in text(response)
    assert snapshot() == before


def test_close_out_waits_for_a_pending_extension(world, as_role, do, task_of):
    do.assign("own_task")
    extension = do.extension("own_task")
    close_out = do.close_out("own_task")
    office = as_role("office")
    office.post(f"/close-outs/{close_out.id}/decide", data={"decision": "confirm"})
    assert "decide it before closing the task" in text(office.get(f"/tasks/{close_out.task_id}"))
    assert task_of("own_task").status == "assigned"
    office.post(f"/extensions/{extension.id}/decide", data={"decision": "reject", "note": "否"})
    office.post(f"/close-outs/{close_out.id}/decide", data={"decision": "confirm"})
    assert task_of("own_task").status == "closed"
    # a decided request is not decided twice
    office.post(f"/close-outs/{close_out.id}/decide", data={"decision": "refuse", "note": "x"})
    assert "This request has already been decided." in text(
        office.get(f"/tasks/{close_out.task_id}")
    )
    assert one(CloseOutRequest, id=close_out.id).state == "approved"


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_close_out_evidence_is_stored_with_the_request(world, as_role, do):
    from io import BytesIO

    do.assign("own_task")
    own = world["ids"]["own_task"]
    liaison = as_role("liaison")
    # a refused file refuses the whole request: nothing is saved, the summary is kept
    response = liaison.post(
        f"/tasks/{own}/close-out",
        data={"summary": "第一次申请", "evidence": [(BytesIO(b"MZ\x90\x00"), "x.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "第一次申请" in text(response)
    assert db.session.query(CloseOutRequest).count() == 0
    response = liaison.post(
        f"/tasks/{own}/close-out",
        data={"summary": "已完成", "evidence": [(BytesIO(PDF), "验收报告.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    request = one(CloseOutRequest, task_id=own)
    from tracker.reports.models import Attachment

    (attachment,) = db.session.scalars(
        select(Attachment).where(Attachment.close_out_id == request.id)
    ).all()
    assert attachment.original_name == "验收报告.pdf"
    page = text(as_role("office").get(f"/tasks/{own}"))
    assert "验收报告.pdf" in page
    assert f"/attachments/{attachment.id}" in page
