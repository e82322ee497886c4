"""Milestones (节点) and pace (序时进度) against a real database: the seeded zone plan's phases,
the task page, marking done, the /tasks "behind pace" filter, the pace list and its files,
the query the alert sweep and scorecard call, and constant SQL statements."""

from datetime import date
from io import BytesIO

import docx as python_docx
import pytest
from openpyxl import load_workbook  # imported before any frozen clock (its date types)
from sqlalchemy import func, select
from support.clock import on

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.milestones import queries, services
from tracker.plans.milestones.models import SEED, Milestone
from tracker.plans.milestones.pace import refresh_pace
from tracker.plans.models import Plan, Task
from tracker.plans.seeding import seed
from tracker.plans.services import load_task
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState

D = date.fromisoformat


def _zone_task():
    plan = db.session.scalar(select(Plan).where(Plan.key == "czgxq-shuangchuang-2021"))
    return db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 1))


def _report(task: Task, percent: int, year: int = 2026, month: int = 10, state="submitted"):
    period = db.session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.year == year, ReportingPeriod.month == month)
    )
    if period is None:
        period = ReportingPeriod(year=year, month=month, due_day=25, due_date=date(year, month, 25))
        db.session.add(period)
        db.session.flush()
    db.session.add(
        ProgressReport(
            task_id=task.id,
            unit_id=task.lead_unit_id,
            period_id=period.id,
            state=state,
            progress="进展",
            percent=percent,
        )
    )
    db.session.commit()


def _behind_task(world, percent=30):
    """Task 1 of 长发〔2017〕29号 (2017-12-06 → 2020-12-31), re-dated so that on
    2026-11-02 80 % of its time has gone: start 2017-12-06, due 2021-09-11 + … — simpler:
    its plan runs 2020-01-01 → 2030-01-01 and the clock is frozen on 2028-01-01."""
    task = db.session.get(Task, world["ids"]["own_task"])
    plan = db.session.get(Plan, task.plan_id)
    plan.period_start = D("2020-01-01")
    task.due_date = D("2030-01-01")
    task.status = "in_progress"
    db.session.commit()
    _report(task, percent, 2027, 12, ReportState.ACCEPTED.value)
    refresh_pace(D("2028-01-01"), [task.id])  # what the sweep of that day stores
    db.session.commit()
    return task


def test_seed_gives_the_zone_plan_measures_their_phases_once(seeded):
    task = _zone_task()
    rows = db.session.scalars(
        select(Milestone).where(Milestone.task_id == task.id).order_by(Milestone.due_date)
    ).all()
    assert [(m.due_date.isoformat(), m.phrase, m.source) for m in rows] == [
        ("2021-12-31", "2021年架梁立柱", SEED),
        ("2022-12-31", "2022年重点突破", SEED),
        ("2023-12-31", "2023年底建设成型", SEED),
    ]
    before = db.session.scalar(select(func.count()).select_from(Milestone))
    assert not seed().created.get("milestones")  # idempotent
    assert db.session.scalar(select(func.count()).select_from(Milestone)) == before


def test_zone_measure_is_red_for_the_missed_2021_milestone_in_2022(world, client_for):
    """Done when: the task's own light (due 2023-12-31) is green, the page shows red."""
    task = _zone_task()
    task.status = "in_progress"
    db.session.commit()
    with on(D("2022-06-15")):
        page = client_for("office").get(f"/tasks/{task.id}").get_data(as_text=True)
        panel = queries.milestone_panel(
            load_task(task.id), world["users"]["office"], D("2022-06-15")
        )
    assert panel["combined_light"] == "red"
    assert sorted(panel["lights"].values()) == ["green", "green", "red"]
    assert 'data-testid="milestones"' in page
    assert "light-red" in page


def test_overdue_milestones_for_the_sweep(world):
    task = _zone_task()
    task.status = "in_progress"
    db.session.commit()
    found = queries.overdue_milestones(db.session, D("2022-06-15"))
    mine = [m for m in found if m.task_id == task.id]
    assert [(m.due_date, m.unit_id) for m in mine] == [(D("2021-12-31"), task.lead_unit_id)]
    # 2023-12-31 is a Sunday and 01-01 a holiday: not yet missed on 2024-01-02
    on_second = [m for m in queries.overdue_milestones(db.session, D("2024-01-02"))]
    assert [m.due_date for m in on_second if m.task_id == task.id] == [
        D("2021-12-31"),
        D("2022-12-31"),
    ]
    pending = db.session.scalar(select(Task).where(Task.status == "pending").limit(1))
    assert all(m.task_id != pending.id for m in found)  # not yet assigned: not swept


def test_liaison_marks_its_milestone_done_and_office_reopens(world, client_for):
    task = db.session.get(Task, world["ids"]["own_task"])  # led by 市发改委 (the liaison's)
    task.status = "in_progress"
    db.session.commit()
    milestone = services.add_milestone(
        db.session.scalar(select(Task).where(Task.id == task.id)),
        due_date=D("2026-12-31"),
        deliverable="出台实施细则",
        user=world["users"]["office"],
    )
    db.session.commit()
    client = client_for("liaison")
    refused = client.post(f"/milestones/{milestone.id}/done", data={"note": " "})
    assert refused.status_code == 400
    response = client.post(f"/milestones/{milestone.id}/done", data={"note": "细则已印发"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_note == "细则已印发"
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "task", AuditEvent.subject_id == task.id
        )
    ).all()
    assert {"milestone.added", "milestone.done"} <= set(actions)
    office = client_for("office")
    assert office.post(f"/milestones/{milestone.id}/reopen", data={"note": "佐证不足"}).status_code
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).done_on is None


def test_office_adds_with_bad_input_gets_the_form_back(world, client_for):
    client = client_for("office")
    task_id = world["ids"]["own_task"]
    bad = client.post(
        f"/tasks/{task_id}/milestones",
        data={"due_date": "明年", "deliverable": "", "unit_id": "abc", "expected_percent": "150"},
    )
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Milestone).where(
        Milestone.task_id == task_id)) == 0  # fmt: skip
    task = db.session.get(Task, task_id)
    good = client.post(
        f"/tasks/{task_id}/milestones",
        data={"due_date": "2026-12-31", "deliverable": "方案", "unit_id": str(task.lead_unit_id)},
    )
    assert good.status_code == 302
    stored = db.session.scalar(select(Milestone).where(Milestone.task_id == task_id))
    assert stored.unit_id is None  # the lead unit, whoever leads


def test_a_task_at_30_percent_with_80_percent_of_time_gone_is_behind_pace(world, client_for):
    task = _behind_task(world)
    with on(D("2028-01-01")):
        page = client_for("office").get(f"/tasks/{task.id}").get_data(as_text=True)
        listed = client_for("office").get("/tasks?behind=1").get_data(as_text=True)
        unfiltered = client_for("office").get("/tasks").get_data(as_text=True)
        other = client_for("other_liaison").get("/tasks?behind=1").get_data(as_text=True)
    assert 'data-testid="status-behind-pace"' in page
    assert f'/tasks/{task.id}"' in listed
    assert listed.count("/tasks/") < unfiltered.count("/tasks/")
    assert f'/tasks/{task.id}"' not in other  # another unit's task


def test_pace_list_and_its_files(world, client_for):
    task = _behind_task(world)
    with on(D("2028-01-01")):
        client = client_for("office")
        page = client.get("/pace?month=2027-12").get_data(as_text=True)
        xlsx = client.get("/pace.xlsx?month=2027-12")
        docx = client.get("/pace.docx?month=2027-12")
        bad = client.get("/pace?month=99-99")
    assert task.title in page
    assert bad.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5] == "序时进度（%）"
    assert rows[1][3] and rows[1][6] == 30 and rows[1][5] >= 75
    document = python_docx.Document(BytesIO(docx.data))
    assert "30" in [c.text for c in document.tables[0].rows[1].cells]


@pytest.mark.parametrize("path", ["/tasks/{task}", "/pace", "/tasks?behind=1"])
def test_statements_do_not_grow_with_milestones(world, client_for, count_statements, path):
    task = _behind_task(world)
    url = path.format(task=task.id)
    services.add_milestone(task, due_date=date(2019, 6, 30), deliverable="首个节点")
    db.session.commit()

    def measure():
        with on(D("2028-01-01")):
            client = client_for("office")
            with count_statements() as counter:
                assert client.get(url).status_code == 200
        return counter.count

    first = measure()
    loaded = db.session.scalar(select(Task).where(Task.id == task.id))
    for year in range(2020, 2028):
        services.add_milestone(loaded, due_date=date(year, 6, 30), deliverable=f"{year}年节点")
    for other in db.session.scalars(select(Task).where(Task.status == "pending").limit(20)):
        other.status = "in_progress"
        _report(other, 1, 2027, 12)
    refresh_pace(D("2028-01-01"))
    db.session.commit()
    assert measure() == first
