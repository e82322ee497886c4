"""The plan edit page lists the plan's tasks 100 a page (issue 13: 1,000 tasks were 394 KB),
in number order, each section with its own count; the statements do not grow with pages."""

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task
from tracker.units.models import Unit


def _plan(n_tasks: int) -> int:
    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    plan = Plan(key="big", doc_number="测〔2030〕1号", title="大计划", issuer="测试",
                phases=[], kind="policy_document", issued_on=date(2030, 1, 1))  # fmt: skip
    db.session.add(plan)
    db.session.flush()
    sections = [Section(plan_id=plan.id, number=i + 1, label=f"{i + 1}", path=f"{i + 1}",
                        title=f"部分{i}") for i in range(3)]  # fmt: skip
    db.session.add_all(sections)
    db.session.flush()
    db.session.add_all(
        Task(plan_id=plan.id, section_id=sections[i * 3 // n_tasks].id, number=i + 1,
             title=f"任务第{i + 1:03d}条", text="", lead_unit_id=unit_id, status="pending")
        for i in range(n_tasks)
    )  # fmt: skip
    db.session.commit()
    return plan.id


def _rows(page: str) -> list[str]:
    return [line for line in page.splitlines() if 'data-testid="intake-task-' in line]


def test_the_plan_edit_page_shows_100_tasks_a_page(world, client_for, count_statements):
    office = client_for("office")
    plan_id = _plan(250)
    with count_statements() as counter:
        first = office.get(f"/intake/plans/{plan_id}/edit").get_data(as_text=True)
    first_count = counter.count
    assert len(_rows(first)) == 100
    assert "任务第001条" in first and "任务第101条" not in first
    assert 'data-testid="pager"' in first and "page=2" in first
    with count_statements() as counter:
        last = office.get(f"/intake/plans/{plan_id}/edit?page=3").get_data(as_text=True)
    assert counter.count == first_count
    assert len(_rows(last)) == 50 and "任务第250条" in last
    # a page past the end is the last page; every section still shows, with its count
    beyond = office.get(f"/intake/plans/{plan_id}/edit?page=99").get_data(as_text=True)
    assert _rows(beyond) == _rows(last)
    assert all(f"部分{i}" in last for i in range(3))
    # deleting is offered only while no task of the whole plan (not only the page's) was assigned
    assert 'data-testid="plan-delete"' in last
    db.session.execute(
        Task.__table__.update()
        .where(Task.number == 1, Task.plan_id == plan_id)
        .values(status="assigned")
    )
    db.session.commit()
    last = office.get(f"/intake/plans/{plan_id}/edit?page=3").get_data(as_text=True)
    assert 'data-testid="plan-delete"' not in last
