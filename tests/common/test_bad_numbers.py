"""Numbers and text from requests: one parser bounded to the database's integer, one cleaner
for control characters, and the requests the attack run answered with 500 (issue 12, 5)."""

import pytest
from sqlalchemy import func, select, update

from tracker.common.http import DB_INT_MAX, clean_text, parse_int
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.reports.periods import ensure_period

BAD_NUMBERS = ["2147483648", "-2147483649", "9" * 40, "abc", "1.5", "1e3", "0x10", "\x00", ""]


@pytest.mark.parametrize(
    ("raw", "minimum", "maximum", "expected"),
    [
        ("1", 1, DB_INT_MAX, 1),
        (" 42 ", 1, DB_INT_MAX, 42),
        ("2147483647", 1, DB_INT_MAX, 2147483647),
        ("2147483648", 1, DB_INT_MAX, None),  # PostgreSQL's INTEGER ends here
        ("-2147483648", -(2**31), 0, -(2**31)),
        ("-2147483649", -(2**31), 0, None),
        ("9" * 400, 1, DB_INT_MAX, None),
        ("0", 1, DB_INT_MAX, None),  # ids start at 1
        ("-1", 1, DB_INT_MAX, None),
        ("0", 0, 10, 0),
        ("11", 0, 10, None),
        ("5", 0, 2**40, 5),  # a wider bound is still the database's
        (str(2**31), 0, 2**40, None),
        ("1.5", 1, DB_INT_MAX, None),
        ("1e3", 1, DB_INT_MAX, None),
        ("0x10", 1, DB_INT_MAX, None),
        ("nan", 1, DB_INT_MAX, None),
        ("", 1, DB_INT_MAX, None),
        ("   ", 1, DB_INT_MAX, None),
        (None, 1, DB_INT_MAX, None),
        ("7\x00", 1, DB_INT_MAX, None),
        ("１２", 1, DB_INT_MAX, 12),  # full-width digits, as a Chinese input method types them
        (7, 1, DB_INT_MAX, 7),
        (True, 0, DB_INT_MAX, None),
        (["3"], 1, DB_INT_MAX, None),
    ],
)
def test_parse_int(raw, minimum, maximum, expected):
    assert parse_int(raw, minimum, maximum) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("进展顺利", "进展顺利"),
        ("第一行\r\n第二行\t完", "第一行\r\n第二行\t完"),  # line breaks and tabs stay
        ("a\x00b", "ab"),  # PostgreSQL refuses NUL in text
        ("a\x01\x08\x1b\x1fb", "ab"),  # Excel and Word refuse the other controls
        ("行一\x0b行二\x0c", "行一\n行二\n"),  # Word's line and page breaks, pasted
        ("\x7f删除", "\x7f删除"),  # DEL is printable enough for every store
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.fixture
def report(world):
    """A submitted report of 市发改委 on its task, in this month's period."""
    from tracker.reports.periods import current_period
    from tracker.timeutil import today

    plan_id = world["ids"]["own_plan"]
    db.session.execute(update(Task).where(Task.plan_id == plan_id).values(status="in_progress"))
    period = current_period(today())
    ensure_period(period.year, period.month)
    row = ProgressReport(
        task_id=world["ids"]["own_task"],
        unit_id=world["users"]["liaison"].unit_id,
        period_id=period.id,
        state="submitted",
        progress="本月完成初审。",
        percent=30,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def _reports():
    return db.session.scalar(select(func.count()).select_from(ProgressReport))


def test_a_tampered_version_is_refused_without_saving(report, world, client_for):
    """The hidden version is a number the page carried; anything else is a 400 (an empty
    one is a new report's 0, and meets the saved report as a conflict)."""
    liaison, office = client_for("liaison"), client_for("office")
    task = world["ids"]["own_task"]
    before = _reports()
    for version in ["2147483648", "-2147483649", "9" * 40, "abc", "1.5", "1e3", "0x10", "-1"]:
        form = {"task_id": task, "version": version, "progress": "改", "percent": "50"}
        assert liaison.post("/reports/save", data=form).status_code == 400, version
        assert liaison.post("/reports/copy-last", data=form).status_code == 400, version
        review = {"version": version, "decision": "accept"}
        assert office.post(f"/review/{report}", data=review).status_code == 400, version
    db.session.expire_all()
    assert _reports() == before
    assert db.session.get(ProgressReport, report).state == "submitted"


def test_a_tampered_task_id_is_refused(report, client_for):
    liaison = client_for("liaison")
    for task_id in ["2147483648", "9" * 40, "abc", "-3"]:
        form = {"task_id": task_id, "version": "0", "progress": "改", "percent": "50"}
        assert liaison.post("/reports/save", data=form).status_code == 400, task_id


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("office", "/notices?year={}", 200),
        ("office", "/review?unit={}", 200),
        ("office", "/review?plan={}", 200),
        ("office", "/review?period={}", 200),
        ("office", "/reports/overview?period={}", 200),  # this month's overview
        ("office", "/notices/new?task={}", 404),
        ("liaison", "/notifications?page={}", 200),
        ("admin", "/admin/audit?page={}", 200),
        ("office", "/intake/quick?last={}", 200),
        ("office", "/plans/import?plan_id={}", 200),
        ("leader", "/dashboard/units/1?section={}", None),
    ],
)
def test_a_number_out_of_range_is_dropped_not_a_server_error(
    report, client_for, role, path, status
):
    """A filter the database could not hold matches nothing and is dropped: the page shows
    unfiltered (PostgreSQL answered these with "integer out of range")."""
    from urllib.parse import quote

    client = client_for(role)
    for value in BAD_NUMBERS:
        answer = client.get(path.format(quote(value)))
        assert answer.status_code < 500, (path, value)
        if status is not None and value:
            assert answer.status_code == status, (path, value)


def test_ids_in_paths_and_text_in_paths_never_reach_the_database(report, client_for):
    office = client_for("office")
    assert office.get("/tasks/2147483648").status_code == 404
    assert office.get("/reports/99999999999999999999").status_code == 404
    assert office.get("/plans/import/abc%00def").status_code == 404


def test_form_text_loses_its_control_characters_before_any_view_reads_it(app):
    with app.test_request_context("/?q=a%00b%0Bc", method="POST", data={"t": "x\x00y\x01z"}):
        from flask import request

        assert request.args["q"] == "ab\nc"
        assert request.form["t"] == "xyz"
