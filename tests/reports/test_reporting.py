"""The liaison's month and the office's review, end to end on a frozen clock."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.reports.models import ProgressReport, ReportingPeriod


def _reports(task_id):
    db.session.expire_all()
    return db.session.scalars(
        select(ProgressReport).where(ProgressReport.task_id == task_id).order_by(ProgressReport.id)
    ).all()


@freeze_time("2026-11-20 09:00:00")
def test_draft_submit_return_resubmit_accept_and_correct(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison, office = client_for("liaison"), client_for("office")

    page = liaison.get("/reports")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "加速建设“双创”示范基地" in body  # own lead task
    assert "搭建产学研用科技平台" in body  # co-unit task (task 17)
    assert "大力发展众创空间" not in body  # another unit's task
    period = db.session.scalar(select(ReportingPeriod))
    assert (period.year, period.month, period.due_date) == (2026, 11, date(2026, 11, 25))

    # draft
    response = liaison.post("/reports/save", data=report_form(ids["own_task"]))
    assert response.status_code == 302
    (report,) = _reports(ids["own_task"])
    assert (report.state, report.percent, report.version) == ("draft", 40, 1)

    # submit
    response = liaison.post(
        "/reports/save", data=report_form(ids["own_task"], version=1, action="submit")
    )
    assert response.status_code == 302
    (report,) = _reports(ids["own_task"])
    assert report.state == "submitted" and report.submitted_at is not None

    # a submitted report can no longer be changed by the unit
    liaison.set_cookie("tracker_lang", "en")
    response = liaison.post("/reports/save", data=report_form(ids["own_task"], version=2))
    assert response.status_code == 400
    assert "can no longer be changed" in response.get_data(as_text=True)
    liaison.delete_cookie("tracker_lang")

    # the office returns it with a reason
    queue = office.get("/review").get_data(as_text=True)
    assert "本月完成示范基地申报材料初审" in queue
    office.set_cookie("tracker_lang", "en")
    response = office.post(f"/review/{report.id}", data={"version": "2", "decision": "return"})
    assert "Give a reason" in office.get("/review").get_data(as_text=True)
    assert _reports(ids["own_task"])[0].state == "submitted"  # nothing half-saved
    response = office.post(
        f"/review/{report.id}",
        data={"version": "2", "decision": "return", "reason": "请补充佐证材料"},
    )
    assert response.status_code == 302
    (report,) = _reports(ids["own_task"])
    assert (report.state, report.return_reason) == ("returned", "请补充佐证材料")

    # the unit sees why, fixes and resubmits
    assert "请补充佐证材料" in liaison.get("/reports").get_data(as_text=True)
    response = liaison.post(
        "/reports/save",
        data=report_form(ids["own_task"], version=3, action="submit", percent=45),
    )
    assert response.status_code == 302
    (report,) = _reports(ids["own_task"])
    assert (report.state, report.percent) == ("submitted", 45)

    # accepted with a quality rating, then locked
    response = office.post(
        f"/review/{report.id}", data={"version": "4", "decision": "accept", "quality": "good"}
    )
    assert response.status_code == 302
    (report,) = _reports(ids["own_task"])
    assert (report.state, report.quality) == ("accepted", "good")
    response = liaison.post("/reports/save", data=report_form(ids["own_task"], version=5))
    assert response.status_code == 400
    assert _reports(ids["own_task"])[0].progress == "本月完成示范基地申报材料初审。"

    # a correction is a new revision; the accepted one is kept as it was
    assert liaison.post(f"/reports/{report.id}/correct").status_code == 302
    first, second = _reports(ids["own_task"])
    assert (first.state, first.revision, second.state, second.revision) == (
        "accepted",
        1,
        "draft",
        2,
    )
    response = liaison.post(
        "/reports/save",
        data=report_form(ids["own_task"], version=second.version, progress="更正：完成初审并上报"),
    )
    assert response.status_code == 302
    first, second = _reports(ids["own_task"])
    assert first.progress == "本月完成示范基地申报材料初审。"
    assert second.progress == "更正：完成初审并上报"

    actions = [
        a
        for a in db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.subject_id == ids["own_task"], AuditEvent.subject_type == "task"
            )
        )
    ]
    for action in (
        "report.saved",
        "report.submitted",
        "report.returned",
        "report.accepted",
        "report.correction_started",
    ):
        assert action in actions
    # every step shows on the task's timeline
    timeline = office.get(f"/tasks/{ids['own_task']}").get_data(as_text=True)
    assert "Progress report returned" in timeline


@freeze_time("2026-11-20 09:00:00")
def test_submit_all_ready_leaves_incomplete_drafts(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison = client_for("liaison")
    liaison.post("/reports/save", data=report_form(ids["own_task"]))
    liaison.post("/reports/save", data=report_form(ids["co_task"], progress=""))
    response = liaison.post("/reports/submit-all")
    assert response.status_code == 302
    assert _reports(ids["own_task"])[0].state == "submitted"
    assert _reports(ids["co_task"])[0].state == "draft"


@freeze_time("2026-12-03 09:00:00")
def test_no_change_since_last_month_copies_for_confirmation(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    with freeze_time("2026-11-20"):
        november = client_for("liaison")
        november.post("/reports/save", data=report_form(ids["own_task"], action="submit"))
    liaison = client_for("liaison")  # a session signed in November has expired by December
    assert "copy-last" in liaison.get("/reports").get_data(as_text=True)
    response = liaison.post("/reports/copy-last", data={"task_id": ids["own_task"], "version": 0})
    assert response.status_code == 302
    november, december = _reports(ids["own_task"])
    assert december.period_id != november.period_id
    assert (december.state, december.unchanged, december.percent, december.progress) == (
        "draft",
        True,
        40,
        november.progress,
    )


@freeze_time("2026-11-20 09:00:00")
def test_lead_unit_sees_co_units_parts_while_writing(
    open_tasks, client_for, make_user, login, app, report_form
):
    """Task 17 is led by 市科技局 with 市发改委 as co-unit."""
    ids = open_tasks["ids"]
    co = client_for("liaison")  # 市发改委, co-unit on task 17
    part = report_form(ids["co_task"], progress="配合完成产学研对接会")
    co.post("/reports/save", data=part)
    lead = client_for("other_liaison")  # 市科技局
    page = lead.get("/reports").get_data(as_text=True)
    assert "配合完成产学研对接会" in page
    # but the co-unit does not see the lead unit's text on its own page
    lead.post("/reports/save", data=report_form(ids["co_task"], progress="牵头单位的总体进展"))
    assert "牵头单位的总体进展" not in co.get("/reports").get_data(as_text=True)


@freeze_time("2026-11-20 09:00:00")
def test_second_save_with_an_old_version_is_refused_and_text_kept(
    open_tasks, client_for, report_form
):
    ids = open_tasks["ids"]
    first, second = client_for("liaison"), client_for("liaison")
    first.post("/reports/save", data=report_form(ids["own_task"], progress="甲的文字"))
    response = second.post(
        "/reports/save", data=report_form(ids["own_task"], version=0, progress="乙的文字")
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "乙的文字" in body and "甲的文字" in body  # own text kept, other's shown
    assert _reports(ids["own_task"])[0].progress == "甲的文字"
    response = second.post(
        "/reports/save", data=report_form(ids["own_task"], version=1, progress="乙的文字")
    )
    assert response.status_code == 302
    assert _reports(ids["own_task"])[0].progress == "乙的文字"


@pytest.mark.parametrize(
    ("values", "message"),
    [({"percent": "120"}, "0 to 100"), ({"percent": "abc"}, "0 to 100")],
)
@freeze_time("2026-11-20 09:00:00")
def test_bad_input_is_refused_with_a_message(open_tasks, client_for, values, message, report_form):
    liaison = client_for("liaison")
    liaison.set_cookie("tracker_lang", "en")
    response = liaison.post(
        "/reports/save", data=report_form(open_tasks["ids"]["own_task"], **values)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _reports(open_tasks["ids"]["own_task"]) == []


@freeze_time("2026-11-27 09:00:00")
def test_overview_counts_late_and_missing(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison = client_for("liaison")
    liaison.post("/reports/save", data=report_form(ids["own_task"], action="submit"))  # late
    page = client_for("office").get("/reports/overview").get_data(as_text=True)
    assert "市发改委" in page
    rows = client_for("office").get("/review?light=red").get_data(as_text=True)
    assert "加速建设“双创”示范基地" in rows


@freeze_time("2026-11-20 09:00:00")
def test_the_unit_is_told_of_a_returned_report(open_tasks, client_for, report_form):
    ids = open_tasks["ids"]
    liaison = client_for("liaison")
    liaison.post("/reports/save", data=report_form(ids["own_task"], action="submit"))
    assert 'data-testid="returned-notice"' not in liaison.get("/").get_data(as_text=True)
    report = _reports(ids["own_task"])[0]
    client_for("office").post(
        f"/review/{report.id}",
        data={"version": report.version, "decision": "return", "reason": "请补充"},
    )
    home = liaison.get("/").get_data(as_text=True)
    assert 'data-testid="returned-notice"' in home and "退回" in home
    # another unit is not told
    assert 'data-testid="returned-notice"' not in client_for("other_liaison").get("/").get_data(
        as_text=True
    )


def test_a_cards_shown_values_are_a_report_forms(app):
    """CardValues (what a card's form shows, without WTForms) holds what ReportForm filled
    from the same report holds: the month page and the card page write those values out."""
    from types import SimpleNamespace

    from tracker.reports.forms import CardValues, ReportForm

    report = SimpleNamespace(
        version=3, progress="进展", percent=0, problems="", next_steps=None, editable=True
    )
    with app.test_request_context("/reports"):
        for source in (report, None):
            form = ReportForm(formdata=None, obj=source)
            shown = CardValues(source, 17, 5 if source else None)
            for name in ("progress", "percent", "problems", "next_steps"):
                assert getattr(shown, name).data == getattr(form, name).data, name
            assert shown.task_id.data == "17"
            assert shown.version.data == ("3" if source else "0")
            assert shown.period_id.data == ("5" if source else "")
            assert shown.errors == {} == form.errors
