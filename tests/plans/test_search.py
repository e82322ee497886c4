"""Finding work: the search box and the task list — substrings, scope, filters in SQL,
the trigram index kept in step, constant statements, the export."""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import task_light
from tracker.plans.milestones.queries import milestones_by_task
from tracker.plans.milestones.rules import combined_light, milestone_light
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.plans.permissions import task_filter
from tracker.timeutil import today
from tracker.units.models import Unit
from tracker.units.rules import predecessor_closure


def task_ids(page: str) -> set[int]:
    return {int(m) for m in re.findall(r'data-task="(\d+)"', page)}


def all_listed(client, query: str) -> set[int]:
    """Every task id of a filtered list, page after page."""
    found, page = set(), 1
    while True:
        html = client.get(f"/tasks?{query}&page={page}").get_data(as_text=True)
        ids = task_ids(html)
        if not ids or ids <= found:
            return found
        found |= ids
        page += 1


@pytest.mark.parametrize("word", ["孵化", "孵化器", "双创示范", "众创空间"])
def test_search_finds_every_task_holding_the_substring(world, client_for, word):
    tasks = db.session.scalars(select(Task)).all()
    expected = {t.id for t in tasks if word in t.title or word in t.text}
    assert expected or word == "双创示范"
    client = client_for("office")
    assert all_listed(client, f"q={word}") == expected
    page = client.get(f"/search?q={word}").get_data(as_text=True)
    assert f"({len(expected)})" in page


def test_both_incubator_words_are_found_by_their_common_part(world, client_for):
    """ "孵化" (two characters: LIKE on SQLite) finds 孵化器 and 孵化载体."""
    found = all_listed(client_for("office"), "q=孵化")
    texts = [db.session.get(Task, i) for i in found]
    assert any("孵化器" in t.text for t in texts) and any("孵化载体" in t.text for t in texts)


def test_a_liaisons_search_never_returns_another_units_task(world, client_for):
    client = client_for("liaison")
    scope_ids = set(db.session.scalars(select(Task.id).where(task_filter(_scope("fgw")))).all())
    for word in ("孵化", "创新", "建设", "双创", "企业"):
        found = all_listed(client, f"q={word}")
        assert found <= scope_ids, word
    assert world["ids"]["other_task"] not in all_listed(client, "status=pending")
    other = db.session.get(Task, world["ids"]["other_task"])
    page = client.get(f"/search?q={other.title}").get_data(as_text=True)
    assert f'data-task="{other.id}"' not in page
    # a plan with none of its tasks is not named either
    zone = db.session.get(Plan, world["ids"]["other_plan"])
    assert zone.title not in client.get(f"/search?q={zone.title[:6]}").get_data(as_text=True)


def _scope(code):
    rows = db.session.execute(select(Unit.id, Unit.successor_id, Unit.code)).all()
    unit = next(r.id for r in rows if r.code == code)
    return predecessor_closure(unit, {r.id: r.successor_id for r in rows})


def test_plans_and_units_are_found(world, client_for):
    client = client_for("office")
    page = client.get("/search?q=长发〔2017〕").get_data(as_text=True)
    assert "长发〔2017〕29号" in page
    page = client.get("/search?q=科技局").get_data(as_text=True)
    kjj = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    assert f"/tasks?unit={kjj.id}" in page


def test_the_trigram_index_follows_inserts_updates_and_deletes(world, client_for):
    client = client_for("office")
    task = db.session.get(Task, world["ids"]["own_task"])
    assert task.id in all_listed(client, "q=盘活闲置商业用地")
    task.title, task.text = "独一无二的测试标题", "更新后的正文"
    db.session.commit()
    assert all_listed(client, "q=独一无二的测试") == {task.id}
    assert all_listed(client, "q=盘活闲置商业用地") == set()
    clone = Task(
        plan_id=task.plan_id,
        section_id=task.section_id,
        number=999,
        title="另一个奇特标题",
        text="正文含有罕见词语",
        lead_unit_id=task.lead_unit_id,
    )
    db.session.add(clone)
    db.session.commit()
    assert all_listed(client, "q=罕见词语") == {clone.id}
    db.session.delete(clone)
    db.session.commit()
    assert all_listed(client, "q=罕见词语") == set()


@pytest.mark.parametrize(
    "title, text, term",
    [
        ("推进企业孵化", "正文", "孵化"),  # at the end of the title
        ("孵化", "正文", "孵化"),  # the whole title
        ("标题", "正文写到孵化", "孵化"),  # at the end of the text
        ("发展AI产业", "正文", "ai"),  # case folded
        ("标题", "正文", "孵"),  # one character: scanned
    ],
)
def test_short_terms_are_found_wherever_they_stand(world, client_for, title, text, term):
    """Two characters are looked up as the indexed trigrams starting with them (SQLite): the
    line break indexed after each title and text makes the end of either count too."""
    task = db.session.get(Task, world["ids"]["own_task"])
    task.title, task.text = title, text
    db.session.commit()
    expected = {
        t.id
        for t in db.session.scalars(select(Task))
        if term.lower() in t.title.lower() or term.lower() in t.text.lower()
    }
    assert task.id in expected or term == "孵"
    assert all_listed(client_for("office"), f"q={term}") == expected


def test_wildcards_and_quotes_are_plain_text(world, client_for):
    client = client_for("office")
    for q in ("%", "_", '"', "\\", "%25%25", '" OR "', "NEAR(a b)", "*"):
        response = client.get("/tasks", query_string={"q": q})
        assert response.status_code == 200, q
        assert task_ids(response.get_data(as_text=True)) == set(), q
        assert client.get("/search", query_string={"q": q}).status_code == 200


def test_light_and_overdue_filters_agree_with_the_computed_lights(world, client_for):
    """The SQL filter gives each task its combined light: task_light's, made worse by the
    task's milestones (the seeded phase milestones of the zone plan), issue 14."""
    day = today()
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    for i, t in enumerate(tasks):  # spread due dates around today; some closed
        t.due_date = day + timedelta(days=(i % 30) - 12)
        t.status = "closed" if i % 7 == 0 else "assigned"
    db.session.commit()
    calendar = load_calendar()
    milestones = milestones_by_task([t.id for t in tasks])

    def light_of(t):
        return combined_light(
            task_light(t.status, t.due_date, day, calendar, 5),
            [
                milestone_light(t.status, m.due_date, m.done_on, day, calendar, 5)
                for m in milestones[t.id]
            ],
        )

    expected = {
        light: {t.id for t in tasks if light_of(t) == light} for light in ("green", "yellow", "red")
    }
    client = client_for("office")
    for light, ids in expected.items():
        assert all_listed(client, f"light={light}") == ids, light
    assert all_listed(client, "overdue=1") == expected["red"]


def test_filters(world, client_for):
    client = client_for("office")
    plan_id, fgw = world["ids"]["own_plan"], _unit("fgw")
    in_plan = set(db.session.scalars(select(Task.id).where(Task.plan_id == plan_id)))
    assert all_listed(client, f"plan={plan_id}") == in_plan
    lead = set(db.session.scalars(select(Task.id).where(Task.lead_unit_id == fgw)))
    co = set(db.session.scalars(select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id == fgw)))
    assert all_listed(client, f"unit={fgw}&role=lead") == lead
    assert all_listed(client, f"unit={fgw}&role=co") == co
    assert all_listed(client, f"unit={fgw}") == lead | co
    section = db.session.scalar(
        select(Section).where(Section.plan_id == plan_id, Section.number == 2)
    )
    in_section = set(db.session.scalars(select(Task.id).where(Task.section_id == section.id)))
    assert all_listed(client, f"plan={plan_id}&section={section.id}") == in_section
    due = set(db.session.scalars(select(Task.id).where(Task.due_date <= date(2020, 12, 31))))
    assert all_listed(client, "due_to=2020-12-31") == due
    assert all_listed(client, "kind=meeting") == set()
    assert all_listed(client, "kind=policy_document") == set(db.session.scalars(select(Task.id)))
    db.session.execute(
        update(Task).where(Task.id == world["ids"]["own_task"]).values(archived_at=db.func.now())
    )
    db.session.commit()
    assert world["ids"]["own_task"] not in all_listed(client, f"plan={plan_id}")
    assert all_listed(client, "status=archived") == {world["ids"]["own_task"]}


def test_my_unit_is_the_users_unit_and_its_predecessors(world, client_for):
    client = client_for("office")  # the office user belongs to 市科技局
    scope = _scope("kjj")
    expected = set(db.session.scalars(select(Task.id).where(task_filter(scope))))
    assert all_listed(client, "mine=1") == expected


def _unit(code):
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def test_sorting_and_paging_keep_the_filters_in_the_url(world, client_for):
    client = client_for("office")
    html = client.get("/tasks?q=建设&sort=due&desc=1").get_data(as_text=True)
    assert "sort=due" in html and "q=%E5%BB%BA%E8%AE%BE" in html
    assert "/tasks/export.xlsx?q=%E5%BB%BA%E8%AE%BE&amp;sort=due&amp;desc=1" in html
    html = client.get("/tasks?sort=title&desc=1").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'data-task="(\d+)"', html)]
    titles = [db.session.get(Task, i).title for i in shown]
    assert len(shown) == 50 and titles == sorted(titles, reverse=True)
    assert "page=2" in html and "sort=title" in html


def test_bad_filters_are_dropped_with_a_message(world, client_for):
    client = client_for("office")
    for query in ("plan=x", "page=abc", "due_from=2025-02-30", "light=blue", "sort=evil",
                  "page=99999", "plan=99999999999999", "section=5&plan=1"):  # fmt: skip
        assert client.get(f"/tasks?{query}").status_code == 200, query
    html = client.get("/tasks?due_from=2025-02-30").get_data(as_text=True)
    assert "2025-02-30" in html and "flash-warning" in html


def test_export_is_the_list_as_shown(world, client_for):
    client = client_for("liaison")
    response = client.get("/tasks/export.xlsx?q=双创")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    listed = all_listed(client, "q=双创")
    assert len(rows) == len(listed) > 0
    titles = {db.session.get(Task, i).title for i in listed}
    assert {r[3] for r in rows} == titles


@pytest.mark.parametrize("role", ["office", "liaison"])
@pytest.mark.parametrize(
    "path",
    ["/tasks", "/tasks?q=孵化", "/tasks?q=孵化器建设", "/tasks?light=red&overdue=1&sort=lead",
     "/search?q=双创", "/search?q=双创示范基地"],
)  # fmt: skip
def test_list_and_search_pages_cost_the_same_whatever_the_rows(
    world, client_for, count_statements, role, path
):
    client = client_for(role)
    _grow(2, start=2000)  # a few matching rows (an empty list skips loading co-units)
    client.get(path)

    def measure():
        with count_statements() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    small = measure()
    _grow(120)
    assert measure() == small


def _grow(n, start=1000):
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    section = db.session.scalar(select(Section).where(Section.plan_id == plan.id))
    fgw, kjj = _unit("fgw"), _unit("kjj")
    for i in range(n):
        task = Task(
            plan_id=plan.id,
            section_id=section.id,
            number=start + i,
            title=f"孵化器建设双创{i}",
            text="双创示范基地孵化器",
            lead_unit_id=fgw if i % 2 else kjj,
            due_date=today() - timedelta(days=i % 9),
        )
        task.co_unit_links = [TaskCoUnit(unit_id=kjj if i % 2 else fgw, position=1)]
        db.session.add(task)
    db.session.commit()


def test_search_box_is_on_every_page(world, client_for):
    client = client_for("leader")
    for path in ("/", "/plans", "/units"):
        assert 'data-testid="site-search"' in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("query", ["light=green", "light=red&overdue=1", "behind=1"])
def test_counted_filters_show_the_last_page_past_the_end(world, client_for, query):
    """Filters counted on the way (one pass over the matches, a window COUNT) still show
    the last page for a page past the end, with every match listed once."""
    client = client_for("office")
    _grow(60)
    listed = all_listed(client, query)
    last = client.get(f"/tasks?{query}&page=99999").get_data(as_text=True)
    assert task_ids(last) <= listed
    if listed:
        assert task_ids(last)
