"""The intake pages cost a fixed number of SQL statements, whatever the number of sections,
tasks, co-units, sub-tasks, reassignments, units and plans (tests/plans/test_statement_counts
does the same for the list pages; /tasks and /search are in tests/plans/test_search)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskUnitChange
from tracker.units.models import Unit

PAGES = [
    "/intake/plans/{plan}/edit",
    "/intake/tasks/{task}/edit",
    "/intake/plans/{plan}/tasks/new",
    "/intake/quick",
    "/intake/plans/new",
    "/intake/deadlines",
    "/plans/import",
]


def _units(n: int, prefix: str) -> list[int]:
    units = [
        Unit(name=f"{prefix}单位{i}", code=f"{prefix}{i}", kind="gov_dept", aliases=[])
        for i in range(n)
    ]
    db.session.add_all(units)
    db.session.flush()
    return [u.id for u in units]


def _plan(key: str, n_sections: int, n_tasks: int, unit_ids: list[int]) -> tuple[int, int]:
    """A plan of `n_sections` top sections, each with a nested one, and `n_tasks` tasks with
    two co-units each; its first task has `n_tasks` sub-tasks and as many reassignments.
    Returns (plan id, first task id)."""
    plan = Plan(key=key, doc_number=f"测〔2030〕{key}号", title=f"计划{key}", issuer="测试",
                phases=[], kind="meeting", issued_on=date(2030, 1, 1))  # fmt: skip
    db.session.add(plan)
    db.session.flush()
    sections = []
    for i in range(n_sections):
        top = Section(plan_id=plan.id, number=2 * i + 1, label=f"{i + 1}", path=f"{i + 1}",
                      title=f"部分{i}")  # fmt: skip
        db.session.add(top)
        db.session.flush()
        nested = Section(plan_id=plan.id, number=2 * i + 2, label="(一)", path=f"{i + 1}(一)",
                         title=f"小节{i}", parent_id=top.id)  # fmt: skip
        db.session.add(nested)
        db.session.flush()
        sections += [top.id, nested.id]
    tasks = []
    for i in range(n_tasks):
        task = Task(plan_id=plan.id, section_id=sections[i % len(sections)], number=i + 1,
                    title=f"任务{key}{i}", text="正文", lead_unit_id=unit_ids[i % len(unit_ids)],
                    due_date=date(2030, 6, 30),
                    status="assigned" if i % 2 else "pending")  # fmt: skip
        task.co_unit_links = [
            TaskCoUnit(unit_id=unit_ids[(i + 1) % len(unit_ids)], position=1),
            TaskCoUnit(unit_id=unit_ids[(i + 2) % len(unit_ids)], position=2),
        ]
        db.session.add(task)
        db.session.flush()
        tasks.append(task)
    first = tasks[0]
    for i in range(n_tasks):
        db.session.add(Task(plan_id=plan.id, section_id=first.section_id, number=1000 + i,
                            title=f"子任务{i}", text="", lead_unit_id=unit_ids[i % len(unit_ids)],
                            parent_id=first.id))  # fmt: skip
        db.session.add(TaskUnitChange(task_id=first.id, unit_id=unit_ids[i % len(unit_ids)],
                                      role="co", change="added" if i % 2 else "removed",
                                      period="2030-01", reason="改派",
                                      changed_at=datetime(2030, 1, 5, tzinfo=UTC)))  # fmt: skip
    db.session.commit()
    return plan.id, first.id


@pytest.mark.parametrize("role", ["office", "admin"])
def test_intake_pages_do_not_grow_with_rows(world, client_for, count_statements, role):
    client = client_for(role)
    base_units = list(db.session.scalars(select(Unit.id).order_by(Unit.id).limit(3)))
    small = _plan("s", 1, 2, base_units)

    def measure(plan_id, task_id):
        counts = {}
        for page in PAGES:
            path = page.format(plan=plan_id, task=task_id)
            with count_statements() as counter:
                response = client.get(path)
            counts[page] = (response.status_code, counter.count)
        return counts

    before = measure(*small)
    # many more units and plans (the menus), and a plan ten times larger
    more_units = _units(30, "zz")
    for i in range(5):
        _plan(f"x{i}", 1, 1, more_units)
    large = _plan("l", 10, 40, more_units + base_units)
    assert measure(*small) == before
    assert measure(*large) == before
    if role == "office":
        assert all(status == 200 for status, _n in before.values()), before
    else:  # the admin sets the default deadlines and may download the import template
        assert before["/intake/deadlines"][0] == 200
