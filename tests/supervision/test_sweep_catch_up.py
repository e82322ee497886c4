"""Catch-up after a scheduler outage (issue 12, finding 11): the first sweep after an outage
reaches exactly the state daily sweeps would have reached — the previous month's
missing-report alerts raised, every escalation at the level it would have climbed to.

The outage: ten days, Tuesday 2026-09-29 to Thursday 10-08, across the month end and the
National Day holiday (10-01 to 10-07 in tracker.calendar; 09-25 is the Mid-Autumn Festival,
so September's reports are due Monday 09-28). The last completed sweep is on 09-28; the
scheduler comes back on Friday 10-09.
"""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ReportingPeriod
from tracker.settings import Setting
from tracker.supervision.alerts.rules import REPORT_MISSING
from tracker.supervision.alerts.sweep import LAST_SWEEP_KEY, run_sweep
from tracker.supervision.models import Alert, Notification, OutboxMessage, TaskAssignment

D = date.fromisoformat
START, LAST, BACK, END = D("2026-09-14"), D("2026-09-28"), D("2026-10-09"), D("2026-10-16")


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def alert_state() -> list[tuple]:
    """Every alert as (kind, key, level, open)."""
    db.session.expire_all()
    return sorted(
        (a.kind, a.key, a.level, a.resolved_at is None)
        for a in db.session.scalars(select(Alert)).all()
    )


def start_over() -> None:
    """No alert, no recorded sweep, no reporting period: as before the first sweep."""
    db.session.execute(delete(Notification))
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(Alert))
    db.session.execute(delete(Setting).where(Setting.key == LAST_SWEEP_KEY))
    db.session.execute(delete(ReportingPeriod))
    db.session.commit()


def assign(task_id: int, status: str, due: str, on: str, acknowledged: bool = True, ack_due=None):
    task = db.session.get(Task, task_id)
    db.session.execute(
        update(Task).where(Task.id == task_id).values(status=status, due_date=D(due))
    )
    at = datetime.fromisoformat(on).replace(hour=1)
    db.session.add(
        TaskAssignment(
            task_id=task_id,
            unit_id=task.lead_unit_id,
            is_lead=True,
            assigned_at=at,
            ack_due=D(ack_due) if ack_due else at.date(),
            acknowledged_at=at if acknowledged else None,
        )
    )


@pytest.fixture
def work(world):
    """Three open tasks: one due on 10-09 (due soon, then overdue), one long overdue, one
    assigned on 09-25 and not acknowledged by its 09-30 deadline. All three owe September's
    report (due 09-28) and none files it."""
    ids = world["ids"]
    assign(ids["own_task"], "in_progress", "2026-10-09", "2026-08-03")
    assign(ids["other_task"], "assigned", "2020-12-31", "2026-08-03")
    assign(ids["co_task"], "assigned", "2027-06-30", "2026-09-25", False, "2026-09-30")
    db.session.commit()
    return ids


def test_a_ten_day_outage_across_a_month_end_and_a_holiday_ends_as_daily_sweeps(work):
    calendar = load_calendar()
    outage = days(LAST + timedelta(days=1), BACK - timedelta(days=1))
    assert len(outage) == 10 and not calendar.is_workday(D("2026-10-01"))

    daily = {}
    for day in days(START, END):
        run_sweep(day)
        if day >= BACK:
            daily[day] = alert_state()

    start_over()
    for day in days(START, LAST):
        run_sweep(day)
    result = run_sweep(BACK)
    assert alert_state() == daily[BACK]
    assert result.caught_up == [D("2026-09-29"), D("2026-09-30"), D("2026-10-08")]
    for day in days(BACK + timedelta(days=1), END):
        run_sweep(day)
        assert alert_state() == daily[day], day

    # what the old sweep got wrong: September's missing reports are raised, and escalated
    september = [a for a in daily[BACK] if a[0] == REPORT_MISSING and a[1].endswith("2026-09")]
    assert len(september) == 3 and {a[2] for a in september} == {2}
    assert max(a[2] for a in daily[BACK]) == 4  # the long-overdue task is in the bulletin


def test_a_sweep_for_a_day_before_the_last_sweep_changes_nothing(work):
    run_sweep(LAST)
    run_sweep(BACK)
    before = alert_state()
    again = run_sweep(LAST)  # an operator re-running an earlier day by hand
    assert again.already_swept == BACK and sum(again.created.values()) == 0
    assert alert_state() == before
    assert db.session.scalar(select(Setting.value).where(Setting.key == LAST_SWEEP_KEY)) == (
        BACK.isoformat()
    )
    assert run_sweep(BACK).caught_up == []  # the same day again: idempotent
    assert alert_state() == before


def test_a_sweep_on_a_day_off_catches_up_the_working_days_missed(work):
    run_sweep(LAST)
    result = run_sweep(D("2026-10-03"))  # back during the holiday
    assert not result.working_day
    assert result.caught_up == [D("2026-09-29"), D("2026-09-30")]
    assert sum(result.created.values()) > 0
    missing = [a for a in alert_state() if a[0] == REPORT_MISSING]
    assert len(missing) == 3
