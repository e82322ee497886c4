"""The plan page at any size: a plan of up to PAGE_SIZE tasks shows every section open; a
larger one shows its sections' outline (tasks by light, counted in SQL) and one section's
tasks a page at a time, for the same number of statements whatever the plan's size."""

from datetime import date, timedelta

from lxml import html
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task
from tracker.plans.plan_page import PAGE_SIZE
from tracker.units.models import Unit


def _big_plan(n_tasks: int, key: str = "big") -> tuple[int, list[int]]:
    """A plan of two sections: section 1 holds all tasks but three, section 2 three; every
    tenth task overdue, led by 市发改委 (fgw) or 市科技局 (kjj) in turn."""
    fgw, kjj = (db.session.scalar(select(Unit.id).where(Unit.code == c)) for c in ("fgw", "kjj"))
    plan = Plan(
        key=key, doc_number=f"测试〔2026〕{n_tasks}号", title="大计划", issuer="测试", phases=[]
    )
    db.session.add(plan)
    db.session.flush()
    sections = [
        Section(plan_id=plan.id, number=i, label=lbl, title=f"部分{lbl}")
        for i, lbl in ((1, "一"), (2, "二"))
    ]
    db.session.add_all(sections)
    db.session.flush()
    db.session.execute(
        Task.__table__.insert(),
        [
            {
                "plan_id": plan.id,
                "section_id": sections[1 if i >= n_tasks - 3 else 0].id,
                "number": i + 1,
                "title": f"任务{i + 1}",
                "text": "",
                "lead_unit_id": fgw if i % 2 else kjj,
                "status": "in_progress",
                "due_date": date(2020, 1, 1) if i % 10 == 0 else date.today() + timedelta(days=400),
            }
            for i in range(n_tasks)
        ],
    )
    db.session.commit()
    return plan.id, [s.id for s in sections]


def _doc(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return html.fromstring(response.data), len(response.data)


def test_a_small_plan_shows_every_section_open(world, client_for):
    doc, _size = _doc(client_for("office"), f"/plans/{world['ids']['own_plan']}")
    assert not doc.xpath("//*[@data-testid='plan-outline']")
    assert len(doc.xpath("//tr[@data-testid='task-row']")) > 1


def test_a_large_plan_is_shown_section_by_section(world, client_for):
    plan, (first, second) = _big_plan(2 * PAGE_SIZE + 50)
    client = client_for("office")
    doc, size = _doc(client, f"/plans/{plan}")
    outline = doc.xpath("//tr[@data-testid='outline-row']")
    assert [r.get("data-section-id") for r in outline] == [str(first), str(second)]
    cells = [c.text_content().strip() for c in outline[0].xpath("./td")[1:]]
    assert cells == [str(2 * PAGE_SIZE + 47), "25", "0", str(2 * PAGE_SIZE + 22)]
    rows = doc.xpath("//tr[@data-testid='task-row']")
    assert len(rows) == PAGE_SIZE and rows[0].xpath("./td")[0].text_content() == "1"
    assert doc.xpath("//nav[@data-testid='section-pager']/a[@rel='next']")
    doc, _ = _doc(client, f"/plans/{plan}?section={first}&page=3")
    assert len(doc.xpath("//tr[@data-testid='task-row']")) == 47
    assert not doc.xpath("//nav[@data-testid='section-pager']/a[@rel='next']")
    doc, _ = _doc(client, f"/plans/{plan}?section={second}")
    assert len(doc.xpath("//tr[@data-testid='task-row']")) == 3
    assert size < 200_000


def test_bad_section_and_page_are_the_first(world, client_for):
    plan, (first, _second) = _big_plan(PAGE_SIZE + 10)
    client = client_for("office")
    for query in ("section=abc", "section=999999", "page=-1", "page=99999", "section=0&page=x"):
        doc, _ = _doc(client, f"/plans/{plan}?{query}")
        assert doc.xpath("//tr[@data-testid='task-row']"), query


def test_a_liaison_sees_only_its_tasks_of_a_large_plan(world, client_for):
    plan, (first, _second) = _big_plan(2 * PAGE_SIZE + 50)
    doc, _ = _doc(client_for("liaison"), f"/plans/{plan}?section={first}")
    cells = doc.xpath("//tr[@data-testid='outline-row']")[0].xpath("./td")
    assert cells[1].text_content().strip() == str(PAGE_SIZE + 23)  # fgw leads every other task
    assert len(doc.xpath("//tr[@data-testid='task-row']")) == PAGE_SIZE


def test_the_plan_page_costs_the_same_statements_whatever_its_size(
    world, client_for, count_statements
):
    client = client_for("office")

    def cost(path):
        with count_statements() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    plan, _sections = _big_plan(PAGE_SIZE + 10, "big1")
    bigger, _sections = _big_plan(8 * PAGE_SIZE, "big2")
    assert cost(f"/plans/{plan}") == cost(f"/plans/{bigger}")
    assert cost(f"/plans/{plan}?page=2") == cost(f"/plans/{bigger}?page=5")
