"""A plan's original file goes through the same upload checks as evidence
(tracker.common.uploads): a refused file is named in the form and nothing is written."""

from io import BytesIO

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.plans.models import Plan

PLAN = {
    "kind": "policy_document",
    "doc_number": "测发〔2030〕7号",
    "title": "原件测试",
    "issuer": "市委",
}


def _plans() -> int:
    return db.session.scalar(select(func.count()).select_from(Plan))


def test_an_original_is_kept_and_downloaded(world, client_for):
    office = client_for("office")
    data = {**PLAN, "original": (BytesIO(b"%PDF-1.7 original"), "长发〔2030〕7号.pdf")}
    response = office.post("/intake/plans/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.title == PLAN["title"]))
    assert plan.original_filename == "长发〔2030〕7号.pdf"
    download = office.get(f"/intake/plans/{plan.id}/original")
    assert download.status_code == 200 and download.data == b"%PDF-1.7 original"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("../../方案.pdf", b"%PDF-1.7", "file name is not allowed"),
        ("．．／方案.pdf", b"%PDF-1.7", "file name is not allowed"),
        ("方案.pdf", b"MZ\x90\x00 a program", "does not match its extension"),
        ("方案.exe", b"MZ\x90\x00", "Upload a PDF, Word, WPS, OFD, text or image file."),
        ("纪要.txt", "会议纪要".encode("gbk"), "does not match its extension"),
        ("方案.pdf", b"", "The file is empty."),
    ],
)
def test_a_refused_original_writes_nothing(world, client_for, name, content, message):
    office = client_for("office")
    office.set_cookie("tracker_lang", "en")
    before = _plans()
    data = {**PLAN, "original": (BytesIO(content), name)}
    response = office.post(
        "/intake/plans/new",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _plans() == before
