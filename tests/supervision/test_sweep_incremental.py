"""The incremental sweep (issue 13): a sweep that finds nothing new writes nothing, and the
report alerts of periods older than last month are settled in SQL, not re-judged."""

from datetime import date, datetime

from sqlalchemy import select

from tests.support.sweep import assign_lead, file_report, set_task
from tracker.extensions import db
from tracker.supervision.alerts.rules import REPORT_MISSING
from tracker.supervision.alerts.sweep import run_sweep
from tracker.supervision.models import Alert

D = date.fromisoformat
NOV_27 = D("2026-11-27")  # November's reports were due 11-25: missing from 11-26
JAN_5 = D("2027-01-05")  # November is now older than last month (December)


def _missing(period_label):
    db.session.expire_all()
    return {
        a.task_id: a
        for a in db.session.scalars(
            select(Alert).where(
                Alert.kind == REPORT_MISSING, Alert.key.endswith(f":period={period_label}")
            )
        )
    }


def test_a_sweep_that_finds_nothing_new_inserts_nothing(world, count_statements):
    ids = world["ids"]
    for name in ("own_task", "other_task"):
        set_task(ids[name], due="2027-12-31")
        assign_lead(ids[name])
    first = run_sweep(NOV_27)
    assert first.created[REPORT_MISSING] == 2
    with count_statements() as again:
        second = run_sweep(NOV_27)
    assert sum(second.created.values()) == 0 and second.resolved == 0
    inserts = [s for s in again.statements if s.lstrip().upper().startswith("INSERT INTO ALERT")]
    assert inserts == []  # nothing re-inserted: only the difference is written


def test_old_period_alerts_stay_open_and_resolve_when_filed_or_closed(world):
    ids = world["ids"]
    own, other, co = ids["own_task"], ids["other_task"], ids["co_task"]
    for task_id in (own, other, co):
        set_task(task_id, due="2027-12-31")
        assign_lead(task_id)
    run_sweep(NOV_27)
    assert set(_missing("2026-11")) == {own, other, co}

    # January: November is no longer judged in full; its alerts stay open and climb
    run_sweep(JAN_5)
    november = _missing("2026-11")
    assert all(a.resolved_at is None for a in november.values())
    assert november[own].level == 4  # 20+ working days open: named in the bulletin

    # a late November report, a closed task: settled by the next sweep
    file_report(own, "2026-11", datetime(2027, 1, 5, 3))
    set_task(other, status="closed", due="2027-12-31")
    result = run_sweep(D("2027-01-06"))
    november = _missing("2026-11")
    assert november[own].resolved_at is not None
    assert november[other].resolved_at is not None
    assert november[co].resolved_at is None
    assert result.resolved >= 2
    # nothing reopened or created again for November
    assert sum(1 for a in db.session.scalars(select(Alert)) if "period=2026-11" in a.key) == 3
