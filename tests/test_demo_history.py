"""The demo's history reads true (issue 9): every event carries the time it claims, not the
seed's; timelines run in order; notice numbers follow their issue dates; a second
`seed --demo` changes no row; and only the demo may stamp a time (timeutil.stamped_at)."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.clock import on
from tracker.audit import AuditEvent
from tracker.demo.history import History, at
from tracker.extensions import db
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    Notification,
    SupervisionNotice,
    TaskAssignment,
)
from tracker.timeutil import local_date, previous_month, stamped_at, utcnow

# a Friday after November's due day; a Monday before March's (history from December); the
# first working days of a year (last month's notice belongs to the year before)
DAYS = [date(2026, 11, 27), date(2026, 3, 2), date(2027, 1, 4)]


def seed_demo(demo_seed, day):
    """The demo as `seed --demo` writes it on `day` (run once per day, its rows restored in
    later tests: the `demo_seed` fixture); the frozen moment it was written at."""
    with on(day):
        demo_seed()
        now = utcnow()
    return now


def first_of_history(day: date) -> date:
    year, month = day.year, day.month
    for _ in range(3):
        year, month = previous_month(year, month)
    return date(year, month, 1)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_event_carries_the_time_it_claims(demo_seed, day):
    now = seed_demo(demo_seed, day)
    start = first_of_history(day)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert len(events) > 500
    for event in events:
        assert start <= local_date(event.occurred_at) and event.occurred_at <= now, event.action
    # most of the history lies in the months before this one, not on the seed's day
    earlier = [e for e in events if local_date(e.occurred_at) < date(day.year, day.month, 1)]
    assert len(earlier) > len(events) / 2

    # each report's times and audit events fall within its period, in order
    periods = {p.id: p for p in db.session.scalars(select(ReportingPeriod))}
    by_report = defaultdict(list)
    for event in events:
        if event.action.startswith("report.") and "report_id" in event.detail:
            by_report[event.detail["report_id"]].append(event)
    reports = db.session.scalars(select(ProgressReport)).all()
    assert len(reports) > 300
    for report in reports:
        period = periods[report.period_id]
        opens = date(period.year, period.month, 1)
        closes = period.due_date + timedelta(days=14)
        earlier_month = (period.year, period.month) < (day.year, day.month)
        times = [report.created_at, report.first_submitted_at, report.submitted_at]
        times = [t for t in [*times, report.reviewed_at] if t is not None]
        assert times == sorted(times), report.id
        stamped = times + [e.occurred_at for e in by_report[report.id]]
        assert by_report[report.id], report.id
        for moment in stamped:
            assert opens <= local_date(moment) <= closes, (report.id, moment)
            assert not (earlier_month and local_date(moment) == day), (report.id, moment)
        moments = [e.occurred_at for e in by_report[report.id]]
        assert moments == sorted(moments)
        if report.submitted_at:
            submitted = [e for e in by_report[report.id] if e.action == "report.submitted"]
            assert submitted[-1].occurred_at == report.submitted_at
        if report.reviewed_at:
            assert by_report[report.id][-1].occurred_at == report.reviewed_at

    # notifications are told when their event happened
    moments = {e.occurred_at for e in events}
    notifications = db.session.scalars(select(Notification)).all()
    assert any(n.kind == "report_returned" for n in notifications)
    assert all(n.created_at in moments for n in notifications)


@pytest.mark.parametrize("day", DAYS[:1], ids=str)
def test_timelines_run_in_order(demo_seed, day):
    now = seed_demo(demo_seed, day)
    for a in db.session.scalars(select(TaskAssignment)):
        assert a.assigned_at <= (a.acknowledged_at or now)
    for model in (ExtensionRequest, CloseOutRequest):
        rows = db.session.scalars(select(model)).all()
        assert rows
        for r in rows:
            assert r.requested_at <= (r.decided_at or now) <= now
    for i in db.session.scalars(select(Instruction)):
        assert i.created_at <= (i.answered_at or now) <= now
        assert local_date(i.created_at) <= i.answer_due
    for n in db.session.scalars(select(SupervisionNotice)):
        assert local_date(n.issued_at) == n.issued_on and n.issued_at <= (n.answered_at or now)

    by_task = defaultdict(list)
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "task").order_by(AuditEvent.id)
    ):
        by_task[event.subject_id].append(event)
    for task_id, events in by_task.items():
        timeline = sorted(events, key=lambda e: (e.occurred_at, e.id))
        assert timeline[0].action == "task.seeded", task_id
        actions = [e.action for e in timeline]
        # each step comes after the one it answers
        for earlier, later in (
            ("task.assigned", "task.acknowledged"),
            ("task.acknowledged", "report.submitted"),
            ("task.extension_requested", "task.extension_approved"),
            ("task.close_out_requested", "task.closed_out"),
            ("task.instruction_written", "task.instruction_answered"),
            ("task.notice_issued", "task.notice_answered"),
            ("report.submitted", "report.accepted"),
        ):
            if later in actions:
                assert earlier in actions and actions.index(earlier) < actions.index(later), (
                    task_id,
                    actions,
                )
        # the task page reads the timeline by time; within one report, request, instruction
        # or notice the recorded order is the same
        threads = defaultdict(list)
        for event in events:
            for key in ("report_id", "request_id", "instruction_id", "notice_id"):
                if key in event.detail:
                    threads[key, event.detail[key]].append(event)
        for thread in threads.values():
            assert [e.id for e in thread] == [
                e.id for e in sorted(thread, key=lambda e: (e.occurred_at, e.id))
            ]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_demo_notice_numbers_follow_their_dates(demo_seed, day):
    seed_demo(demo_seed, day)
    notices = db.session.scalars(
        select(SupervisionNotice).order_by(SupervisionNotice.issued_on, SupervisionNotice.id)
    ).all()
    assert len(notices) >= 2
    by_year: dict[int, list[int]] = {}
    for notice in notices:
        by_year.setdefault(notice.year, []).append(notice.seq)
        assert notice.number == f"督办〔{notice.year}〕{notice.seq}号"
        assert notice.year == notice.issued_on.year
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_year.values())


def all_rows():
    return {
        table.name: sorted(
            tuple(str(v) for v in row) for row in db.session.execute(table.select()).all()
        )
        for table in db.metadata.sorted_tables
    }


def test_a_second_demo_seed_changes_no_row(demo_seed, runner):
    day = DAYS[0]
    seed_demo(demo_seed, day)
    db.session.commit()
    before = all_rows()
    with on(day + timedelta(days=1)):
        again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0 and "created nothing; updated nothing" in again.output
    assert "demo: 0 task states set, 0 progress reports added, 0 requests" in again.output
    db.session.rollback()
    after = all_rows()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, changed


def test_history_plays_in_time_order_and_never_in_the_future():
    history, played = History(), []
    now = utcnow()
    later, earlier = now - timedelta(hours=1), now - timedelta(days=3)
    history.add(now + timedelta(days=1), lambda day: played.append(("future", utcnow())))
    history.add(later, lambda day: played.append(("later", utcnow())))
    history.add(earlier, lambda day: played.append(("earlier", utcnow())))
    history.add(earlier, lambda day: played.append(("earlier, added second", utcnow())))
    history.play()
    assert [name for name, _ in played] == ["earlier", "earlier, added second", "later", "future"]
    assert played[0][1] == earlier and played[2][1] == later
    assert now <= played[3][1] <= utcnow()  # stamped now, not tomorrow
    assert utcnow() > earlier  # the real clock again outside the steps


def test_at_is_a_beijing_moment_stored_as_utc():
    assert at(date(2026, 11, 27), 9) == datetime(2026, 11, 27, 1, 0)


def test_only_the_demo_stamps_a_time():
    root = Path(__file__).resolve().parent.parent / "tracker"
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "stamped_at(" in path.read_text() and path.name != "timeutil.py"
    )
    assert users and all(name.startswith("demo/") for name in users), users
    with stamped_at(datetime(2020, 1, 1)):
        assert utcnow() == datetime(2020, 1, 1)
