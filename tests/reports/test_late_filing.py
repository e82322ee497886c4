"""Late filing (补报) from the month page, reorganised co-units, and the month page's manners:
the due date passed, no 0 % prefilled, "submit all" only when something is ready, the
reader's place kept, every error of a report at once. The pure rules as tables."""

from datetime import datetime
from io import BytesIO

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.backlog import needs_filing
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.units.labels import with_history

# ---------------------------------------------------------------- the rules
# (which reports are owed: reports.rules.owes_report, tested with the rules)


@pytest.mark.parametrize(
    ("state", "owed", "listed"),
    [
        ("returned", True, True),
        ("returned", False, True),  # a return is always to be filed again
        (None, True, True),
        (None, False, False),
        ("draft", True, True),
        ("draft", False, False),
        ("submitted", True, False),
        ("accepted", True, False),
    ],
)
def test_which_earlier_reports_are_listed(state, owed, listed):
    assert needs_filing(state, owed) is listed


@pytest.mark.parametrize(
    ("current", "former", "shown"),
    [
        ("市工信局", "市经信委", "市工信局（原市经信委）"),
        ("市工信局", None, "市工信局"),
        ("市工信局", "市工信局", "市工信局"),
        ("市市场监管局", "市工商局", "市市场监管局（原市工商局）"),
    ],
)
def test_a_reorganised_unit_is_named_with_its_history(current, former, shown):
    assert with_history(current, former) == shown


# ---------------------------------------------------------------- helpers


def _reports(task_id):
    db.session.expire_all()
    return db.session.scalars(
        select(ProgressReport).where(ProgressReport.task_id == task_id).order_by(ProgressReport.id)
    ).all()


def _english(client):
    client.set_cookie("tracker_lang", "en")
    return client


@pytest.fixture
def october_returned(open_tasks, client_for, report_form):
    """市发改委 filed its October report on its own task; the office returned it."""
    ids = open_tasks["ids"]
    with freeze_time("2026-10-20 09:00:00"):
        liaison = client_for("liaison")
        liaison.post("/reports/save", data=report_form(ids["own_task"], action="submit"))
        report = _reports(ids["own_task"])[0]
        client_for("office").post(
            f"/review/{report.id}",
            data={"version": report.version, "decision": "return", "reason": "请补充数据"},
        )
    return report.id


# ---------------------------------------------------------------- late filing


@freeze_time("2026-11-20 09:00:00")
def test_a_returned_report_of_last_month_is_filed_from_the_month_page(
    october_returned, open_tasks, client_for, report_form
):
    ids = open_tasks["ids"]
    liaison = _english(client_for("liaison"))
    page = liaison.get("/reports").get_data(as_text=True)
    assert 'data-testid="earlier-months"' in page
    assert page.index("earlier-months") < page.index(f'id="task-{ids["own_task"]}"')
    assert f'id="task-{ids["own_task"]}-2026-10"' in page and "请补充数据" in page
    october = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.month == 10))

    # save, then submit, the October report
    data = report_form(ids["own_task"], version=2, period_id=october.id, progress="十月补报")
    response = liaison.post("/reports/save", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#task-{ids['own_task']}-2026-10")
    (report,) = _reports(ids["own_task"])
    assert (report.period_id, report.state, report.progress) == (october.id, "returned", "十月补报")
    data = report_form(ids["own_task"], version=3, period_id=october.id, action="submit")
    assert liaison.post("/reports/save", data=data).status_code == 302
    (report,) = _reports(ids["own_task"])
    assert report.state == "submitted" and report.period_id == october.id
    # filed: no longer listed; this month's report is untouched (none yet)
    assert 'data-testid="earlier-months"' not in liaison.get("/reports").get_data(as_text=True)


@freeze_time("2026-11-20 09:00:00")
def test_an_owed_report_never_filed_is_listed_until_filed(
    world, october_owed, client_for, report_form
):
    ids = world["ids"]
    liaison = client_for("liaison")
    page = liaison.get("/reports").get_data(as_text=True)
    assert f'id="task-{ids["own_task"]}-2026-10"' in page
    # the co-unit task was never assigned: nothing owed from October (nor this month)
    assert f'id="task-{ids["co_task"]}-2026-10"' not in page
    data = report_form(ids["own_task"], period_id=october_owed.id, action="submit")
    assert liaison.post("/reports/save", data=data).status_code == 302
    (report,) = _reports(ids["own_task"])
    assert report.period_id == october_owed.id and report.state == "submitted"
    assert report.first_submitted_at > datetime(2026, 10, 26)  # late, as it should be


@freeze_time("2026-11-20 09:00:00")
def test_no_filing_for_a_month_or_task_not_owed(
    october_returned, open_tasks, client_for, report_form
):
    ids = open_tasks["ids"]
    october = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.month == 10))
    # another unit's liaison: 404, and nothing written
    other = client_for("other_liaison")
    data = report_form(ids["own_task"], version=2, period_id=october.id)
    assert other.post("/reports/save", data=data).status_code == 404
    # an October report on a task not owed (never assigned) nor returned: 404
    liaison = client_for("liaison")
    data = report_form(ids["co_task"], period_id=october.id)
    assert liaison.post("/reports/save", data=data).status_code == 404
    # an unknown or nonsense period
    assert liaison.post("/reports/save", data={**data, "period_id": "999999"}).status_code == 404
    assert liaison.post("/reports/save", data={**data, "period_id": "x"}).status_code == 400
    assert [r.state for r in _reports(ids["own_task"])] == ["returned"]
    assert _reports(ids["co_task"]) == []


# ---------------------------------------------------------------- reorganised co-units


@freeze_time("2026-11-20 09:00:00")
def test_a_reorganised_co_unit_shows_as_its_successor(
    open_tasks, client_for, report_form, make_user, login, app
):
    """Task 11: lead 市发改委, co-units 市经信委 (now 市工信局) and 市科技局."""
    plan_id = open_tasks["ids"]["own_plan"]
    task11 = db.session.scalar(select(Task).where(Task.plan_id == plan_id, Task.number == 11))
    gxj = make_user(Role.LIAISON, "gxj", username="gxj1")
    successor = _english(app.test_client())
    assert login(successor, gxj).status_code == 302
    assert successor.post("/reports/save", data=report_form(task11.id, progress="工信局的部分"))
    lead = _english(client_for("liaison"))
    page = lead.get("/reports").get_data(as_text=True)
    card = page[page.index(f'id="task-{task11.id}"') :]
    card = card[: card.index("</section>")]
    assert "市工信局 (formerly 市经信委)" in card and "工信局的部分" in card
    assert "<b>市经信委</b>" not in card
    # 市科技局 has not reported: it alone shows as not started
    parts = card[card.index('data-testid="co-parts"') :]
    assert parts.count("badge state-not_started") == 1 and "市科技局" in parts


# ---------------------------------------------------------------- the month page's manners


def test_the_page_says_when_the_due_date_has_passed(open_tasks, client_for):
    with freeze_time("2026-11-25 09:00:00"):
        assert "due-passed" not in client_for("liaison").get("/reports").get_data(as_text=True)
    with freeze_time("2026-11-26 09:00:00"):
        page = _english(client_for("liaison")).get("/reports").get_data(as_text=True)
        assert 'data-testid="due-passed"' in page and "2026-11-25" in page


@freeze_time("2026-11-20 09:00:00")
def test_percent_is_empty_until_typed(open_tasks, client_for):
    page = client_for("liaison").get("/reports").get_data(as_text=True)
    assert 'name="percent"' in page
    assert 'name="percent" type="number" value="0"' not in page
    assert 'value="0" name="percent"' not in page
    inputs = [chunk for chunk in page.split("<input") if 'name="percent"' in chunk]
    assert inputs and not any('value="0"' in chunk for chunk in inputs)


@freeze_time("2026-11-20 09:00:00")
def test_submit_all_shows_only_when_something_is_ready(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison = client_for("liaison")
    assert 'data-testid="submit-all"' not in liaison.get("/reports").get_data(as_text=True)
    liaison.post("/reports/save", data=report_form(ids["co_task"], progress=""))  # not ready
    assert 'data-testid="submit-all"' not in liaison.get("/reports").get_data(as_text=True)
    liaison.post("/reports/save", data=report_form(ids["own_task"]))  # ready
    page = _english(liaison).get("/reports").get_data(as_text=True)
    assert 'data-testid="submit-all"' in page and "Submit all ready drafts (1)" in page


@freeze_time("2026-11-20 09:00:00")
def test_every_error_of_a_report_is_shown_at_once(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison = _english(client_for("liaison"))
    data = report_form(ids["own_task"], action="submit", progress="", percent="")
    response = liaison.post("/reports/save", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter the percent complete (0 to 100)." in body
    assert "Fill in this month&#39;s progress." in body or "Fill in this month's progress." in body
    assert "2 problems to correct in this report." in body
    assert _reports(ids["own_task"]) == []


@freeze_time("2026-11-20 09:00:00")
def test_the_reader_keeps_their_place(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison = client_for("liaison")
    # the form posts to an address with the row's anchor: an error page opens at the row
    page = liaison.get("/reports").get_data(as_text=True)
    assert f'action="/reports/save#task-{ids["own_task"]}"' in page
    # after an upload, back to the row
    liaison.post("/reports/save", data=report_form(ids["own_task"]))
    (report,) = _reports(ids["own_task"])
    page = liaison.get("/reports").get_data(as_text=True)
    assert f'name="next" value="/reports#task-{ids["own_task"]}"' in page
    pdf = (BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "a.pdf")
    response = liaison.post(
        f"/reports/{report.id}/attachments",
        data={"file": pdf, "next": f"/reports#task-{ids['own_task']}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports#task-{ids['own_task']}")


def test_the_task_page_names_reorganised_units_by_their_successor(world, client_for):
    """Task 11 (co-unit 市经信委 → 市工信局), task 14 (co-unit 市工商局 → 市市场监管局),
    task 12 (lead 市经信委)."""
    plan_id = world["ids"]["own_plan"]
    office = _english(client_for("office"))

    def facts(number, testid):
        task_id = db.session.scalar(
            select(Task.id).where(Task.plan_id == plan_id, Task.number == number)
        )
        page = office.get(f"/tasks/{task_id}").get_data(as_text=True)
        start = page.index(f'data-testid="{testid}"')
        return page[start : page.index("</dd>", start)]

    assert "市工信局 (formerly 市经信委)" in facts(11, "co-units")
    assert "市市场监管局 (formerly 市工商局)" in facts(14, "co-units")
    assert "市工信局 (formerly 市经信委)" in facts(12, "lead-unit")
