"""The office's queue chooses a page of overdue acknowledgements and unanswered
instructions on narrow rows (workflow.queries.paged_narrow): every page, and a page past
the end, is the page the plain one-query `paged` gives."""

from datetime import date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.supervision.models import Instruction, TaskAssignment
from tracker.supervision.workflow.queries import paged, paged_narrow
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(datetime(2026, 11, 2, 10, tzinfo=LOCAL_TZ)):
        yield


def _late_work(world):
    """11 tasks with an assignment not acknowledged (same due day for some: the id breaks
    ties), one of them closed (not listed), and instructions with equal due days."""
    leader = world["users"]["leader"]
    units = list(db.session.scalars(select(Unit).order_by(Unit.id).limit(3)))
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.plan.has(Plan.key == "czgxq-shuangchuang-2021"))
            .order_by(Task.number)
            .limit(11)
        )
    )
    for n, task in enumerate(tasks):
        task.status = "closed" if n == 4 else "in_progress"
        for unit in units[: 1 + n % 3]:
            db.session.add(
                TaskAssignment(
                    task_id=task.id,
                    unit_id=unit.id,
                    ack_due=date(2026, 10, 1 + n % 4),
                    acknowledged_at=datetime(2026, 10, 2) if n == 7 else None,
                )
            )
        db.session.add(
            Instruction(
                task_id=task.id,
                author_id=leader.id,
                text="抓紧",
                answer_due=date(2026, 10, n % 2 + 1),
            )
        )
    db.session.commit()


def _pages(narrow, plain, size=4):
    for page in (1, 2, 3, 4, 5, 99):
        a, b = narrow(page, size), plain(page, size)
        assert (a.rows, a.total, a.page, a.pages) == (b.rows, b.total, b.page, b.pages), page


def test_narrow_pages_equal_the_one_query_pages(app, world):
    _late_work(world)
    today = date(2026, 11, 2)
    order = (TaskAssignment.ack_due, TaskAssignment.id)
    where = (
        TaskAssignment.acknowledged_at.is_(None),
        TaskAssignment.ack_due < today,
        Task.status != "closed",
    )
    full = (
        select(TaskAssignment, Task)
        .join(Task, Task.id == TaskAssignment.task_id)
        .options(joinedload(TaskAssignment.unit), joinedload(Task.plan))
        .order_by(*order)
    )
    _pages(
        lambda page, size: paged_narrow(
            select(TaskAssignment.id)
            .join(Task, Task.id == TaskAssignment.task_id)
            .where(*where)
            .order_by(*order),
            TaskAssignment.id,
            full,
            page,
            size,
        ),
        lambda page, size: paged(full.where(*where), page, size),
    )
    order = (Instruction.answer_due, Instruction.id)
    full = select(Instruction, Task).join(Task, Task.id == Instruction.task_id).order_by(*order)
    _pages(
        lambda page, size: paged_narrow(
            select(Instruction.id).where(Instruction.answer.is_(None)).order_by(*order),
            Instruction.id,
            full,
            page,
            size,
        ),
        lambda page, size: paged(full.where(Instruction.answer.is_(None)), page, size),
    )


def test_an_empty_queue_is_one_empty_page(app, world):
    section = paged_narrow(
        select(Instruction.id).where(Instruction.answer.is_(None)).order_by(Instruction.id),
        Instruction.id,
        select(Instruction, Task).join(Task, Task.id == Instruction.task_id),
        3,
    )
    assert (section.rows, section.total, section.page, section.pages) == ([], 0, 1, 1)


def test_lagging_tasks_past_the_end_show_the_last_page(app, world):
    """/notices' lagging tasks are counted with their page; a page past the end (or a
    list with nothing red) is the last page, its total the SQL count."""
    from tracker.supervision.notices import services as notices  # noqa: PLC0415

    tasks = list(db.session.scalars(select(Task).order_by(Task.id).limit(9)))
    for task in tasks:
        task.status, task.due_date = "in_progress", date(2026, 3, 1)
    db.session.commit()
    today = date(2026, 10, 12)
    first = notices.lagging_tasks(today, 1, 2)
    last = notices.lagging_tasks(today, first["pages"], 2)
    past = notices.lagging_tasks(today, 999, 2)
    assert first["total"] >= 9 and len(first["rows"]) == 2
    assert (past["page"], past["pages"], past["total"]) == (
        last["page"],
        last["pages"],
        first["total"],
    )
    assert [t.id for t, _ in past["rows"]] == [t.id for t, _ in last["rows"]]
    nothing = notices.lagging_tasks(date(2020, 1, 1), 5, 2)
    assert (nothing["rows"], nothing["total"], nothing["page"], nothing["pages"]) == ([], 0, 1, 1)
