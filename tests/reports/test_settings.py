"""The office sets the reports' due day; the admin corrects the working-day calendar.
Open reporting periods follow at once, past ones keep their due date."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from markupsafe import escape
from sqlalchemy import func, select

from tracker.audit import AuditEvent
from tracker.calendar.models import CalendarOverride
from tracker.extensions import db
from tracker.reports.models import ReportingPeriod
from tracker.reports.periods import ensure_period
from tracker.settings import Setting, get_setting

SETTINGS = {
    "report_due_day": "25",
    "ack_working_days": "3",
    "instruction_answer_working_days": "5",
    "contest_working_days": "3",
    "pace_margin_points": "15",
}


@pytest.fixture
def as_role(client_for):
    """as_role(role) -> a client signed in as the world user, with the English UI."""

    def make(role):
        client = client_for(role)
        client.set_cookie("tracker_lang", "en")
        return client

    return make


def _period(year, month) -> ReportingPeriod:
    db.session.expire_all()
    return db.session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.year == year, ReportingPeriod.month == month)
    )


def _html(response) -> str:
    return response.get_data(as_text=True)


def _has(html: str, text: str) -> bool:
    return str(escape(text)) in html


@freeze_time("2026-11-02 10:00:00")
def test_office_changes_due_day_open_periods_move_past_ones_keep_theirs(world, as_role):
    october, november, december = (ensure_period(2026, m) for m in (10, 11, 12))
    db.session.commit()
    assert october.due_date == date(2026, 10, 26)  # the 25th is a Sunday
    assert november.due_date == date(2026, 11, 25)

    client = as_role("office")
    response = client.post("/settings", data={**SETTINGS, "report_due_day": "10"})
    assert response.status_code == 302
    page = _html(client.get("/settings"))
    assert "Settings saved." in page

    assert get_setting("report_due_day") == 10
    assert (_period(2026, 10).due_day, _period(2026, 10).due_date) == (25, date(2026, 10, 26))
    assert (_period(2026, 11).due_day, _period(2026, 11).due_date) == (10, date(2026, 11, 10))
    assert _period(2026, 12).due_date == date(2026, 12, 10)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.updated"))
    event = event.one()
    assert event.subject_type == "setting"
    assert event.detail["before"]["report_due_day"] == 25
    assert event.detail["after"]["report_due_day"] == 10
    assert event.detail["periods_moved"] == 2


@freeze_time("2026-11-02 10:00:00")
def test_settings_page_previews_the_next_due_dates(world, as_role):
    page = _html(as_role("office").get("/settings"))
    assert "2026-11-25" in page and "2026-12-25" in page and "2027-01-25" in page
    # 2026-10-25 is a Sunday: not in the preview, which starts with this month
    assert "2026-10" not in page


@freeze_time("2026-11-02 10:00:00")
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("report_due_day", "0", "Enter a day from 1 to 28."),
        ("report_due_day", "31", "Enter a day from 1 to 28."),
        ("report_due_day", "29", "Enter a day from 1 to 28."),
        ("report_due_day", "abc", "Enter a whole number."),
        ("report_due_day", "9" * 40, "Enter a whole number."),  # wtforms' NumberRange raised
        ("report_due_day", "", "Enter a day of the month."),
        ("ack_working_days", "16", "Enter a number from 1 to 15."),
        ("instruction_answer_working_days", "0", "Enter a number from 1 to 30."),
        ("pace_margin_points", "51", "Enter a number from 0 to 50."),
        ("pace_margin_points", "-1", "Enter a number from 0 to 50."),
        ("pace_margin_points", "", "Enter a number of percentage points."),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_is_saved(
    world, as_role, field, value, message
):
    ensure_period(2026, 11)
    db.session.commit()
    response = as_role("office").post("/settings", data={**SETTINGS, field: value})
    assert response.status_code == 200
    assert _has(_html(response), message)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0
    assert _period(2026, 11).due_date == date(2026, 11, 25)
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "settings.updated")
    )


@freeze_time("2026-11-02 10:00:00")
def test_office_sets_the_pace_margin(world, as_role):
    """序时进度's margin (issue 14) is on the settings page; 0 is allowed (any shortfall)."""
    client = as_role("office")
    page = _html(client.get("/settings"))
    assert 'name="pace_margin_points"' in page and 'value="15"' in page
    response = client.post("/settings", data={**SETTINGS, "pace_margin_points": "0"})
    assert response.status_code == 302
    assert get_setting("pace_margin_points") == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.updated"))
    detail = event.one().detail
    assert (detail["before"]["pace_margin_points"], detail["after"]["pace_margin_points"]) == (
        15,
        0,
    )


@freeze_time("2026-11-02 10:00:00")
def test_admin_adds_a_day_off_and_the_open_period_moves(world, as_role):
    ensure_period(2026, 11)
    db.session.commit()
    client = as_role("admin")
    response = client.post(
        "/admin/calendar",
        data={"day": "2026-11-25", "is_workday": "0", "note": "市政府通知(测试)"},
    )
    assert response.status_code == 302
    assert _period(2026, 11).due_date == date(2026, 11, 26)
    page = _html(client.get("/admin/calendar"))
    assert "Calendar override added." in page
    assert "市政府通知(测试)" in page and "admin" in page

    override = db.session.scalar(select(CalendarOverride))
    assert override.created_by_id == world["users"]["admin"].id
    added = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "calendar.override_added")
    )
    assert added.detail["day"] == "2026-11-25" and added.detail["periods_moved"] == 1

    response = client.post(f"/admin/calendar/{override.id}/delete")
    assert response.status_code == 302
    assert _period(2026, 11).due_date == date(2026, 11, 25)
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 0
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "calendar.override_deleted")
        ).detail["day"]
        == "2026-11-25"
    )


@freeze_time("2026-11-02 10:00:00")
def test_duplicate_date_and_missing_source_are_refused(world, as_role):
    client = as_role("admin")
    data = {"day": "2026-11-25", "is_workday": "0", "note": "来源"}
    assert client.post("/admin/calendar", data=data).status_code == 302
    response = client.post("/admin/calendar", data={**data, "is_workday": "1"})
    assert response.status_code == 200
    assert _has(_html(response), "This date already has an override.")
    response = client.post("/admin/calendar", data={**data, "day": "2026-11-26", "note": " "})
    assert _has(_html(response), "Name the source of this change.")
    response = client.post("/admin/calendar", data={**data, "day": "2026-13-01"})
    assert _has(_html(response), "Not a valid date value.")
    db.session.expire_all()
    rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    assert rows == [(date(2026, 11, 25), False)]


@freeze_time("2026-12-01 10:00:00")
def test_unknown_year_warns_the_office_until_the_admin_fills_it_in(world, as_role):
    office = as_role("office")
    warning = "The official holidays of 2027 are not known yet"
    for path in ("/settings", "/admin/calendar"):
        assert warning in _html(office.get(path)), path
    admin = as_role("admin")
    assert warning in _html(admin.get("/admin/calendar"))
    response = admin.post(
        "/admin/calendar",
        data={
            "day": "2027-01-01",
            "is_workday": "0",
            "note": "国务院办公厅关于2027年部分节假日安排的通知",
        },
    )
    assert response.status_code == 302
    for path in ("/settings", "/admin/calendar"):
        assert warning not in _html(office.get(path)), path


@freeze_time("2026-11-02 10:00:00")
def test_calendar_page_shows_which_years_the_library_knows(world, as_role):
    page = _html(as_role("office").get("/admin/calendar"))
    assert "Official holidays known (chinese-calendar" in page
    known = page.split('data-testid="library-years"')[1].split("</p>")[0]
    assert "2026" in known and "2027" in known.split("Not known:")[1]
    # the office reads the calendar but gets no form to change it
    assert 'name="note"' not in page and "/delete" not in page


def test_calendar_page_costs_the_same_statements_for_3_and_30_overrides(
    world, login, count_statements, app
):
    admin = world["users"]["admin"]
    client = app.test_client()
    login(client, admin)

    def add(n, start):
        for i in range(n):
            db.session.add(
                CalendarOverride(
                    day=date(2030, 1, 1) + timedelta(days=start + i),
                    is_workday=bool(i % 2),
                    note=f"来源{i}",
                    created_by_id=admin.id,
                )
            )
        db.session.commit()

    def cost():
        with count_statements() as counter:
            assert client.get("/admin/calendar").status_code == 200
        return counter.count

    add(3, 0)
    few = cost()
    add(27, 3)
    assert cost() == few
