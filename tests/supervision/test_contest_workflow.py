"""退回交办 end to end through the pages: the lead unit returns a task within its window,
the office reassigns it or insists; what is written, what the timeline and the units see,
what is refused, and the queue's SQL statements.

Assigned on Monday 2026-11-02 with the default window of 3 working days: the unit may
return the task until Thursday 2026-11-05."""

from datetime import date

import pytest
from sqlalchemy import select
from support.clock import on

from tracker.calendar.rules import WorkingCalendar
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.supervision.models import Notification, TaskAssignment
from tracker.supervision.workflow.contest.models import TaskContest
from tracker.supervision.workflow.contest.queries import (
    contested_task_ids,
    open_contest_task_ids,
)
from tracker.units.models import Unit

DAY = date(2026, 11, 2)
REASON = "该事项属于市科技局职责，不属于本单位"


@pytest.fixture
def assigned(world, do):
    """own_task (led by 市发改委) assigned on DAY, due 2026-12-31."""
    do.today = DAY
    with on(DAY):
        task = db.session.get(Task, world["ids"]["own_task"])
        task.due_date = date(2026, 12, 31)
        db.session.commit()
        do.assign("own_task")
    return world["ids"]["own_task"]


def _contest(task_id):
    db.session.expire_all()
    return db.session.scalars(select(TaskContest).where(TaskContest.task_id == task_id)).all()


def _kjj():
    return db.session.scalar(select(Unit.id).where(Unit.code == "kjj"))


def _notifications(user, kind):
    db.session.expire_all()
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def test_the_lead_unit_returns_and_the_office_reassigns(world, as_role, assigned, events):
    with on(DAY):
        liaison, office = as_role("liaison"), as_role("office")
        page = liaison.get(f"/tasks/{assigned}").get_data(as_text=True)
        assert 'data-testid="contest-form"' in page
        response = liaison.post(f"/tasks/{assigned}/contest", data={"reason": REASON})
        assert response.status_code == 302
        assert assigned in contested_task_ids()
        page = liaison.get(f"/tasks/{assigned}").get_data(as_text=True)
        assert 'data-testid="contest-open"' in page and 'data-testid="contest-form"' not in page
        queue = office.get("/supervision/contests").get_data(as_text=True)
        assert REASON[:20] in queue
    (contest,) = _contest(assigned)
    assert contest.outcome is None and contest.filed_on == DAY
    with on(date(2026, 11, 4)):
        response = as_role("office").post(
            f"/supervision/contests/{contest.id}",
            data={
                "decision": "reassign",
                "lead_unit_id": _kjj(),
                "reason": "职责调整，改由市科技局牵头",
            },
        )
        assert response.status_code == 302
    (contest,) = _contest(assigned)
    assert contest.outcome == "reassigned" and contest.paused_working_days == 2
    task = db.session.get(Task, assigned)
    assert task.lead_unit_id == _kjj()
    rows = db.session.scalars(select(TaskAssignment).where(TaskAssignment.task_id == assigned))
    assert [(a.unit_id, a.is_lead, a.acknowledged_at) for a in rows] == [(_kjj(), True, None)]
    assert assigned not in contested_task_ids()
    actions = [e.action for e in events(assigned)]
    assert actions[-3:] == ["task.contested", "task.reassigned", "task.contest_reassigned"]
    assert _notifications(world["users"]["liaison"], "contest_reassigned")
    # the new lead unit sees the task, and may return it in its own window
    with on(date(2026, 11, 4)):
        page = as_role("other_liaison").get(f"/tasks/{assigned}").get_data(as_text=True)
        assert 'data-testid="contest-form"' in page
        assert (
            as_role("office")
            .get("/supervision/contests")
            .get_data(as_text=True)
            .count('data-testid="contest-row"')
            == 0
        )


def test_a_returned_task_cannot_be_acknowledged_until_the_office_decides(as_role, assigned):
    with on(DAY):
        liaison = as_role("liaison")
        liaison.post(f"/tasks/{assigned}/contest", data={"reason": REASON})
        liaison.post(f"/tasks/{assigned}/acknowledge")
        page = liaison.get(f"/tasks/{assigned}").get_data(as_text=True)
    db.session.expire_all()
    acknowledged = db.session.scalars(
        select(TaskAssignment.acknowledged_at).where(TaskAssignment.task_id == assigned)
    ).all()
    assert acknowledged == [None]
    assert "督查室作出决定前不能签收" in page or "decides before it can be" in page


def test_the_office_insists_and_the_clock_moves_on(world, as_role, assigned, events):
    with on(DAY):
        as_role("liaison").post(f"/tasks/{assigned}/contest", data={"reason": REASON})
    (contest,) = _contest(assigned)
    ack_due = db.session.scalar(
        select(TaskAssignment.ack_due).where(TaskAssignment.task_id == assigned)
    )
    with on(date(2026, 11, 6)):  # Friday: contested Tue, Wed, Thu, Fri = 4 working days
        response = as_role("office").post(
            f"/supervision/contests/{contest.id}",
            data={"decision": "insist", "lead_unit_id": "", "reason": "属于你单位职责"},
        )
        assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, assigned)
    assert task.due_date == WorkingCalendar().add_workdays(date(2026, 12, 31), 4)
    assignment = db.session.scalar(select(TaskAssignment).where(TaskAssignment.task_id == assigned))
    assert assignment.unit_id == world["users"]["liaison"].unit_id
    assert assignment.ack_due == date(2026, 11, 11)  # 11-05 + 4 working days
    assert ack_due == date(2026, 11, 5)
    (contest,) = _contest(assigned)
    assert (contest.outcome, contest.paused_working_days) == ("insisted", 4)
    assert events(assigned, "task.contest_insisted")[0].detail["paused"] == 4
    (note,) = _notifications(world["users"]["liaison"], "contest_insisted")
    assert "属于你单位职责" in note.body
    # once is once: the unit cannot return the task again
    with on(date(2026, 11, 6)):
        response = as_role("liaison").post(f"/tasks/{assigned}/contest", data={"reason": REASON})
        assert response.status_code == 302
    assert len(_contest(assigned)) == 1


@pytest.mark.parametrize(
    ("when", "acknowledge", "form", "status"),
    [
        (date(2026, 11, 6), False, {"reason": REASON}, 302),  # the window ended on 11-05
        (DAY, True, {"reason": REASON}, 302),  # acknowledged: accepted the task
        (DAY, False, {"reason": "   "}, 400),
        (DAY, False, {"reason": "长" * 1001}, 400),
        (DAY, False, {}, 400),
    ],
)
def test_refused_returns_write_nothing(as_role, do, assigned, when, acknowledge, form, status):
    if acknowledge:
        with on(DAY):
            do.acknowledge("own_task")
    with on(when):
        response = as_role("liaison").post(f"/tasks/{assigned}/contest", data=form)
    assert response.status_code == status
    assert _contest(assigned) == []


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"decision": "reassign", "lead_unit_id": "", "reason": "改派"}, "Choose a lead unit."),
        ({"decision": "insist", "lead_unit_id": "", "reason": " "}, "Give a reason"),
        ({"decision": "maybe", "lead_unit_id": "", "reason": "x"}, "Not a valid choice"),
        ({"decision": "reassign", "lead_unit_id": "abc", "reason": "x"}, "No unit is called"),
        ({"decision": "reassign", "lead_unit_id": "{own}", "reason": "x"}, "another unit"),
        ({"decision": "reassign", "lead_unit_id": "999999", "reason": "x"}, "No unit is called"),
    ],
)
def test_bad_decisions_are_explained_and_save_nothing(world, as_role, assigned, form, message):
    with on(DAY):
        as_role("liaison").post(f"/tasks/{assigned}/contest", data={"reason": REASON})
    (contest,) = _contest(assigned)
    own = str(world["users"]["liaison"].unit_id)
    data = {k: v.replace("{own}", own) for k, v in form.items()}
    with on(DAY):
        response = as_role("office").post(f"/supervision/contests/{contest.id}", data=data)
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    (contest,) = _contest(assigned)
    assert contest.outcome is None
    assert db.session.get(Task, assigned).lead_unit_id == world["users"]["liaison"].unit_id


def test_the_queue_runs_the_same_statements_for_1_or_25_returns(world, as_role, count_statements):
    """(No frozen clock here: the contests are written directly.)"""
    tasks = db.session.scalars(select(Task.id).order_by(Task.id).limit(25)).all()
    unit = world["users"]["liaison"].unit_id
    office = as_role("office")

    def add(task_ids):
        for task_id in task_ids:
            db.session.add(TaskContest(task_id=task_id, unit_id=unit, reason="x", filed_on=DAY))
        db.session.commit()

    def count():
        office.get("/supervision/contests")  # warm: session, settings caches
        with count_statements() as counter:
            assert office.get("/supervision/contests").status_code == 200
        return counter.count

    add(tasks[:1])
    few = count()
    add(tasks[1:])
    page = office.get("/supervision/contests").get_data(as_text=True)
    assert page.count('data-testid="contest-row"') == 20 and 'rel="next"' in page
    assert count() == few


def test_the_task_page_costs_the_same_with_more_returns(world, as_role, assigned, count_statements):
    """An assigned task's page: one statement for its returns, however many there are."""
    office = as_role("office")

    def count():
        office.get(f"/tasks/{assigned}")
        with count_statements() as counter:
            assert office.get(f"/tasks/{assigned}").status_code == 200
        return counter.count

    before = count()
    for unit in (world["users"]["liaison"].unit_id, _kjj()):
        db.session.add(TaskContest(task_id=assigned, unit_id=unit, reason="x", filed_on=DAY))
    db.session.commit()
    assert count() == before


def test_open_contests_leave_other_queries_alone(world, assigned):
    """What the sweep and the scorecard use: only open contests' tasks, inside one query."""
    unit = world["users"]["liaison"].unit_id
    other = world["ids"]["other_task"]
    db.session.add(TaskContest(task_id=assigned, unit_id=unit, reason="x", filed_on=DAY))
    db.session.add(
        TaskContest(task_id=other, unit_id=_kjj(), reason="x", filed_on=DAY, outcome="insisted")
    )
    db.session.commit()
    assert contested_task_ids() == {assigned}
    query = select(Task.id).where(Task.id.in_([assigned, other]))
    left = db.session.scalars(query.where(Task.id.not_in(open_contest_task_ids()))).all()
    assert left == [other]
