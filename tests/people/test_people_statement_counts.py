"""The people pages cost a fixed number of SQL statements whatever the number of tasks,
sections, responsible persons and milestones (我分管的, the home page, both wall charts)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.timeutil import utcnow
from tracker.units.models import Unit


def _plan_with(n_tasks: int, leader_id: int, key: str) -> Plan:
    """A plan led by `leader_id`, with nested sections (one names another leader's …
    no: the same leader), tasks with co-units, persons and milestones."""
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    kjj = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    plan = Plan(
        key=key,
        doc_number=f"测试〔2026〕{key}号",
        title=key,
        issuer="测试",
        phases=[],
        period_start=date(2021, 1, 1),
        period_end=date(2023, 12, 31),
    )
    db.session.add(plan)
    db.session.flush()
    top = Section(plan_id=plan.id, number=1, label="一", title="上")
    db.session.add(top)
    db.session.flush()
    child = Section(plan_id=plan.id, number=2, label="(一)", title="下", parent_id=top.id)
    db.session.add(child)
    db.session.flush()
    db.session.add(LeaderInCharge(plan_id=plan.id, user_id=leader_id, set_at=utcnow()))
    db.session.add(LeaderInCharge(section_id=top.id, user_id=leader_id, set_at=utcnow()))
    for i in range(n_tasks):
        task = Task(
            plan_id=plan.id,
            section_id=(top if i % 2 else child).id,
            number=i + 1,
            title=f"任务{i}",
            text="正文",
            lead_unit_id=fgw.id,
            status="assigned",
            due_date=date(2021, 6, 30) + timedelta(days=20 * i),
        )
        task.co_unit_links = [TaskCoUnit(unit_id=kjj.id, position=1)]
        db.session.add(task)
        db.session.flush()
        db.session.add(
            ResponsiblePerson(
                task_id=task.id, unit_id=fgw.id, name=f"人{i}", phone="123", updated_at=utcnow()
            )
        )
        db.session.add(
            Milestone(
                task_id=task.id, due_date=date(2022, 1, 1), deliverable="节点", source="manual"
            )
        )
    db.session.commit()
    return plan


@pytest.mark.parametrize("role", ["leader", "office"])
def test_people_pages_do_not_grow_with_tasks(seeded, make_user, login, count_statements, role):
    leader = make_user(Role.LEADER, username="in-charge")
    viewer = leader if role == "leader" else make_user(Role.OFFICE, "kjj", username="office-x")
    client = seeded.test_client()
    login(client, viewer)
    small_plan = _plan_with(3, leader.id, "small")

    pages = [f"/leaders/{leader.id}/wall-chart", "/plans/{plan}/wall-chart"]
    if role == "leader":
        pages += ["/leading", "/"]

    def measure(plan_id):
        counts = {}
        for page in pages:
            with count_statements() as counter:
                response = client.get(page.format(plan=plan_id))
            assert response.status_code == 200, page
            counts[page] = counter.count
        return counts

    small = measure(small_plan.id)
    big_plan = _plan_with(80, leader.id, "big")
    large = measure(big_plan.id)
    assert large == small
    assert all(n <= 20 for n in small.values()), small
