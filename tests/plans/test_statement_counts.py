"""List pages cost a constant number of SQL statements whatever the number of rows."""

import pytest
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.audit import record
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.units.models import Unit


def _grow(n_units=15, n_tasks=60):
    """Add units, users, events and a large plan whose tasks each have co-units."""
    units = [
        Unit(
            name=f"测试单位{i}",
            code=f"cs{chr(97 + i % 26)}{chr(97 + i // 26)}x",
            kind="gov_dept",
            aliases=[],
        )
        for i in range(n_units)
    ]
    db.session.add_all(units)
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    plan = Plan(key="big", doc_number="测试〔2026〕1号", title="大计划", issuer="测试", phases=[])
    db.session.add(plan)
    db.session.flush()
    section = Section(plan_id=plan.id, number=1, label="一", title="部分")
    db.session.add(section)
    db.session.flush()
    for i in range(n_tasks):
        task = Task(
            plan_id=plan.id,
            section_id=section.id,
            number=i + 1,
            title=f"任务{i}",
            text="正文",
            lead_unit_id=units[i % n_units].id,
        )
        task.co_unit_links = [
            TaskCoUnit(unit_id=fgw.id, position=1),
            TaskCoUnit(unit_id=units[(i + 1) % n_units].id, position=2),
        ]
        db.session.add(task)
        db.session.flush()
        record("task.seeded", task)
    for i in range(n_units):
        user = User(username=f"u{i}", display_name="U", role="leader", password_hash="x")
        db.session.add(user)
    db.session.commit()
    return plan


PAGES = ["/", "/plans", "/plans/{plan}", "/units", "/admin/users", "/admin/audit", "/tasks/{task}"]


@pytest.mark.parametrize("role", ["admin", "office", "leader", "liaison"])
def test_list_pages_do_not_grow_with_rows(seeded, make_user, login, count_statements, role):
    user = make_user(Role(role), "fgw" if role == "liaison" else None, username=f"x-{role}")
    client = seeded.test_client()
    login(client, user)
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 1))

    def measure(plan_id):
        counts = {}
        for page in PAGES:
            path = page.format(plan=plan_id, task=task.id)
            with count_statements() as counter:
                response = client.get(path)
            counts[page] = (response.status_code, counter.count)
        return counts

    small = measure(plan.id)
    big_plan_id = _grow().id
    large = measure(plan.id)
    assert large == small
    # the large plan's page (60 tasks, 2 co-units each) costs what the real one does
    if role != "liaison":
        with count_statements() as counter:
            assert client.get(f"/plans/{big_plan_id}").status_code == 200
        assert counter.count == small["/plans/{plan}"][1], [
            s[s.find("FROM") :][:60] for s in counter.statements
        ]
    # a page's statements: session user, unit scope, unread count, the page's own queries; the
    # task page composes more panels (milestones and pace, people, a return, linked tasks, a page
    # of history), each one query whatever the rows
    caps = {"/tasks/{task}": 22}
    assert all(n <= caps.get(page, 14) for page, (_status, n) in small.items()), small
