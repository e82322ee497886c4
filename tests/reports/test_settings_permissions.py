"""Settings and the working-day calendar, every role: the office and the admin read both; the
office changes the reporting settings, only the admin changes the calendar; leaders and
liaisons get 403. A refused write changes nothing."""

from datetime import date

import pytest
from sqlalchemy import select
from support.csrf import signed_in_with_csrf
from support.permission_matrix import LOGIN, WRITE, run_matrix

from tracker.calendar.models import CalendarOverride
from tracker.extensions import db
from tracker.reports.models import ReportingPeriod
from tracker.reports.periods import ensure_period
from tracker.settings import Setting

ENDPOINTS = {"settings.reporting", "settings.calendar", "settings.calendar_delete"}

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404

GET_MATRIX = [
    ("/settings", [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("/admin/calendar", [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
]

SETTINGS = {
    "report_due_day": "10",
    "ack_working_days": "4",
    "instruction_answer_working_days": "6",
    "contest_working_days": "3",
    "pace_margin_points": "15",
}
OVERRIDE = {"day": "2026-12-25", "is_workday": "0", "note": "测试来源"}

POST_MATRIX = [
    ("/settings", SETTINGS, [LOGIN, WRITE, WRITE, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("/admin/calendar", OVERRIDE, [LOGIN, WRITE, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (
        "/admin/calendar/{override}/delete",
        {},
        [LOGIN, WRITE, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    ("/admin/calendar/999999/delete", {}, [LOGIN, NOT_FOUND] + [FORBIDDEN] * 4),
]


@pytest.fixture
def objects(world):
    override = CalendarOverride(day=date(2026, 12, 31), is_workday=False, note="来源")
    db.session.add(override)
    ensure_period(2026, 12)
    db.session.commit()
    return {**world["ids"], "override": override.id}


def _snapshot():
    db.session.expire_all()
    return (
        sorted(db.session.execute(select(Setting.key, Setting.value)).all()),
        sorted(db.session.execute(select(CalendarOverride.day, CalendarOverride.note)).all()),
        sorted(db.session.execute(select(ReportingPeriod.id, ReportingPeriod.due_date)).all()),
    )


@pytest.mark.parametrize("role", ROLES)
def test_reads(objects, client_for, role):
    cases = [("GET", path, None, expected) for path, expected in GET_MATRIX]
    run_matrix(cases, role, client_for=client_for, ids=objects)


@pytest.mark.parametrize("role", ROLES)
def test_writes(objects, client_for, role):
    """An allowed change is saved; a refused one changes nothing."""
    cases = [("POST", path, data, expected) for path, data, expected in POST_MATRIX]
    run_matrix(
        cases, role, client_for=client_for, ids=objects, snapshot=_snapshot, fresh_client=True
    )


def test_office_reads_the_calendar_without_forms(objects, client_for):
    page = client_for("office").get("/admin/calendar").get_data(as_text=True)
    assert "来源" in page
    assert 'name="note"' not in page
    assert "/delete" not in page


def test_every_settings_form_needs_its_csrf_token(app_factory, world):
    _, client = signed_in_with_csrf(app_factory, world["users"]["admin"].username)
    override = CalendarOverride(day=date(2026, 12, 31), is_workday=False, note="来源")
    db.session.add(override)
    db.session.commit()
    before = _snapshot()
    for path, data in [
        ("/settings", SETTINGS),
        ("/admin/calendar", OVERRIDE),
        (f"/admin/calendar/{override.id}/delete", {}),
    ]:
        assert client.post(path, data=data).status_code == 400, path
    assert _snapshot() == before
