"""Excel exports read back with openpyxl, cell by cell, against a small known world: a plan's
task ledger (台账) and a period's scorecard (also through `flask export scorecard`). The
ledger costs the same number of SQL statements whatever the number of tasks."""

from datetime import date, datetime
from io import BytesIO

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select, update

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.plans.services import load_task
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.scoring import rules
from tracker.scoring.exports import ledger_workbook, scorecard_workbook
from tracker.scoring.models import ScoreAdjustment
from tracker.scoring.services import store_month
from tracker.scoring.standings import period_scores
from tracker.supervision.models import TaskAssignment
from tracker.supervision.workflow import services as workflow
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

TODAY = date(2026, 11, 5)  # a Thursday
LEDGER_HEADERS = [
    "序号",
    "部分",
    "任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "状态",
    "灯号",
    "完成进度（%）",
    "最新进展",
    "报告期",
    "分管领导",
    "责任人",
]


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(datetime(2026, 11, 5, 10, tzinfo=LOCAL_TZ)):
        yield


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _task(plan_id, number):
    return db.session.scalar(select(Task).where(Task.plan_id == plan_id, Task.number == number))


def _periods():
    rows = {}
    for month, due in ((9, date(2026, 9, 25)), (10, date(2026, 10, 26)), (11, date(2026, 11, 25))):
        rows[month] = ReportingPeriod(year=2026, month=month, due_day=25, due_date=due)
    db.session.add_all(rows.values())
    db.session.flush()
    return rows


def _report(task, unit, period, state, percent, progress, revision=1):
    db.session.add(
        ProgressReport(
            task_id=task.id,
            unit_id=unit.id,
            period_id=period.id,
            revision=revision,
            state=state,
            percent=percent,
            progress=progress,
        )
    )


def _open(data: bytes, sheet: str):
    return load_workbook(BytesIO(data))[sheet]


# ---------------------------------------------------------------- the ledger


@pytest.fixture
def ledger_world(world):
    """Plan 长发〔2017〕29号 on 5 November 2026. Task 1 (市发改委) assigned, red; task 2
    closed, green; task 17 (市科技局, co-units) in progress due Monday 9 November, yellow;
    task 12 led by 市经信委, reported on by its successor 市工信局; task 3 due in 2027."""
    ids, office = world["ids"], world["users"]["office"]
    plan_id = ids["own_plan"]
    for number in (1, 12):
        workflow.assign_task(
            workflow.load_task_for_update(_task(plan_id, number).id), office, date(2026, 9, 1)
        )
    t1, t2, t3, t12, t17 = (_task(plan_id, n) for n in (1, 2, 3, 12, 17))
    t2.status, t2.closed_at = "closed", datetime(2026, 10, 20, 2)
    t17.status, t17.due_date = "in_progress", date(2026, 11, 9)
    t3.due_date = date(2027, 12, 31)
    p = _periods()
    fgw, kjj, jxw, gxj = _unit("fgw"), _unit("kjj"), _unit("jxw"), _unit("gxj")
    _report(t1, fgw, p[9], "accepted", 40, "九月进展")
    _report(t1, fgw, p[10], "submitted", 60, "十月进展")
    _report(t1, fgw, p[10], "draft", 70, "十月草稿", revision=2)  # a draft: not counted
    _report(t1, fgw, p[11], "returned", 80, "退回的十一月")  # returned: not counted
    _report(t1, kjj, p[11], "accepted", 90, "别的单位")  # not the lead unit
    _report(t12, jxw, p[9], "accepted", 20, "经信委九月")
    _report(t12, gxj, p[10], "accepted", 30, "工信局十月")  # the successor's, newer
    _report(t17, kjj, p[9], "submitted", 10, "科技局九月")
    db.session.commit()
    return plan_id


def test_the_ledger_cell_by_cell(ledger_world):
    data = ledger_workbook(ledger_world, TODAY)
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["台账"]
    ws = wb["台账"]
    assert [c.value for c in ws[1]] == LEDGER_HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width == 50 and ws.column_dimensions["A"].width == 6
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    tasks = db.session.scalars(
        select(Task).where(Task.plan_id == ledger_world).order_by(Task.number)
    ).all()
    assert list(rows) == [t.number for t in tasks]  # one row per task, in document order
    first = _task(ledger_world, 1)
    assert rows[1] == (
        1,
        "(一)“双创”载体升级发展工程",
        first.title,
        "市发改委",
        None,
        datetime(2020, 12, 31),
        "已交办",
        "红灯",
        60,
        "十月进展",
        "2026-10",
        None,
        None,
    )
    assert rows[2][6:] == ("已办结", "绿灯", None, None, None, None, None)
    assert rows[3][5:8] == (datetime(2027, 12, 31), "待交办", "绿灯")
    # the defunct unit is named by its successor, with its own name as history
    assert rows[12][3] == "市工信局（原市经信委）" and rows[12][8:11] == (
        30,
        "工信局十月",
        "2026-10",
    )
    seventeen = rows[17]
    co_units = "、".join(u.name for u in load_task(_task(ledger_world, 17).id).co_units)
    assert seventeen[4] == co_units and "市发改委" in co_units
    assert seventeen[5:11] == (datetime(2026, 11, 9), "推进中", "黄灯", 10, "科技局九月", "2026-09")
    fills = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=8).fill.fgColor.rgb[-6:]
        for r in range(2, ws.max_row + 1)
    }
    assert (fills[1], fills[2], fills[17]) == ("FFC7CE", "C6EFCE", "FFEB9C")
    assert not any(
        isinstance(v, str) and v.startswith("=")
        for row in ws.iter_rows(values_only=True)
        for v in row
    )


def test_the_ledger_names_leaders_and_responsible_persons(ledger_world, world, make_user):
    """分管领导: the task's own leader, else its section's, else the plan's (plans.people);
    责任人: the lead unit's person, then each co-unit's with its unit (issue 14)."""
    leader = world["users"]["leader"]
    plan = db.session.get(Plan, ledger_world)
    t1, t3, t17 = (_task(ledger_world, n) for n in (1, 3, 17))
    other = make_user(Role.LEADER, username="leader2")
    other.display_name = "李副市长"
    db.session.add_all(
        [
            LeaderInCharge(plan_id=plan.id, user_id=leader.id, set_at=datetime(2026, 11, 1)),
            LeaderInCharge(task_id=t3.id, user_id=other.id, set_at=datetime(2026, 11, 1)),
            ResponsiblePerson(
                task_id=t17.id,
                unit_id=t17.lead_unit_id,
                name="张三",
                phone="13800000000",
                updated_at=datetime(2026, 11, 1),
            ),
            ResponsiblePerson(
                task_id=t17.id,
                unit_id=_unit("fgw").id,
                name="李四",
                updated_at=datetime(2026, 11, 1),
            ),
            ResponsiblePerson(
                task_id=t1.id,
                unit_id=t1.lead_unit_id,
                name="王五",
                updated_at=datetime(2026, 11, 1),
            ),
        ]
    )
    db.session.commit()
    rows = {
        r[0]: r
        for r in _open(ledger_workbook(ledger_world, TODAY), "台账").iter_rows(
            min_row=2, values_only=True
        )
    }
    name = db.session.get(User, leader.id).display_name
    assert (rows[1][11], rows[1][12]) == (name, "王五")
    assert rows[3][11] == "李副市长"
    assert rows[17][11:] == (name, "张三 13800000000；市发改委：李四")


def test_a_missed_milestone_makes_the_ledger_row_red(ledger_world):
    """The ledger's light is the combined one, as on the lists: task 3 (due 2027) with a
    milestone missed on 2026-10-30 is 红灯; done late, it is 绿灯 again."""
    t3 = _task(ledger_world, 3)
    milestone = Milestone(task_id=t3.id, due_date=date(2026, 10, 30), deliverable="方案")
    db.session.add(milestone)
    db.session.commit()
    rows = {
        r[0]: r
        for r in _open(ledger_workbook(ledger_world, TODAY), "台账").iter_rows(
            min_row=2, values_only=True
        )
    }
    assert rows[3][7] == "红灯"
    milestone.done_on = date(2026, 11, 3)
    db.session.commit()
    rows = {
        r[0]: r
        for r in _open(ledger_workbook(ledger_world, TODAY), "台账").iter_rows(
            min_row=2, values_only=True
        )
    }
    assert rows[3][7] == "绿灯"


def test_text_that_looks_like_a_formula_stays_text(ledger_world):
    _task(ledger_world, 5).title = '=HYPERLINK("http://x","点击")'
    db.session.commit()
    ws = _open(ledger_workbook(ledger_world, TODAY), "台账")
    cell = next(r[2] for r in ws.iter_rows(min_row=2) if r[0].value == 5)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","点击")', "s")


def test_the_ledger_route(ledger_world, client_for):
    response = client_for("leader").get(f"/plans/{ledger_world}/ledger.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data == ledger_workbook(ledger_world, TODAY)


def test_an_unknown_plan_has_no_ledger(app):
    with pytest.raises(LookupError):
        ledger_workbook(999999, TODAY)


def test_the_ledger_costs_the_same_statements_whatever_the_tasks(ledger_world, count_statements):
    def cost():
        db.session.expire_all()
        with count_statements() as counter:
            ledger_workbook(ledger_world, TODAY)
        return counter.count

    few = cost()
    section = db.session.scalar(select(Section).where(Section.plan_id == ledger_world))
    fgw, kjj = _unit("fgw"), _unit("kjj")
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.month == 10))
    for n in range(100, 120):
        task = Task(
            plan_id=ledger_world,
            section_id=section.id,
            number=n,
            title=f"新增任务{n}",
            text="",
            lead_unit_id=fgw.id,
            due_date=date(2026, 12, 31),
            status="in_progress",
        )
        db.session.add(task)
        db.session.flush()
        db.session.add(TaskCoUnit(task_id=task.id, unit_id=kjj.id, position=1))
        _report(task, fgw, period, "accepted", 50, "进展")
    db.session.commit()
    assert cost() == few
    rows = list(_open(ledger_workbook(ledger_world, TODAY), "台账").iter_rows(values_only=True))
    assert rows[-1][0] == 119 and rows[-1][4] == "市科技局" and rows[-1][8] == 50


# ---------------------------------------------------------------- the scorecard


@pytest.fixture
def scores(world):
    """October 2026: task 1 (市发改委, no co-unit, due 2020) assigned in September, no report
    (−2 missing, −2 overdue); 市人社局 credited +3 by the office."""
    ids = world["ids"]
    workflow.assign_task(
        workflow.load_task_for_update(ids["own_task"]), world["users"]["office"], date(2026, 9, 1)
    )
    db.session.execute(update(TaskAssignment).values(assigned_at=datetime(2026, 9, 1, 2)))
    adjustment = ScoreAdjustment(
        period="2026-10", unit_id=_unit("rsj").id, amount=3, reason="表现突出"
    )
    db.session.add(adjustment)
    db.session.flush()
    store_month("2026-10", TODAY)
    db.session.commit()
    return {"adjustment": adjustment.id, "task": ids["own_task"]}


EXPECTED_RANKING = [
    ("名次", "单位", "得分", "扣分", "加分"),
    (1, "市人社局", 103, 0, 3),
    (2, "市发改委", 96, -4, 0),
]


def _expected_entries(ids):
    return [
        ("单位", "扣分/加分项目", "分值", "事件类型", "事件编号", "事件日期", "备注"),
        (
            "市人社局",
            "专班办公室调整",
            3,
            "手工调整",
            ids["adjustment"],
            datetime(2026, 11, 5),
            "表现突出",
        ),
        ("市发改委", "进展报告未报送", -2, "任务", ids["task"], datetime(2026, 10, 26), None),
        ("市发改委", "牵头任务逾期", -2, "任务", ids["task"], datetime(2020, 12, 31), None),
    ]


def _check_scorecard(data: bytes, ids):
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["排名", "明细"]
    assert list(wb["排名"].iter_rows(values_only=True)) == EXPECTED_RANKING
    assert list(wb["明细"].iter_rows(values_only=True)) == _expected_entries(ids)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width >= 20


def test_the_scorecard_cell_by_cell(scores):
    _check_scorecard(
        scorecard_workbook(period_scores(rules.parse_period("2026-10"), TODAY)), scores
    )


def test_the_scorecard_of_a_quarter_adds_up_its_months(scores):
    data = scorecard_workbook(period_scores(rules.parse_period("2026-Q4"), TODAY))
    assert list(_open(data, "排名").iter_rows(values_only=True)) == EXPECTED_RANKING


def test_an_empty_scorecard_has_only_headers(app):
    data = scorecard_workbook(period_scores(rules.parse_period("2026-01"), TODAY))
    assert list(_open(data, "排名").iter_rows(values_only=True)) == [EXPECTED_RANKING[0]]


def test_the_cli_writes_the_same_workbook(scores, runner, tmp_path):
    path = tmp_path / "scores.xlsx"
    result = runner.invoke(
        args=[
            "export",
            "scorecard",
            "--period",
            "2026-10",
            "--format",
            "xlsx",
            "--output",
            str(path),
        ]
    )
    assert result.exit_code == 0, result.output
    _check_scorecard(path.read_bytes(), scores)


def test_plans_with_their_own_numbering(world):
    """The zone plan's ledger: its own sections, the document's wording of a due date."""
    plan = db.session.scalar(select(Plan).where(Plan.key == "czgxq-shuangchuang-2021"))
    rows = list(
        _open(ledger_workbook(plan.id, TODAY), "台账").iter_rows(min_row=2, values_only=True)
    )
    assert rows[0][1].startswith("第一部分") and rows[0][2] == "实施创新机构倍增计划"
    assert len(rows) == db.session.query(Task).filter(Task.plan_id == plan.id).count()
