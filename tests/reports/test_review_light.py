"""Issue 13: the review queue's light filter reads the report's stored first submission
(first_filed_at, over its revisions) and lateness (first_late), kept by
services.mark_submitted and start_correction. The SQL filter must select exactly the reports
whose light rules.report_light gives, the first submission worked out in Python from every
revision (rules.first_submission) — on varied data: revisions, returned and resubmitted,
late, on the due day's last minute, never submitted, due dates moved by days off."""

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.reports.test_bounded_pages import _grow_tasks, _unit
from tests.support.clock import on
from tracker.calendar.models import CalendarOverride
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.reports import queries, rules, services
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.periods import ensure_period
from tracker.settings import get_setting
from tracker.timeutil import local_date, local_day_bounds

TODAY = date(2026, 11, 20)  # a Friday before November's due day


def _submit(report, period, user, moment):
    services.mark_submitted(report, period, user, moment)
    db.session.flush()


def _build(world):
    """Reports of 市发改委 over six months, one scenario per (task, period)."""
    liaison = world["users"]["liaison"]
    fgw = _unit("fgw")
    # days off: the working days left before November's due date shrink (yellow vs green)
    for day in (date(2026, 11, 23), date(2026, 11, 24)):
        db.session.add(CalendarOverride(day=day, is_workday=False, note="调休"))
    db.session.flush()
    months = [(2026, m) for m in (8, 9, 10, 11, 12)] + [(2027, 1)]
    periods = [ensure_period(y, m) for y, m in months]
    tasks = _grow_tasks(14)
    for i, task in enumerate(tasks):
        for j, period in enumerate(periods):
            due = period.due_date
            day_end = local_day_bounds(due)[1]
            early = datetime.combine(due - timedelta(days=3), datetime.min.time())
            late = day_end + timedelta(hours=5)
            scenario = (i + j) % 8
            if scenario == 0:
                continue  # never started
            report = ProgressReport(
                task_id=task.id,
                unit_id=fgw.id,
                period_id=period.id,
                revision=1,
                progress="进展",
                percent=30,
            )
            db.session.add(report)
            db.session.flush()
            if scenario == 1:
                continue  # a draft never submitted
            if scenario == 2:
                _submit(report, period, liaison, early)
            elif scenario == 3:
                _submit(report, period, liaison, late)
            elif scenario == 4:  # on the due day's last second: in time
                _submit(report, period, liaison, day_end - timedelta(seconds=1))
            elif scenario == 5:  # on time, returned, resubmitted late: on time
                _submit(report, period, liaison, early)
                report.state = ReportState.RETURNED.value
                db.session.flush()
                _submit(report, period, liaison, late)
            elif scenario == 6:  # returned and left so
                _submit(report, period, liaison, late)
                report.state = ReportState.RETURNED.value
            else:  # accepted, then a correction (a new revision), submitted for some
                _submit(report, period, liaison, late if i % 2 else early)
                report.state = ReportState.ACCEPTED.value
                db.session.flush()
                correction = services.start_correction(liaison, report)
                if i % 3 == 0:
                    _submit(correction, period, liaison, late + timedelta(days=9))
    db.session.commit()


def _lights_by_rule(today):
    """{report id: light} from every revision, row by row (the pure rules)."""
    calendar = load_calendar()
    warn = int(get_setting("yellow_working_days"))
    reports = db.session.scalars(select(ProgressReport)).all()
    due = {p.id: p.due_date for p in db.session.scalars(select(ReportingPeriod))}
    days = defaultdict(list)
    for r in reports:
        days[(r.task_id, r.unit_id, r.period_id)].append(
            local_date(r.first_submitted_at or r.submitted_at)
        )
    lights = {}
    for r in reports:
        first_on = rules.first_submission(days[(r.task_id, r.unit_id, r.period_id)])
        d = due[r.period_id]
        left = calendar.workdays_between(today, d)
        lights[r.id] = rules.report_light(first_on, d, today, left, warn)
    return lights


@pytest.mark.parametrize("state", ["", "submitted", "draft", "returned", "accepted"])
def test_the_light_filter_is_the_rule_report_by_report(open_tasks, state):
    with on(TODAY):
        _build(open_tasks)
        lights = _lights_by_rule(TODAY)
        states = {r.id: r.state for r in db.session.scalars(select(ProgressReport))}
        assert set(lights.values()) == {"red", "yellow", "green"}
        for light in ("red", "yellow", "green"):
            want = {
                i for i, lt in lights.items() if lt == light and states[i] == (state or states[i])
            }
            filters = queries.QueueFilters(state=state or None, light=light)
            got = {r["report"].id for r in queries.review_queue(filters, TODAY, 10_000)}
            assert got == want, light
            assert queries.review_count(queries.prepare_queue(filters, TODAY)) == len(want)
            # the page shows each row's light by the same rule
            every = queries.review_queue(queries.QueueFilters(state=state or None), TODAY, 10_000)
            assert all(lights[r["report"].id] == r["light"] for r in every)


def test_lateness_is_stored_at_submission_and_carried_by_corrections(open_tasks):
    with on(TODAY):
        _build(open_tasks)
        reports = db.session.scalars(select(ProgressReport)).all()
        first = defaultdict(list)
        for r in reports:
            first[(r.task_id, r.unit_id, r.period_id)].append(
                r.first_submitted_at or r.submitted_at
            )
        due = {p.id: p.due_date for p in db.session.scalars(select(ReportingPeriod))}
        assert any(r.revision == 2 for r in reports)
        for r in reports:
            times = [t for t in first[(r.task_id, r.unit_id, r.period_id)] if t is not None]
            want = min(times, default=None)
            assert r.first_filed_at == want
            assert r.first_late == rules.is_late(local_date(want), due[r.period_id])
