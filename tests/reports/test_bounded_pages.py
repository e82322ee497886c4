"""Issue 13, bounded pages: the liaison's month page, the office's review queue and the
reporting overview show one page each (counts over everything), cost the same number of SQL
statements whatever the number of rows, and the narrowed inputs (one unit, one task, one
page of units) give the same answers as the whole province's."""

import difflib
from datetime import date, datetime, timedelta

import pytest
from lxml import html
from sqlalchemy import select

from tests.support.clock import on
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.reports import queries
from tracker.reports.backlog import EARLIER_PAGE
from tracker.reports.facts import reporting_facts, unit_facts
from tracker.reports.models import ProgressReport
from tracker.reports.month import MONTH_PAGE
from tracker.reports.periods import ensure_period
from tracker.reports.rules import is_late
from tracker.supervision.models import TaskAssignment
from tracker.timeutil import local_date
from tracker.units.models import Unit

TODAY = date(2026, 11, 20)  # a Friday before November's due day


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _grow_tasks(n, lead="fgw", co="kjj", status="in_progress"):
    """A plan of `n` open tasks led by `lead` with `co` as co-unit, each assigned."""
    lead_unit, co_unit = _unit(lead), _unit(co)
    plan = Plan(
        key=f"grow-{n}-{lead}", doc_number=f"测试〔2026〕{n}号", title="扩容", issuer="x", phases=[]
    )
    db.session.add(plan)
    db.session.flush()
    section = Section(plan_id=plan.id, number=1, label="一", title="部分")
    db.session.add(section)
    db.session.flush()
    tasks = []
    for i in range(n):
        task = Task(
            plan_id=plan.id,
            section_id=section.id,
            number=i + 1,
            title=f"扩容任务{i}",
            text="正文",
            status=status,
            lead_unit_id=lead_unit.id,
        )
        task.co_unit_links = [TaskCoUnit(unit_id=co_unit.id, position=1)]
        tasks.append(task)
    db.session.add_all(tasks)
    db.session.flush()
    for task in tasks:
        for unit in (lead_unit, co_unit):
            db.session.add(
                TaskAssignment(
                    task_id=task.id,
                    unit_id=unit.id,
                    assigned_at=datetime(2026, 1, 5),
                    ack_due=date(2026, 1, 12),
                )
            )
    db.session.commit()
    return tasks


def _report(task, unit, period, state, submitted=None, revision=1):
    """A report as services.mark_submitted leaves it (its first submission and lateness)."""
    return ProgressReport(
        task_id=task.id,
        unit_id=unit.id,
        period_id=period.id,
        revision=revision,
        state=state,
        progress="进展",
        percent=50,
        submitted_at=submitted,
        first_submitted_at=submitted,
        first_filed_at=submitted,
        first_late=is_late(local_date(submitted), period.due_date),
    )


LAST = {}


def _count(count_statements, client, path):
    with count_statements() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    LAST.setdefault(path, []).append(
        [s[:30] + s[s.find("FROM") : s.find("FROM") + 60] for s in counter.statements]
    )
    return counter.count, response


def _cards(response):
    page = html.fromstring(response.data)
    return page.xpath("//section[contains(@class, 'report-card')]")


# ---------------------------------------------------------------- the month page


def test_the_month_page_shows_one_page_and_counts_all(open_tasks, client_for, count_statements):
    with on(TODAY):
        liaison = client_for("liaison")
        october = ensure_period(2026, 10)
        ensure_period(2026, 11)  # this month's period exists (it is created on first sight)
        fgw = _unit("fgw")
        own = db.session.get(Task, open_tasks["ids"]["own_task"])
        db.session.add(_report(own, fgw, october, "returned"))
        db.session.commit()
        small, _ = _count(count_statements, liaison, "/reports")
        grown = _grow_tasks(MONTH_PAGE + 12)
        # earlier months: more returned reports than a page holds
        db.session.add_all(_report(t, fgw, october, "returned") for t in grown)
        db.session.commit()
        large, response = _count(count_statements, liaison, "/reports")
        assert large == small, "\n".join(difflib.unified_diff(*LAST["/reports"], lineterm=""))
        cards = _cards(response)
        page = html.fromstring(response.data)
        earlier = page.xpath("//section[@data-testid='earlier-months']")[0]
        assert len(earlier.xpath(".//section[contains(@class,'report-card')]")) == EARLIER_PAGE
        assert len(cards) == EARLIER_PAGE + MONTH_PAGE
        assert page.xpath("//nav[@data-testid='pager']//a[@rel='next']")
        assert page.xpath("//nav[@data-testid='earlier-pager']//a[@rel='next']")
        total = int(page.xpath("//div[@class='summary-bar']/span/b")[0].text)
        assert total > MONTH_PAGE  # the bar counts every task, not the page

        second, response = _count(count_statements, liaison, "/reports?page=2&earlier=2")
        assert second == large
        this_month = min(MONTH_PAGE, total - MONTH_PAGE)
        earlier_second = min(EARLIER_PAGE, len(grown) + 1 - EARLIER_PAGE)
        assert len(_cards(response)) == this_month + earlier_second
        # a page past the end shows the last; a bad number the first
        assert liaison.get("/reports?page=99").status_code == 200
        assert liaison.get("/reports?page=x&earlier=-3").status_code == 200


def test_a_save_comes_back_to_its_page(open_tasks, client_for, report_form):
    with on(TODAY):
        tasks = _grow_tasks(MONTH_PAGE + 5)
        liaison = client_for("liaison")
        last = tasks[-1]
        response = liaison.get("/reports?page=2")
        assert f'action="/reports/save?page=2#task-{last.id}"' in response.text
        response = liaison.post("/reports/save?page=2", data=report_form(last.id))
        assert response.status_code == 302
        # the save lands on its card, whose way back is the month page it was on
        location = response.headers["Location"]
        assert location.endswith(f"/reports/card/{last.id}?page=2#task-{last.id}")
        card = liaison.get(location)
        assert f'href="/reports?page=2#task-{last.id}"' in card.text
        # the first page stays plain /reports
        first = tasks[0]
        response = liaison.post("/reports/save", data=report_form(first.id))
        assert response.headers["Location"].endswith(f"/reports/card/{first.id}#task-{first.id}")
        card = liaison.get(response.headers["Location"])
        assert f'href="/reports#task-{first.id}"' in card.text


def test_one_units_facts_are_the_provinces_for_that_unit(open_tasks):
    with on(TODAY):
        _grow_tasks(8)
        _grow_tasks(5, lead="kjj", co="fgw")
        period = ensure_period(2026, 11)
        db.session.commit()
        province = reporting_facts([])
        for code in ("fgw", "kjj"):
            unit = _unit(code)
            mine = unit_facts(unit.id)
            me = mine.current(unit.id)
            want = {p for p in province.owed(period.due_date, period.key) if p[1] == me}
            got = {p for p in mine.owed(period.due_date, period.key) if p[1] == me}
            assert got == want and want
            some_task = next(iter(want))[0]
            one = unit_facts(unit.id, [some_task])
            assert {p for p in one.owed(period.due_date, period.key) if p[1] == me} == {
                (some_task, me)
            }


def test_a_successors_facts_and_scope_take_in_the_units_it_succeeded(open_tasks):
    """Only reorganised units are read for the successor map (units.services.moved_units): the
    successor's facts and scope still take in its predecessors' work, as the province's."""
    from tracker.units.rules import predecessor_closure
    from tracker.units.services import moved_units, successor_map

    with on(TODAY):
        _grow_tasks(4)
        kjj_tasks = _grow_tasks(3, lead="kjj", co="fgw")
        period = ensure_period(2026, 11)
        fgw, kjj = _unit("fgw"), _unit("kjj")
        kjj.successor_id = fgw.id  # 市科技局 merged into 市发改委
        db.session.commit()
        full = successor_map()
        assert moved_units() == {u: s for u, s in full.items() if s is not None}
        province = reporting_facts([])
        for unit in (fgw, kjj):
            mine = unit_facts(unit.id)
            me = mine.current(unit.id)
            assert me == fgw.id
            want = {p for p in province.owed(period.due_date, period.key) if p[1] == me}
            got = {p for p in mine.owed(period.due_date, period.key) if p[1] == me}
            assert got == want and {t for t, _u in want} >= {t.id for t in kjj_tasks}
        for unit_id in full:
            assert predecessor_closure(unit_id, moved_units()) == predecessor_closure(unit_id, full)
        assert {fgw.id, kjj.id} <= predecessor_closure(fgw.id, full)


# ---------------------------------------------------------------- the review queue


@pytest.fixture
def queue(open_tasks):
    """Submitted reports of 市发改委 and 市科技局 in October and November, some late."""
    with on(TODAY):
        tasks = _grow_tasks(30)
        october, november = ensure_period(2026, 10), ensure_period(2026, 11)
        fgw, kjj = _unit("fgw"), _unit("kjj")
        late = datetime.combine(october.due_date + timedelta(days=3), datetime.min.time())
        early = datetime.combine(october.due_date - timedelta(days=3), datetime.min.time())
        for i, task in enumerate(tasks):
            db.session.add(_report(task, fgw, october, "submitted", late if i % 3 else early))
            db.session.add(_report(task, kjj, november, "draft" if i % 2 else "submitted", None))
        db.session.commit()
    return tasks


@pytest.mark.parametrize("light", ["red", "yellow", "green"])
@pytest.mark.parametrize("state", ["", "submitted", "draft"])
def test_the_queues_light_filter_in_sql_is_the_rule(queue, light, state):
    """The SQL light filter selects exactly the reports whose light (rules.report_light,
    computed row by row) is that light."""
    with on(TODAY):
        everything = queries.review_queue(queries.QueueFilters(state=state or None), TODAY, 10_000)
        want = {r["report"].id for r in everything if r["light"] == light}
        filters = queries.QueueFilters(state=state or None, light=light)
        got = {r["report"].id for r in queries.review_queue(filters, TODAY, 10_000)}
        assert got == want
        assert queries.review_count(queries.prepare_queue(filters, TODAY)) == len(want)


def test_the_review_queue_pages_and_costs_the_same(queue, client_for, count_statements):
    with on(TODAY):
        office = client_for("office")
        first, response = _count(count_statements, office, "/review?state=")
        red, _ = _count(count_statements, office, "/review?light=red&state=")
        assert red == first + 1  # the periods' due dates for the light
        page = html.fromstring(response.data)
        assert len(page.xpath("//section[@data-testid='queue-item']")) == queries.REVIEW_PAGE
        total = len(db.session.scalars(select(ProgressReport.id)).all())
        assert str(total) in page.xpath("//p[@data-testid='queue-total']")[0].text_content()
        next_link = page.xpath("//nav[@data-testid='pager']//a[@rel='next']/@href")[0]
        assert "state=" in next_link and "page=2" in next_link
        second, response = _count(count_statements, office, "/review?state=&page=2")
        assert second == first
        shown = html.fromstring(response.data).xpath("//section[@data-testid='queue-item']")
        assert len(shown) == min(queries.REVIEW_PAGE, total - queries.REVIEW_PAGE)
        _grow_tasks(40, lead="gxj", co="fgw")
        november = ensure_period(2026, 11)
        gxj = _unit("gxj")
        grown = db.session.scalars(select(Task).where(Task.lead_unit_id == gxj.id)).all()
        db.session.add_all(
            _report(t, gxj, november, "submitted", datetime(2026, 11, 2)) for t in grown
        )
        db.session.commit()
        assert _count(count_statements, office, "/review?state=")[0] == first
        assert _count(count_statements, office, "/review?light=red&state=")[0] == red


# ---------------------------------------------------------------- the overview


def test_the_overview_pages_by_unit_and_agrees_with_the_whole(
    queue, client_for, count_statements, monkeypatch
):
    with on(TODAY):
        october = ensure_period(2026, 10)
        db.session.commit()
        whole = {r["unit"].id: r for r in queries.period_overview(october, TODAY)}
        ids = queries.overview_units(october)
        assert set(whole) <= set(ids)
        paged = {}
        for start in range(0, len(ids), 2):
            for row in queries.period_overview(october, TODAY, ids[start : start + 2]):
                paged[row["unit"].id] = row
        assert paged == whole

        office = client_for("office")
        monkeypatch.setattr(queries, "OVERVIEW_PAGE", 1)
        first, response = _count(count_statements, office, f"/reports/overview?period={october.id}")
        page = html.fromstring(response.data)
        assert len(page.xpath("//table[@data-testid='overview']/tbody/tr[td/a]")) <= 1
        assert page.xpath("//nav[@data-testid='pager']//a[@rel='next']")
        second, _ = _count(
            count_statements, office, f"/reports/overview?period={october.id}&page=2"
        )
        assert second == first
