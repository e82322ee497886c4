"""The leaders' dashboard shows the right figures, counted by hand from a small known world,
and costs a constant number of SQL statements whatever the number of rows.

The world (today = Friday 2026-11-20 in Beijing; every other task due 2027-12-31, pending,
so green). 长发〔2017〕29号:
- section (一): task 1 市发改委, in progress, due 2020-12-31 → red; task 2 市科技局, closed
  on 2026-10-10 → green; task 3 市科技局, in progress, due Tuesday 2026-11-24 (2 working
  days) → yellow; task 4 市中小企业局, assigned, due 2027-06-30 → green; task 5 市科技局,
  pending, due 2020-12-31 → red (co-units 市人社局 and 市农委, now 市农业农村局);
- section (二): task 6 市经信委 (now 市工信局), in progress, due 2020-12-31 → red.
Reporting: September due 09-25, October due 10-26. Assigned on 09-01: task 1 → 市发改委,
tasks 2 and 3 → 市科技局, task 6 → 市经信委; task 4 → 市中小企业局 on 10-28.
- September owes 4: task 1 in 09-24 (on time), task 3 in 09-28 (late), task 2 and task 6
  never (missing);
- October owes 3 (task 2 closed before the due date, task 4 assigned after it): task 1 in
  10-26 23:30 Beijing (on time; its correction of 11-02 does not make it late), task 3 in
  10-27 00:30 Beijing (late, though still 10-26 in UTC), task 6 never (missing); task 4's
  report of 10-20 was not owed and counts as on time.
Scorecards: 2026-10 市发改委 98, 市科技局 95.5, 市工信局 90; 2026-09 市发改委 97, 市科技局 99.
"""

import json
from dataclasses import astuple
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import html
from sqlalchemy import delete, select, update
from support.clock import on

from tracker.dashboard import queries as dashboard
from tracker.dashboard.stored import refresh_punctuality
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.milestones.pace import refresh_pace
from tracker.plans.milestones.queries import behind_pace_ids
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.scoring import rules, standings
from tracker.scoring.models import Scorecard, ScoreEntry
from tracker.supervision.models import TaskAssignment
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

TODAY = date(2026, 11, 20)
FAR = date(2027, 12, 31)
OLD = date(2020, 12, 31)


@pytest.fixture(autouse=True)
def frozen():
    """Every test runs at 10:00 in Beijing on TODAY (pytest's own clock keeps running)."""
    with on(TODAY):
        yield


def beijing(year, month, day, hour=10, minute=0):
    """A Beijing moment, stored as naive UTC like every stored time."""
    moment = datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _assign(task_id, unit_id, at):
    db.session.add(TaskAssignment(task_id=task_id, unit_id=unit_id, assigned_at=at, ack_due=FAR))


def _report(period, task_id, unit_id, first, revision=1):
    """A submitted report whose first submission was at `first`."""
    db.session.add(
        ProgressReport(
            task_id=task_id,
            unit_id=unit_id,
            period_id=period.id,
            revision=revision,
            state="submitted",
            progress="进展",
            percent=50,
            submitted_at=first,
            first_submitted_at=first,
        )
    )


def _scorecard(period, unit_id, amounts, rank):
    """A stored scorecard of 100 + the amounts, with one entry per amount."""
    card = Scorecard(
        period=period,
        unit_id=unit_id,
        rank=rank,
        rule_set_version=1,
        computed_on=TODAY,
        score=100 + sum(amounts),
        deductions=sum(a for a in amounts if a < 0),
        credits=sum(a for a in amounts if a > 0),
    )
    card.entries = [
        ScoreEntry(
            position=i, rule="manual_adjustment", amount=a, event_type="adjustment", event_id=i
        )
        for i, a in enumerate(amounts)
    ]
    db.session.add(card)


@pytest.fixture
def dash(world):
    """The world of the module docstring: task ids by number, unit ids by code, the plan and
    its first section."""
    plan = world["ids"]["own_plan"]
    tasks = dict(db.session.execute(select(Task.number, Task.id).where(Task.plan_id == plan)).all())
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    db.session.execute(update(Task).values(due_date=FAR, status="pending"))
    # the seeded phase milestones (2021–2023, never marked done) would turn the zone plan's
    # tasks red (the combined light); this world counts deadline lights only
    db.session.execute(delete(Milestone))
    for number, values in {
        1: {"status": "in_progress", "due_date": OLD},
        2: {"status": "closed", "due_date": date(2026, 12, 31), "closed_at": beijing(2026, 10, 10)},
        3: {"status": "in_progress", "due_date": date(2026, 11, 24)},
        4: {"status": "assigned", "due_date": date(2027, 6, 30)},
        5: {"due_date": OLD},
        6: {"status": "in_progress", "due_date": OLD},
    }.items():
        db.session.execute(update(Task).where(Task.id == tasks[number]).values(**values))
    for number, code in [(1, "fgw"), (2, "kjj"), (3, "kjj"), (6, "jxw")]:
        _assign(tasks[number], units[code], beijing(2026, 9, 1))
    _assign(tasks[4], units["zxqyj"], beijing(2026, 10, 28))
    sep = ReportingPeriod(year=2026, month=9, due_day=25, due_date=date(2026, 9, 25))
    oct_ = ReportingPeriod(year=2026, month=10, due_day=25, due_date=date(2026, 10, 26))
    db.session.add_all([sep, oct_])
    db.session.flush()
    _report(sep, tasks[1], units["fgw"], beijing(2026, 9, 24))
    _report(sep, tasks[3], units["kjj"], beijing(2026, 9, 28))
    _report(oct_, tasks[1], units["fgw"], beijing(2026, 10, 26, 23, 30))
    _report(oct_, tasks[1], units["fgw"], beijing(2026, 11, 2), revision=2)
    _report(oct_, tasks[3], units["kjj"], beijing(2026, 10, 27, 0, 30))
    _report(oct_, tasks[4], units["zxqyj"], beijing(2026, 10, 20))
    _scorecard("2026-10", units["fgw"], [Decimal(-2)], 1)
    _scorecard("2026-10", units["kjj"], [Decimal(-5), Decimal("0.5")], 2)
    _scorecard("2026-10", units["gxj"], [Decimal(-10)], 3)
    _scorecard("2026-09", units["fgw"], [Decimal(-3)], 1)
    _scorecard("2026-09", units["kjj"], [Decimal(-1)], 1)
    refresh_pace(TODAY)  # the stored pace the sweep of TODAY keeps (task_pace)
    db.session.commit()
    first = db.session.scalar(
        select(Section.id).where(Section.plan_id == plan, Section.number == 1)
    )
    zone = db.session.scalar(select(Plan.id).where(Plan.key == "czgxq-shuangchuang-2021"))
    return {"tasks": tasks, "units": units, "plan": plan, "section": first, "zone": zone}


@pytest.fixture
def read(app, world, login):
    """read(path, role="leader") -> (status, lxml document) in English; a page whose charts
    load from a URL (data-src) gets that JSON in its data-dashboard attribute, as drawn."""

    def get(path, role="leader"):
        client = app.test_client()
        client.set_cookie("tracker_lang", "en")
        assert login(client, world["users"][role]).status_code == 302
        response = client.get(path)
        doc = html.fromstring(response.get_data(as_text=True))
        data = doc.xpath("//*[@id='dashboard-data'][@data-src]")
        if data:  # the dashboard's charts come from their own URL: read it as the page does
            fetched = client.get(data[0].get("data-src"))
            assert fetched.status_code == 200 and fetched.is_json
            assert len(fetched.data) < 20_000
            data[0].set("data-dashboard", fetched.get_data(as_text=True))
        return response.status_code, doc

    return get


def by_id(doc, testid):
    found = doc.xpath(f"//*[@data-testid='{testid}']")
    assert len(found) == 1, (testid, len(found))
    return found[0]


def text(node):
    return " ".join(node.text_content().split())


def rows(table):
    """Each body row of a table as "cell | cell | …"."""
    return [" | ".join(text(td) for td in tr.xpath("./td")) for tr in table.xpath("./tbody/tr")]


def charts(doc):
    return json.loads(doc.get_element_by_id("dashboard-data").get("data-dashboard"))


# --- the dashboard ----------------------------------------------------------------------


def test_key_figures(dash, read):
    status, doc = read("/dashboard")
    assert status == 200
    names = ("tasks", "red", "yellow", "red-units", "on-time")
    assert [text(by_id(doc, f"figure-{k}")) for k in names] == ["87", "3", "1", "3", "2 / 4"]


def test_plan_progress_by_light_and_status(dash, read):
    _status, doc = read("/dashboard")
    table = by_id(doc, "plan-progress")
    assert " | ".join(text(th) for th in table.xpath("./thead/tr/th")) == (
        "Plan | Tasks | Overdue | Due soon | On track | Not yet assigned | Assigned | In progress"
        " | Closed"
    )
    got = {
        tr.get("data-plan-id"): rows(table)[i].split(" | ", 1)[1]
        for i, tr in enumerate(table.xpath("./tbody/tr"))
    }
    assert got == {
        str(dash["plan"]): "40 | 3 | 1 | 36 | 35 | 1 | 3 | 1",
        str(dash["zone"]): "47 | 0 | 0 | 47 | 47 | 0 | 0 | 0",
    }


def test_plan_progress_by_section(dash, read):
    _status, doc = read("/dashboard")
    sections = rows(by_id(doc, f"sections-{dash['plan']}"))
    assert sections[0].endswith("工程 | 5 | 2 | 1 | 2")  # (一): tasks 1 and 5 red, 3 yellow
    assert sections[1].endswith("工程 | 4 | 1 | 0 | 3")  # (二): task 6 red
    assert all(" | 0 | 0 | " in row for row in sections[2:])


def test_ranking_with_trend(dash, read):
    _status, doc = read("/dashboard")
    table = by_id(doc, "ranking")
    assert "Trend 2026-05 – 2026-10" in text(table.xpath("./thead")[0])
    trends = [
        " ".join(text(s) for s in node.xpath("./span"))
        for node in doc.xpath("//*[@data-testid='trend']")
    ]
    assert [r.rsplit(" | ", 1)[0] for r in rows(table)] == [
        "1 | 市发改委 | 98",
        "2 | 市科技局 | 95.5",
        "3 | 市工信局 | 90",
    ]
    assert trends == ["— — — — 97 98", "— — — — 99 95.5", "— — — — — 90"]
    data = charts(doc)
    assert data["charts"]["ranking"]["categories"] == ["市发改委", "市科技局", "市工信局"]
    assert data["charts"]["ranking"]["series"][0]["data"] == [98, 95.5, 90]
    spark = data["sparks"][f"unit-{dash['units']['kjj']}"]["data"]
    assert spark == [None, None, None, None, 99, 95.5]
    assert not doc.xpath("//*[@data-testid='ranking-missing']")


def test_no_scorecard_for_last_month_is_said(world, read):
    _status, doc = read("/dashboard")
    assert "No scorecard is stored for 2026-10 yet" in text(by_id(doc, "ranking-missing"))
    assert not doc.xpath("//*[@data-testid='ranking']")


def test_overdue_tasks_by_current_unit(dash, read):
    _status, doc = read("/dashboard")
    table = by_id(doc, "overdue-units")
    assert rows(table) == ["市发改委 | 1", "市工信局 | 1", "市科技局 | 1"]
    units = dash["units"]
    links = [f"/dashboard/units/{units[code]}" for code in ("fgw", "gxj", "kjj")]
    assert table.xpath(".//a/@href") == links
    overdue = charts(doc)["charts"]["overdue"]
    assert overdue["categories"] == ["市发改委", "市工信局", "市科技局"]
    assert overdue["series"][0]["data"] == [1, 1, 1]


def test_punctuality_by_month(dash, read):
    _status, doc = read("/dashboard")
    # month | due date | on time | late | missing | not yet due
    assert rows(by_id(doc, "punctuality-months")) == [
        "2026-05 | 2026-05-25 | 0 | 0 | 0 | 0",
        "2026-06 | 2026-06-25 | 0 | 0 | 0 | 0",
        "2026-07 | 2026-07-27 | 0 | 0 | 0 | 0",  # the 25th is a Saturday
        "2026-08 | 2026-08-25 | 0 | 0 | 0 | 0",
        "2026-09 | 2026-09-25 | 1 | 1 | 2 | 0",
        "2026-10 | 2026-10-26 | 2 | 1 | 1 | 0",
    ]
    series = {s["name"]: s["data"] for s in charts(doc)["charts"]["punctuality"]["series"]}
    assert series == {
        "On time": [0, 0, 0, 0, 1, 2],
        "Late": [0, 0, 0, 0, 1, 1],
        "Missing": [0, 0, 0, 0, 2, 1],
    }


def test_punctuality_by_unit_last_month(dash, read):
    _status, doc = read("/dashboard")
    # unit | expected | on time | late | missing | not yet due; most missing, then late first
    assert rows(by_id(doc, "punctuality-units")) == [
        "市工信局 | 1 | 0 | 0 | 1 | 0",
        "市科技局 | 1 | 0 | 1 | 0 | 0",
        "市发改委 | 1 | 1 | 0 | 0 | 0",
        "市中小企业局 | 0 | 1 | 0 | 0 | 0",
    ]


def test_charts_wait_for_javascript_and_have_data(dash, read):
    """Each chart box is hidden until dashboard.js draws it and has its figures in the
    page's data attribute; the page has no inline script, only the vendored ECharts,
    dashboard.js and the site's tracker.js."""
    _status, doc = read("/dashboard")
    boxes = doc.xpath("//*[@data-chart]")
    assert {b.get("data-chart") for b in boxes} == set(charts(doc)["charts"])
    assert all(b.get("hidden") is not None for b in boxes)
    scripts = doc.xpath("//script[@src]/@src")
    assert any("vendor/echarts/5.6.0/echarts.min.js" in s for s in scripts)
    assert any("js/dashboard.js" in s for s in scripts)
    inline = doc.xpath("//script[not(@src)]")
    assert inline == []


def test_vendored_echarts_is_served_with_its_licence(app):
    client = app.test_client()
    for name in ("echarts.min.js", "LICENSE", "NOTICE"):
        response = client.get(f"/static/vendor/echarts/5.6.0/{name}")
        assert response.status_code == 200, name
        response.close()
    readme = client.get("/static/vendor/README.md").get_data(as_text=True)
    assert "Apache ECharts" in readme and "5.6.0" in readme and "Apache-2.0" in readme


def test_chinese_is_the_default(dash, app, world, login):
    client = app.test_client()
    login(client, world["users"]["office"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "市发改委" in page


# --- drill-down -------------------------------------------------------------------------


def test_plan_page_counts_sections_and_statuses(dash, read):
    status, doc = read(f"/dashboard/plans/{dash['plan']}")
    assert status == 200
    assert text(by_id(doc, "crumbs")) == "Dashboard › 长发〔2017〕29号"
    sections = rows(by_id(doc, "sections"))
    assert len(sections) == 7 and sections[0].endswith(" | 5 | 2 | 1 | 2")
    assert rows(by_id(doc, "statuses")) == [
        "Not yet assigned | 35",
        "Assigned | 1",
        "In progress | 3",
        "Closed | 1",
    ]
    link = f"/dashboard/plans/{dash['plan']}/sections/{dash['section']}"
    assert by_id(doc, "sections").xpath(".//a/@href")[0] == link


def test_section_page_lists_units_as_lead_and_co_unit(dash, read):
    status, doc = read(f"/dashboard/plans/{dash['plan']}/sections/{dash['section']}")
    assert status == 200
    table = by_id(doc, "section-units")
    # unit | lead: red, yellow, green | co-unit: red, yellow, green; most red first
    assert rows(table) == [
        "市科技局 | 1 | 1 | 1 | 0 | 0 | 0",
        "市发改委 | 1 | 0 | 0 | 0 | 0 | 0",
        "市农业农村局 | 0 | 0 | 0 | 1 | 0 | 0",  # co-unit as 市农委, now merged
        "市人社局 | 0 | 0 | 0 | 1 | 0 | 0",
        "市中小企业局 | 0 | 0 | 1 | 0 | 0 | 0",
    ]
    kjj = dash["units"]["kjj"]
    link = table.xpath(f".//tr[@data-unit-id='{kjj}']//a/@href")[0]
    assert link == f"/dashboard/units/{kjj}?section={dash['section']}"


def test_unit_page_lists_its_tasks_red_first(dash, read):
    units, tasks = dash["units"], dash["tasks"]
    status, doc = read(f"/dashboard/units/{units['kjj']}?section={dash['section']}")
    assert status == 200
    table = by_id(doc, "unit-tasks")
    got = [(int(tr.get("data-task-id")), tr.get("data-light")) for tr in table.xpath("./tbody/tr")]
    assert got == [(tasks[5], "red"), (tasks[3], "yellow"), (tasks[2], "green")]
    assert table.xpath(".//a[@data-testid='task-link']/@href")[0] == f"/tasks/{tasks[5]}"
    assert text(by_id(doc, "crumbs")) == "Dashboard › 长发〔2017〕29号 › (一) › 市科技局"


def test_unit_page_includes_the_units_it_took_over(dash, read):
    units, tasks = dash["units"], dash["tasks"]
    _status, doc = read(f"/dashboard/units/{units['gxj']}")
    assert "市经信委" in text(by_id(doc, "predecessors"))
    first = by_id(doc, "unit-tasks").xpath("./tbody/tr")[0]
    assert (int(first.get("data-task-id")), first.get("data-light")) == (tasks[6], "red")
    assert text(by_id(doc, "figure-red")) == "1"
    _status, old = read(f"/dashboard/units/{units['jxw']}")
    assert "市工信局" in text(by_id(old, "successor"))


def test_a_co_unit_task_is_listed_with_its_lead_unit(dash, world, read):
    _status, doc = read(f"/dashboard/units/{dash['units']['fgw']}")
    row = by_id(doc, "unit-tasks").xpath(f"./tbody/tr[@data-task-id='{world['ids']['co_task']}']")
    assert row and "Co-unit" in text(row[0]) and "市科技局" in text(row[0])


@pytest.mark.parametrize(
    "path, status",
    [
        ("/dashboard/plans/999999", 404),
        ("/dashboard/plans/{plan}/sections/999999", 404),
        ("/dashboard/plans/{zone}/sections/{section}", 404),  # the section is another plan's
        ("/dashboard/units/999999", 404),
        ("/dashboard/units/{unit}?section=999999", 404),
        ("/dashboard/units/{unit}?section=abc", 400),
        ("/dashboard/units/{unit}?section=-1", 400),
        ("/dashboard/units/{unit}?section=1e3", 400),
        ("/dashboard/units/{unit}?section=99999999999999999999", 400),
        ("/dashboard/units/{unit}?section=" + "9" * 5000, 400),
        ("/dashboard/units/{unit}?section=²", 400),
        ("/dashboard/units/2147483648", 404),  # beyond a 32-bit id: not found, no DB error
        ("/dashboard/plans/99999999999999999999", 404),
        ("/dashboard/plans/{plan}/sections/99999999999999999999", 404),
        ("/dashboard/units/{unit}?section=", 200),
        ("/dashboard/units/abc", 404),
        ("/dashboard/plans/abc", 404),
    ],
)
def test_bad_ids_and_arguments(dash, read, path, status):
    ids = {**dash, "unit": dash["units"]["fgw"]}
    got, doc = read(path.format(**ids))
    assert got == status
    assert "Traceback" not in text(doc)


# --- rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected, submitted, want",
    [
        # (task, unit) pairs owed; first submissions; (expected, on time, late, missing, not due)
        ({(1, 7)}, {(1, 7): date(2026, 10, 26)}, (1, 1, 0, 0, 0)),  # on the due date
        ({(1, 7)}, {(1, 7): date(2026, 10, 27)}, (1, 0, 1, 0, 0)),
        ({(1, 7)}, {}, (1, 0, 0, 1, 0)),
        (set(), {(1, 7): date(2026, 10, 20)}, (0, 1, 0, 0, 0)),  # filed though not owed
    ],
)
def test_tally_punctuality(expected, submitted, want):
    tally = dashboard.tally_punctuality(date(2026, 10, 26), TODAY, expected, submitted)[7]
    assert astuple(tally) == want


def test_not_yet_due_is_not_missing():
    tally = dashboard.tally_punctuality(date(2026, 11, 25), TODAY, {(1, 7)}, {})[7]
    assert (tally.missing, tally.not_due) == (0, 1)


@pytest.mark.parametrize(
    "today, month", [(date(2026, 11, 20), "2026-10"), (date(2026, 1, 1), "2025-12")]
)
def test_last_month(today, month):
    assert rules.last_month(today) == month


def test_a_missed_milestone_turns_a_task_due_later_red(dash, read):
    """The combined light (issue 14): task 4 (due 2027-06-30, green by its own deadline)
    with a milestone missed on 2026-11-01 counts as red; one done late does not."""
    task = dash["tasks"][4]
    milestone = Milestone(task_id=task, due_date=date(2026, 11, 1), deliverable="节点")
    db.session.add_all(
        [
            milestone,
            Milestone(
                task_id=task,
                due_date=date(2026, 10, 1),
                deliverable="已完成",
                done_on=date(2026, 10, 20),
            ),
        ]
    )
    db.session.commit()
    _status, doc = read("/dashboard")
    assert [text(by_id(doc, f"figure-{k}")) for k in ("red", "yellow")] == ["4", "1"]
    milestone.done_on = date(2026, 11, 5)  # done late: history, no longer a red light
    db.session.commit()
    _status, doc = read("/dashboard")
    assert text(by_id(doc, "figure-red")) == "3"


def test_behind_pace_figure_links_to_the_task_filter(dash, read):
    """慢于序时: task 1 (due 2020, last reported 50%) trails its expected 100%; the figure
    counts the tasks behind pace and links to the /tasks filter that lists them."""
    behind = behind_pace_ids(None, TODAY)
    assert dash["tasks"][1] in behind
    _status, doc = read("/dashboard")
    assert text(by_id(doc, "figure-behind")) == str(len(behind))
    assert by_id(doc, "behind-filter").get("href") == "/tasks?behind=1"
    db.session.execute(update(ProgressReport).values(percent=100))
    refresh_pace(TODAY)
    db.session.commit()
    _status, doc = read("/dashboard")
    assert text(by_id(doc, "figure-behind")) == "0"


# --- statements -------------------------------------------------------------------------


def _grow(n_units=12, n_tasks=40):
    """A plan of 4 sections and `n_tasks` tasks over `n_units` new units, each task with a
    co-unit, an assignment and two months of reports; a scorecard for each new unit."""
    plan = Plan(key="big", doc_number="测试〔2026〕9号", title="大计划", issuer="测试", phases=[])
    units = [Unit(name=f"单位{i}", code=f"dw{i:02d}x", kind="gov_dept") for i in range(n_units)]
    db.session.add_all([plan, *units])
    db.session.flush()
    sections = [Section(plan_id=plan.id, number=i, label=str(i), title="部分") for i in range(4)]
    db.session.add_all(sections)
    db.session.flush()
    periods = db.session.scalars(select(ReportingPeriod)).all()
    for i in range(n_tasks):
        lead, due = units[i % n_units], OLD if i % 3 == 0 else FAR
        task = Task(
            plan_id=plan.id,
            section_id=sections[i % 4].id,
            number=i + 1,
            text="正文",
            title=f"任务{i}",
            lead_unit_id=lead.id,
            status="in_progress",
            due_date=due,
        )
        task.co_unit_links = [TaskCoUnit(unit_id=units[(i + 1) % n_units].id, position=1)]
        db.session.add(task)
        db.session.flush()
        _assign(task.id, lead.id, beijing(2026, 9, 1))
        for period in periods:
            _report(period, task.id, lead.id, beijing(2026, period.month, 20))
    for i, unit in enumerate(units):
        _scorecard("2026-10", unit.id, [Decimal(-i)], i + 4)
    db.session.commit()
    return plan.id, sections[0].id, units[0].id


def test_pages_cost_the_same_statements_whatever_the_rows(
    dash, app, world, login, count_statements
):
    client = app.test_client()
    login(client, world["users"]["leader"])
    plan, section, unit = dash["plan"], dash["section"], dash["units"]["kjj"]

    def pages(plan, section, unit):
        return [
            f"/dashboard/plans/{plan}",
            f"/dashboard/plans/{plan}/sections/{section}",
            f"/dashboard/units/{unit}",
            f"/dashboard/units/{unit}?section={section}",
        ]

    def measure(paths):
        counts = []
        for path in paths:
            with count_statements() as counter:
                response = client.get(path)
            counts.append((response.status_code, counter.count))
        return counts

    small = measure(["/dashboard", *pages(plan, section, unit)])
    charts = measure(["/dashboard/charts.json"])
    big = _grow()
    assert measure(["/dashboard", *pages(plan, section, unit)]) == small
    assert measure(["/dashboard/charts.json"]) == charts
    # the big plan's pages (40 tasks, 12 units) cost what the real plan's pages cost
    assert measure(pages(*big)) == small[1:]
    # the dashboard: its counts and punctuality by SQL GROUP BY (issue 13) take a few more
    # statements than the rest, each over indexes, none per row; the behind-pace figure
    # (issue 14) four: reports, tasks, milestones, the margin setting; one reads which
    # months the sweep stored (none here: all six counted live)
    assert small[0][0] == 200 and small[0][1] <= 23, small
    assert all(status == 200 and n <= 14 for status, n in small[1:]), small
    # once the sweep stored the finished months (issue 13), the dashboard reads them: fewer
    # statements, and still none per row
    refresh_punctuality(TODAY)
    db.session.commit()
    stored = measure(["/dashboard", "/dashboard/charts.json"])
    assert stored[0][0] == 200 and stored[0][1] < small[0][1], (stored, small)
    assert stored[1][0] == 200 and stored[1][1] < charts[0][1], (stored, charts)


def test_the_page_embeds_the_figures_charts_json_gives(dash, app, world, login):
    """Two screens, one fact: the dashboard carries its charts' figures itself (issue 13:
    the browser no longer asks /dashboard/charts.json to compute them again) and they are
    the figures charts.json gives."""
    client = app.test_client()
    client.set_cookie("tracker_lang", "en")
    login(client, world["users"]["leader"])
    doc = html.fromstring(client.get("/dashboard").get_data(as_text=True))
    node = doc.get_element_by_id("dashboard-data")
    assert node.get("data-src") is None
    embedded = json.loads(node.get("data-dashboard"))
    assert embedded == client.get("/dashboard/charts.json").get_json()
    assert embedded["charts"]["overdue"]["series"][0]["data"]  # red units are drawn


def test_the_dashboard_ranking_is_the_scores_pages(dash, read):
    """The dashboard's ranking (the stored month's cards) and /scores (ranked in SQL) show
    the same ranks and scores for last month."""
    _status, dash_doc = read("/dashboard")
    _status, scores_doc = read("/scores?period=2026-10")
    on_dashboard = [r.split(" | ")[:3] for r in rows(by_id(dash_doc, "ranking"))]
    on_scores = [
        [
            text(tr.xpath("./td[@data-testid='rank']")[0]),
            text(tr.xpath("./td[2]")[0]),
            str(standings.number(Decimal(text(tr.xpath("./td[@data-testid='score']")[0])))),
        ]
        for tr in scores_doc.xpath("//tr[@data-testid='score-row']")
    ]
    assert on_dashboard == on_scores and len(on_scores) == 3
