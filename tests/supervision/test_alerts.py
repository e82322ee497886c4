"""The alert sweep on a real database: what it creates, that it creates nothing twice (run
twice, or twice at once in two processes), days off, catching up, resolution, reopening,
escalation, the CLI's JSON, and a statement count that does not grow with the tasks."""

import json
import multiprocessing
import os
from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select, update

from tests.support.sweep import assign_lead, set_task
from tracker.dashboard.stored import refresh_punctuality
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.supervision.alerts.rules import (
    ACK_OVERDUE,
    INSTRUCTION_ANSWER_OVERDUE,
    NOTICE_ANSWER_OVERDUE,
    REPORT_DUE_SOON,
    REPORT_MISSING,
    TASK_DUE_SOON,
    TASK_OVERDUE,
)
from tracker.supervision.alerts.sweep import run_sweep
from tracker.supervision.models import (
    Alert,
    Instruction,
    Notification,
    OutboxMessage,
    SupervisionNotice,
    TaskAssignment,
)

D = date.fromisoformat
MONDAY = D("2026-11-23")  # November's reports are due Wednesday 11-25


def alert_set():
    db.session.expire_all()
    return sorted(
        (a.key, a.kind, a.level, a.resolved_at is None)
        for a in db.session.scalars(select(Alert)).all()
    )


def clear_alerts():
    db.session.execute(delete(Notification))
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(Alert))
    db.session.commit()


@pytest.fixture
def tasks(world):
    """own_task (lead 市发改委) due Friday 11-27, other_task long overdue, both assigned in
    October; the rest pending."""
    ids = world["ids"]
    set_task(ids["own_task"], "in_progress", "2026-11-27")
    set_task(ids["other_task"], "assigned", "2020-12-31")
    assign_lead(ids["own_task"])
    assign_lead(ids["other_task"])
    return ids


def by_kind(kind):
    db.session.expire_all()
    return db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.key)).all()


def test_sweep_creates_each_alert_once(tasks):
    first = run_sweep(MONDAY)
    assert first.working_day
    assert first.created[TASK_DUE_SOON] == 1
    assert first.created[TASK_OVERDUE] == 1
    assert first.created[REPORT_DUE_SOON] == 2  # one report per open task (lead units only)
    assert first.created[REPORT_MISSING] == 0
    after_first = alert_set()
    assert len(after_first) == 4
    (overdue,) = by_kind(TASK_OVERDUE)
    assert overdue.key == f"task_overdue:task={tasks['other_task']}:due=2020-12-31"
    assert overdue.level == 1 and overdue.swept_on == MONDAY and overdue.resolved_at is None
    report = by_kind(REPORT_DUE_SOON)[0]
    assert report.key.endswith(":period=2026-11") and report.period_id is not None

    second = run_sweep(MONDAY)
    assert sum(second.created.values()) == 0
    assert alert_set() == after_first


def test_pending_tasks_get_no_task_alerts(seeded):
    result = run_sweep(MONDAY)  # all 87 seeded tasks are 待交办 (pending), long overdue
    assert sum(result.created.values()) == 0


@pytest.mark.parametrize("day_off", ["2026-11-21", "2026-10-01", "2026-09-25"])
def test_nothing_on_days_off_and_a_working_day_catches_up(tasks, day_off):
    result = run_sweep(D(day_off))
    assert not result.working_day
    assert alert_set() == []
    later = run_sweep(MONDAY)
    assert later.created[TASK_OVERDUE] == 1


def test_make_up_workday_sweeps(tasks):
    result = run_sweep(D("2026-10-10"))  # a Saturday, but a make-up workday
    assert result.working_day
    assert result.created[TASK_OVERDUE] == 1


def test_report_missing_after_the_due_day_and_resolved_when_submitted(tasks):
    own = tasks["own_task"]
    run_sweep(MONDAY)
    result = run_sweep(D("2026-11-26"))
    assert result.created[REPORT_MISSING] == 2
    assert all(a.resolved_at is not None for a in by_kind(REPORT_DUE_SOON))

    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.month == 11))
    task = db.session.get(Task, own)
    report = ProgressReport(
        task_id=own,
        unit_id=task.lead_unit_id,
        period_id=period.id,
        state="submitted",
        progress="已推进",
        percent=50,
        submitted_at=datetime(2026, 11, 26, 2),
    )
    db.session.add(report)
    db.session.commit()
    run_sweep(D("2026-11-27"))
    missing = {a.task_id: a for a in by_kind(REPORT_MISSING)}
    assert missing[own].resolved_at is not None
    assert missing[tasks["other_task"]].resolved_at is None

    # returned for rework after the due day: it was submitted, so it is not missing (the
    # return tells the unit at once; its lateness stays that of its first submission)
    db.session.execute(update(ProgressReport).values(state="returned"))
    db.session.commit()
    result = run_sweep(D("2026-11-30"))
    assert result.reopened == 0 and result.created[REPORT_MISSING] == 0
    assert missing[own].resolved_at is not None

    # once no submission is left (the report deleted), it is missing again: the same alert
    # opens again, not a new one
    db.session.execute(delete(ProgressReport))
    db.session.commit()
    result = run_sweep(D("2026-12-01"))
    assert result.reopened == 1 and result.created[REPORT_MISSING] == 0
    assert all(a.resolved_at is None for a in by_kind(REPORT_MISSING))


def test_closing_a_task_resolves_its_alerts(tasks):
    run_sweep(MONDAY)
    set_task(tasks["other_task"], "closed", "2020-12-31")
    result = run_sweep(D("2026-11-24"))
    assert result.resolved >= 2  # the task's overdue alert and its report reminder
    assert all(a.resolved_at is not None for a in by_kind(TASK_OVERDUE))


def test_an_extension_closes_the_old_alert_and_opens_one_for_the_new_date(tasks):
    run_sweep(MONDAY)
    set_task(tasks["other_task"], "assigned", "2026-11-26")
    result = run_sweep(D("2026-11-24"))
    assert result.created[TASK_DUE_SOON] == 1
    assert by_kind(TASK_OVERDUE)[0].resolved_at is not None


def test_escalation_climbs_one_ladder_step_at_a_time_and_only_once(tasks):
    run_sweep(D("2026-11-02"))  # Monday; the task is long overdue

    def level():
        return by_kind(TASK_OVERDUE)[0].level

    assert level() == 1
    run_sweep(D("2026-11-04"))  # 2 working days
    assert level() == 1
    result = run_sweep(D("2026-11-05"))  # 3 working days: urging (催办)
    assert level() == 2 and len(result.escalated_ids) >= 1
    again = run_sweep(D("2026-11-05"))
    assert level() == 2 and again.escalated_ids == []
    run_sweep(D("2026-11-09"))  # 5 working days: a supervision notice is suggested
    assert level() == 3
    run_sweep(D("2026-11-16"))  # 10 working days: named in the next bulletin
    assert level() == 4
    # due-soon reminders do not escalate
    assert all(a.level == 1 for a in by_kind(REPORT_DUE_SOON))


def test_escalation_after_a_long_downtime_jumps_to_the_level_reached(tasks):
    run_sweep(D("2026-11-02"))
    run_sweep(D("2026-11-30"))
    (alert,) = [a for a in by_kind(TASK_OVERDUE) if a.task_id == tasks["other_task"]]
    assert alert.level == 4


def test_acknowledgement_notice_and_instruction_answers_overdue(tasks, world):
    own = tasks["own_task"]
    task = db.session.get(Task, own)
    assignment = db.session.scalar(select(TaskAssignment).where(TaskAssignment.task_id == own))
    assignment.ack_due, assignment.acknowledged_at = D("2026-11-20"), None
    notice = SupervisionNotice(
        year=2026,
        seq=1,
        number="督办〔2026〕1号",
        task_id=own,
        unit_id=task.lead_unit_id,
        required_actions="立即整改",
        issued_on=D("2026-11-10"),
        answer_due=D("2026-11-20"),
    )
    instruction = Instruction(
        task_id=own,
        author_id=world["users"]["leader"].id,
        text="抓紧推进",
        answer_due=D("2026-11-20"),
    )
    db.session.add_all([assignment, notice, instruction])
    db.session.commit()

    assert run_sweep(D("2026-11-20")).created[ACK_OVERDUE] == 0  # due today: not yet
    result = run_sweep(MONDAY)
    assert result.created[ACK_OVERDUE] == 1
    assert result.created[NOTICE_ANSWER_OVERDUE] == 1
    assert result.created[INSTRUCTION_ANSWER_OVERDUE] == 1

    assignment.acknowledged_at = datetime(2026, 11, 23, 3)
    notice.answered_at = datetime(2026, 11, 23, 3)
    notice.state = "answered"
    instruction.answered_at = datetime(2026, 11, 23, 3)
    db.session.commit()
    run_sweep(D("2026-11-24"))
    for kind in (ACK_OVERDUE, NOTICE_ANSWER_OVERDUE, INSTRUCTION_ANSWER_OVERDUE):
        assert all(a.resolved_at is not None for a in by_kind(kind)), kind


def test_run_once_json(app, tasks):
    runner = app.test_cli_runner()
    text = runner.invoke(args=["alerts", "run-once", "--date", "2026-11-22"])
    assert "not a working day" in text.output
    result = runner.invoke(args=["alerts", "run-once", "--date", "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"date", "created", "total"}
    assert data["date"] == "2026-11-23"
    assert data["created"][TASK_OVERDUE] == 1 and data["created"][REPORT_DUE_SOON] == 2
    assert data["total"] == sum(data["created"].values()) == 4
    again = json.loads(
        runner.invoke(args=["alerts", "run-once", "--date", "2026-11-23", "--json"]).output
    )
    assert again["total"] == 0

    text = runner.invoke(args=["alerts", "run-once", "--date", "2026-11-20"])
    assert "already swept up to 2026-11-23" in text.output  # an earlier day: nothing done
    bad = runner.invoke(args=["alerts", "run-once", "--date", "23/11/2026"])
    assert bad.exit_code != 0


def _open_all_tasks(extra: int) -> None:
    first = db.session.scalars(select(Task).order_by(Task.id)).first()
    db.session.add_all(
        Task(
            plan_id=first.plan_id,
            section_id=first.section_id,
            number=1000 + i,
            title=f"任务{i}",
            text="",
            lead_unit_id=first.lead_unit_id,
        )
        for i in range(extra)
    )
    db.session.execute(update(Task).values(status="in_progress", due_date=D("2026-11-27")))
    db.session.commit()


def test_statement_count_does_not_grow_with_tasks(world, count_statements):
    """87 open tasks, then 237: the same number of statements (delivery, the pace table and
    the dashboard's stored months included; those months are stored first, as after any
    earlier sweep, so that each run finds them current)."""
    counts = []
    for extra in (0, 150):
        clear_alerts()
        _open_all_tasks(extra)
        refresh_punctuality(MONDAY)
        db.session.commit()
        with count_statements() as counter:
            result = run_sweep(MONDAY)
        assert result.created[TASK_DUE_SOON] == db.session.scalar(select(func.count(Task.id)))
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 50, counts


def _sweeper(database_url, instance, day, start, out):
    os.environ["TRACKER_INSTANCE_PATH"] = instance
    from tracker import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "sweep"}
    )
    with app.app_context():
        start.wait(30)
        try:
            result = run_sweep(day)
            out.put(("ok", sum(result.created.values())))
        except Exception as exc:  # reported to the test
            out.put(("error", repr(exc)))


def test_two_sweeps_at_once_create_the_same_alerts_as_one(app, tasks, database_url, tmp_path):
    set_task(tasks["co_task"], "in_progress", "2026-11-24")
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_sweeper, args=(database_url, str(tmp_path / "instance"), MONDAY, start, out)
        )
        for _ in range(2)
    ]
    db.session.remove()
    db.engine.dispose()
    for p in processes:
        p.start()
    start.set()
    results = [out.get(timeout=60) for _ in processes]
    for p in processes:
        p.join(30)
    assert all(status == "ok" for status, _n in results), results
    raced = alert_set()
    assert sum(n for _s, n in results) == len(raced)

    clear_alerts()
    run_sweep(MONDAY)
    assert alert_set() == raced


def test_light_badge_macro(app):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros/tables.html" import light_badge with context %}'
            '{{ light_badge("red", "in_progress") }}|{{ light_badge("green", "in_progress") }}'
        )
    red, green = html.split("|")
    assert 'class="light light-red"' in red and "status-in_progress" in red
    assert 'class="light light-green"' in green and "status-" not in green
