"""A unit's dashboard page shows its tasks 50 at a time, worst light first (lights, counts
and order from SQL), for the same statements however many tasks the unit has."""

from datetime import date, timedelta

from lxml import html
from sqlalchemy import func, select

from tracker.dashboard.drilldown import UNIT_PAGE
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task
from tracker.units.models import Unit


def _tasks(n: int, key: str) -> None:
    kjj = db.session.scalar(select(Unit.id).where(Unit.code == "kjj"))
    plan = Plan(key=key, title="大计划", issuer="测试", phases=[])
    db.session.add(plan)
    db.session.flush()
    section = Section(plan_id=plan.id, number=1, label="一", title="部分")
    db.session.add(section)
    db.session.flush()
    db.session.execute(
        Task.__table__.insert(),
        [
            {
                "plan_id": plan.id,
                "section_id": section.id,
                "number": i + 1,
                "title": f"任务{i + 1}",
                "text": "",
                "lead_unit_id": kjj,
                "status": "in_progress",
                "due_date": date(2020, 1, 1) if i % 7 == 0 else date.today() + timedelta(days=400),
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def test_a_units_tasks_are_paged_worst_first(world, client_for, count_statements):
    unit = world["ids"]["unit"]  # 市科技局 (kjj)
    client = client_for("leader")

    def get(path):
        with count_statements() as counter:
            response = client.get(path)
        assert response.status_code == 200, path
        return html.fromstring(response.data), counter.count

    _doc, small = get(f"/dashboard/units/{unit}")
    _tasks(2 * UNIT_PAGE + 30, "big-a")
    doc, first = get(f"/dashboard/units/{unit}")
    assert first == small
    leads = db.session.scalar(
        select(func.count()).select_from(Task).where(Task.lead_unit_id == unit)
    )
    rows = doc.xpath("//tr[@data-testid='unit-task']")
    assert len(rows) == UNIT_PAGE
    total = int(doc.xpath("//dd[@data-testid='figure-tasks']")[0].text_content())
    assert total >= leads >= 2 * UNIT_PAGE + 30  # as lead unit or co-unit
    order = {"red": 0, "yellow": 1, "green": 2}
    lights = [order[r.get("data-light")] for r in rows]
    assert lights == sorted(lights) and lights[0] == 0
    assert doc.xpath("//nav[@data-testid='unit-pager']/a[@rel='next']")
    last = -(-total // UNIT_PAGE)
    doc, count = get(f"/dashboard/units/{unit}?page={last}")
    assert count == first
    assert len(doc.xpath("//tr[@data-testid='unit-task']")) == total - (last - 1) * UNIT_PAGE
    for page in ("0", "-1", "abc", "99999"):
        get(f"/dashboard/units/{unit}?page={page}")
