"""Every view that follows a `next` uses tracker.common.http.safe_next: sign-in, the review
form and evidence uploads go to their own page instead of another site."""

import io

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.extensions import db
from tracker.reports.models import ProgressReport

EVIL = ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example/x"]


def _location(response) -> str:
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_does_not_follow_another_site(world, app, login, target):
    client = app.test_client()
    response = client.post(
        "/login?next=" + target, data={"username": "office1", "password": "secret-pass-1"}
    )
    assert "evil" not in _location(response)


@freeze_time("2026-11-20 09:00:00")
@pytest.mark.parametrize("target", EVIL)
def test_review_and_upload_do_not_follow_another_site(open_tasks, client_for, report_form, target):
    task_id = open_tasks["ids"]["own_task"]
    liaison, office = client_for("liaison"), client_for("office")
    liaison.post("/reports/save", data=report_form(task_id, action="submit"))
    report = db.session.scalar(select(ProgressReport).where(ProgressReport.task_id == task_id))
    response = office.post(
        f"/review/{report.id}",
        data={
            "version": str(report.version),
            "decision": "return",
            "reason": "补充数据",
            "next": target,
        },
    )
    assert "evil" not in _location(response)
    response = liaison.post(
        f"/reports/{report.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf"), "next": target},
        content_type="multipart/form-data",
    )
    assert "evil" not in _location(response)
