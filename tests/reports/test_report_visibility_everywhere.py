"""The one rule for reading a report's details (tracker.reports.rules.may_read_report, SQL
tracker.reports.permissions.report_filter) holds beyond the report page and the task history:
in notifications, e-mails and robot messages, the e-mail digest, the exports a liaison can
download, the search results and task list, and the API. And the admin's audit page names
its subjects readably (no "task #6").

Task 17 (co_task) is led by 市科技局 (other_liaison) with 市发改委 (liaison) as co-unit: the
lead's report (63 %, a return reason) is never the co-unit's to read."""

import io
import re
from datetime import date

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from tests.support.clock import on
from tracker.accounts.models import Role, User
from tracker.accounts.permissions import unit_scope
from tracker.api.tokens import create_token
from tracker.audit import AuditEvent, record
from tracker.audit_subjects import audit_subjects
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.reports.rules import may_read_report
from tracker.supervision.delivery.digests import build_email_digests
from tracker.supervision.models import Notification, OutboxMessage, UnitWebhook
from tracker.units.models import Unit

NOW = "2026-11-20 09:00:00"
TODAY = date(2026, 11, 20)
LEAD_TEXT = "牵头单位总体进展甲"
REASON = "退回理由甲乙丙"
CO_TEXT = "配合单位部分乙"
LEAD_ONLY = (LEAD_TEXT, REASON, "63%")


def _report(task_id, unit_code):
    db.session.expire_all()
    return db.session.scalar(
        select(ProgressReport)
        .join(Unit, Unit.id == ProgressReport.unit_id)
        .where(ProgressReport.task_id == task_id, Unit.code == unit_code)
    )


@pytest.fixture
def returned(open_tasks, client_for, report_form):
    """The lead's report returned with a reason, the co-unit's part accepted; the co-unit's
    liaison takes e-mail and its unit has a robot, so any leak would be queued for it."""
    task_id = open_tasks["ids"]["co_task"]
    co_user = open_tasks["users"]["liaison"]
    co_user.email, co_user.notify_email = "fgw@example.gov.cn", True
    lead_user = open_tasks["users"]["other_liaison"]
    lead_user.email, lead_user.notify_email = "kjj@example.gov.cn", True
    for code in ("fgw", "kjj"):
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        db.session.add(UnitWebhook(unit_id=unit.id, kind="wecom", url=f"https://robot/{code}"))
    db.session.commit()
    with freeze_time(NOW):
        lead, co, office = (client_for(r) for r in ("other_liaison", "liaison", "office"))
        lead.post(
            "/reports/save",
            data=report_form(task_id, action="submit", percent=63, progress=LEAD_TEXT),
        )
        lead_report = _report(task_id, "kjj")
        response = office.post(
            f"/review/{lead_report.id}",
            data={"version": str(lead_report.version), "decision": "return", "reason": REASON},
        )
        assert response.status_code == 302
        co.post(
            "/reports/save",
            data=report_form(task_id, action="submit", percent=27, progress=CO_TEXT),
        )
        co_report = _report(task_id, "fgw")
        response = office.post(
            f"/review/{co_report.id}",
            data={"version": str(co_report.version), "decision": "accept", "quality": "good"},
        )
        assert response.status_code == 302
    return {
        "task": task_id,
        "lead_report": lead_report.id,
        "co_report": co_report.id,
        "clients": {"lead": lead, "co": co, "office": office},
        "co_user": co_user.id,
        "lead_user": lead_user.id,
    }


def _texts_for(user_id=None, unit_code=None) -> list[str]:
    """Everything told to a user (notifications, e-mails) or queued for a unit's robot."""
    texts = []
    if user_id is not None:
        for n in db.session.scalars(select(Notification).where(Notification.user_id == user_id)):
            texts.append(f"{n.title} {n.body}")
        query = select(OutboxMessage).where(OutboxMessage.user_id == user_id)
    else:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        query = select(OutboxMessage).where(OutboxMessage.unit_id == unit.id)
    for m in db.session.scalars(query):
        texts.append(f"{m.subject} {m.body_text or ''} {m.body_html or ''} {m.payload or ''}")
    return texts


def test_the_return_reason_reaches_the_lead_unit_only(returned):
    lead_texts = _texts_for(returned["lead_user"])
    assert any(REASON in t for t in lead_texts)  # in-app and by e-mail
    assert sum(REASON in t for t in lead_texts) >= 2
    assert any(REASON in t for t in _texts_for(unit_code="kjj"))  # the lead's robot
    for texts in (_texts_for(returned["co_user"]), _texts_for(unit_code="fgw")):
        for text in texts:
            for secret in LEAD_ONLY:
                assert secret not in text, (secret, text)


def test_every_report_notification_obeys_the_rule(returned):
    """Each returned-report notification goes to a reader of that report, no one else."""
    lead_unit = db.session.get(Task, returned["task"]).lead_unit_id
    report = db.session.get(ProgressReport, returned["lead_report"])
    rows = db.session.scalars(
        select(Notification).where(Notification.kind == "report_returned")
    ).all()
    assert rows
    for notification in rows:
        user = db.session.get(User, notification.user_id)
        assert may_read_report(unit_scope(user), report.unit_id, lead_unit), user.username


def test_the_digest_and_the_notification_centre_keep_the_rule(returned):
    clients = returned["clients"]
    with freeze_time(NOW):
        build_email_digests(TODAY)
        db.session.commit()
        co_page, lead_page = (
            clients["co"].get("/notifications"),
            clients["lead"].get("/notifications"),
        )
    assert co_page.status_code == lead_page.status_code == 200
    for text in [*_texts_for(returned["co_user"]), co_page.get_data(as_text=True)]:
        for secret in LEAD_ONLY:
            assert secret not in text, secret
    assert REASON in lead_page.get_data(as_text=True)


def _cells(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_search_task_list_and_exports_show_tasks_not_report_details(returned, open_tasks):
    co, office = returned["clients"]["co"], returned["clients"]["office"]
    title = db.session.get(Task, returned["task"]).title
    with freeze_time(NOW):
        pages = {
            "search": co.get("/search", query_string={"q": title[:6]}),
            "task list": co.get("/tasks"),
        }
        # a report's text is not a task's: searching for it finds no task
        by_report_text = [co.get("/search", query_string={"q": q}) for q in (LEAD_TEXT, REASON)]
        export = co.get("/tasks/export.xlsx")
        ledger = co.get(f"/plans/{open_tasks['ids']['own_plan']}/ledger.xlsx")
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.get_data(as_text=True)
        assert title in body, name  # the task itself is listed
        for secret in LEAD_ONLY:
            assert secret not in body, (name, secret)
    for response in by_report_text:
        assert response.status_code == 200
        assert title not in response.get_data(as_text=True)
    assert export.status_code == 200
    cells = _cells(export.data)
    assert title in cells
    for secret in (LEAD_TEXT, REASON):
        assert secret not in cells
    assert ledger.status_code in (403, 404)  # the task ledger (台账) is the office's
    with freeze_time(NOW):
        office_ledger = office.get(f"/plans/{open_tasks['ids']['own_plan']}/ledger.xlsx")
    assert office_ledger.status_code == 200


def test_the_api_reads_reports_by_the_same_rule(returned, client_for, open_tasks):
    users = open_tasks["users"]
    secrets = {}
    for role in ("liaison", "other_liaison", "office"):
        _token, secrets[role] = create_token(users[role], f"{role} token", can_write=False)
    db.session.commit()
    client = client_for("anonymous")

    def get(role, path):
        return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {secrets[role]}"})

    task, lead_report, co_report = returned["task"], returned["lead_report"], returned["co_report"]
    with freeze_time(NOW):
        assert get("liaison", f"/reports/{lead_report}").status_code == 404
        assert get("liaison", f"/reports/{co_report}").status_code == 200
        listed = get("liaison", f"/reports?task_id={task}&limit=100").get_json()
        assert [r["id"] for r in listed["items"]] == [co_report]
        assert get("liaison", f"/tasks/{task}").get_json()["percent"] is None
        lead_listed = get("other_liaison", f"/reports?task_id={task}&limit=100").get_json()
        assert {r["id"] for r in lead_listed["items"]} == {lead_report, co_report}
        assert get("office", f"/reports/{lead_report}").status_code == 200
    text = str(listed)
    for secret in LEAD_ONLY:
        assert secret not in text


def test_evidence_of_the_lead_report_is_not_the_co_units(returned):
    co = returned["clients"]["co"]
    with freeze_time(NOW):
        assert co.get(f"/reports/{returned['lead_report']}").status_code == 404
        assert co.get(f"/reports/{returned['co_report']}").status_code == 200


# --- the audit page: readable subjects, loaded set-based -------------------------------------

SUBJECT_CODE = re.compile(r"#\s*\d+")


def _audit_table(html: str) -> str:
    start = html.index('data-testid="audit-list"')
    return html[start : html.index("</table>", start)]


def test_the_audit_page_names_the_demos_subjects_readably(
    app, demo_seed, make_user, login, count_statements
):
    with on(date(2026, 11, 27)):
        demo_seed()
    admin = make_user(Role.ADMIN, username="audit-admin")
    client = app.test_client()
    login(client, admin)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    types = {e.subject_type for e in events if e.subject_type}
    assert {"task", "user_account"} <= types

    # every subject of the demo, in one statement, none reading as a code
    with app.test_request_context(), count_statements() as counter:
        subjects = audit_subjects(events)
    assert counter.count == 1
    for event in events:
        subject = subjects[event.id]
        if event.subject_type:
            assert subject and subject.text and not SUBJECT_CODE.search(subject.text), event.id
            assert event.subject_type not in subject.text

    # the page, in Chinese and in English: tasks linked by title, users by name
    task = db.session.scalar(select(Task).join(AuditEvent, AuditEvent.subject_id == Task.id))
    pages, page = [], 1
    while True:
        response = client.get(f"/admin/audit?page={page}")
        assert response.status_code == 200
        pages.append(_audit_table(response.get_data(as_text=True)))
        if f"page={page + 1}" not in response.get_data(as_text=True) or page > 60:
            break
        page += 1
    html = "".join(pages)
    assert not SUBJECT_CODE.search(html), SUBJECT_CODE.search(html).group(0)
    assert "user.sign_in" not in html and "task.assigned" not in html
    assert re.search(r'href="/tasks/\d+">任务', html) and "audit-admin" in html
    assert f'href="/tasks/{task.id}"' in html
    client.set_cookie("tracker_lang", "en")
    english = _audit_table(client.get("/admin/audit").get_data(as_text=True))
    assert not SUBJECT_CODE.search(english)
    assert "User “audit-admin”" in english


def test_the_audit_page_costs_the_same_whatever_its_subjects(world, client_for, count_statements):
    """One statement for the subjects, whether the page names one kind or many."""
    admin = client_for("admin")  # its sign-in is a user_account event
    with count_statements() as counter:
        assert admin.get("/admin/audit").status_code == 200
    few = counter.count
    tasks = db.session.scalars(select(Task).limit(30)).all()
    for task in tasks:
        record("task.updated", task, detail={"changed": []})
    record("plan.updated", subject_type="plan", subject_id=world["ids"]["own_plan"])
    record("unit.updated", subject_type="unit", subject_id=world["ids"]["unit"])
    db.session.commit()
    with count_statements() as counter:
        response = admin.get("/admin/audit")
    assert response.status_code == 200
    assert counter.count == few
    assert tasks[0].title in response.get_data(as_text=True)


def test_a_report_subject_reads_as_its_unit_task_and_month(returned, app):
    event = record(
        "report.accepted", subject_type="progress_report", subject_id=returned["co_report"]
    )
    gone = record("task.deleted", subject_type="task", subject_id=10**6, detail={"title": "旧任务"})
    db.session.flush()
    title = db.session.get(Task, returned["task"]).title
    with app.test_request_context():
        subjects = audit_subjects([event, gone])
    report = subjects[event.id]
    assert title in report.text and "市发改委" in report.text and "11" in report.text
    assert report.url == f"/reports/{returned['co_report']}"
    assert "旧任务" in subjects[gone.id].text and subjects[gone.id].url is None
    db.session.rollback()
