"""Who reads a report's details: one rule (reports.rules.may_read_report) for the report
page, the task page's reports and its history. Task 17 is led by 市科技局 (other_liaison)
with 市发改委 (liaison) as co-unit."""

import io

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.extensions import db
from tracker.reports.models import ProgressReport
from tracker.reports.rules import may_read_report
from tracker.units.models import Unit

LEAD, CO, OTHER, OLD_LEAD = 1, 2, 3, 4


@pytest.mark.parametrize(
    ("scope", "report_unit", "lead_unit", "readable"),
    [
        (None, CO, LEAD, True),  # office, leader, admin read all
        (None, OTHER, LEAD, True),
        ({LEAD}, LEAD, LEAD, True),  # own report
        ({LEAD}, CO, LEAD, True),  # the lead reads its co-units' parts
        ({CO}, CO, LEAD, True),  # a co-unit reads its own part
        ({CO}, LEAD, LEAD, False),  # ... but not the lead's report
        ({CO}, OTHER, LEAD, False),  # ... nor another co-unit's
        ({OTHER}, CO, LEAD, False),  # a unit with no part reads nothing
        ({LEAD, OLD_LEAD}, OLD_LEAD, LEAD, True),  # a predecessor's report is the unit's own
        ({LEAD, OLD_LEAD}, CO, OLD_LEAD, True),  # a task its predecessor leads
        ({CO, OLD_LEAD}, LEAD, LEAD, False),
        (set(), CO, LEAD, False),  # a liaison without a unit
    ],
)
def test_may_read_report(scope, report_unit, lead_unit, readable):
    assert may_read_report(scope, report_unit, lead_unit) is readable


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _report(task_id, unit_code):
    db.session.expire_all()
    return db.session.scalar(
        select(ProgressReport)
        .join(Unit, Unit.id == ProgressReport.unit_id)
        .where(ProgressReport.task_id == task_id, Unit.code == unit_code)
    )


@freeze_time("2026-11-20 09:00:00")
def test_co_unit_reads_no_other_units_report_on_the_task_page(open_tasks, client_for, report_form):
    task_id = open_tasks["ids"]["co_task"]
    lead, co, office = client_for("other_liaison"), client_for("liaison"), client_for("office")

    # the lead unit submits 63 %, the office returns it with a reason, the lead uploads a file
    lead.post(
        "/reports/save",
        data=report_form(task_id, action="submit", percent=63, progress="牵头单位总体进展甲"),
    )
    lead_report = _report(task_id, "kjj")
    response = office.post(
        f"/review/{lead_report.id}",
        data={
            "version": str(lead_report.version),
            "decision": "return",
            "reason": "退回理由甲乙丙",
        },
    )
    assert response.status_code == 302
    response = lead.post(
        f"/reports/{lead_report.id}/attachments",
        data={"file": (io.BytesIO(PDF), "牵头佐证材料.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302

    # the co-unit submits its part (27 %), the office accepts it as good
    co.post(
        "/reports/save",
        data=report_form(task_id, action="submit", percent=27, progress="配合单位部分乙"),
    )
    co_report = _report(task_id, "fgw")
    response = office.post(
        f"/review/{co_report.id}",
        data={"version": str(co_report.version), "decision": "accept", "quality": "good"},
    )
    assert response.status_code == 302

    # English labels for the timeline's events; the upload and the return are the lead's only
    for client in (lead, co, office):
        client.set_cookie("tracker_lang", "en")
    lead_only = (
        "退回理由甲乙丙",
        "63%",
        "牵头单位总体进展甲",
        "Evidence uploaded",
        "report returned",
    )
    co_page = co.get(f"/tasks/{task_id}")
    assert co_page.status_code == 200
    body = co_page.get_data(as_text=True)
    for text in lead_only:
        assert text not in body, text
    assert "27%" in body  # its own part, in the reports and on the timeline
    # the report page agrees
    assert co.get(f"/reports/{lead_report.id}").status_code == 404
    assert co.get(f"/reports/{co_report.id}").status_code == 200

    # the lead unit still reads its co-unit's part, and office reads everything
    lead_body = lead.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "27%" in lead_body and "63%" in lead_body and "退回理由甲乙丙" in lead_body
    assert lead.get(f"/reports/{co_report.id}").status_code == 200
    office_body = office.get(f"/tasks/{task_id}").get_data(as_text=True)
    for text in (*lead_only, "27%"):
        assert text in office_body, text
