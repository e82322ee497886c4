"""Evidence routes, every role: a liaison uploads and deletes its own unit's evidence while
the report is editable, and reads what it may read of the report (the lead unit reads its
co-units' parts); another unit's evidence is "not found". Office, leader and admin read
everything and change nothing. A refused write changes nothing (no row, no file)."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from support.permission_matrix import LOGIN, WRITE, run_matrix
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.reports.evidence import services as evidence
from tracker.reports.models import Attachment, ProgressReport
from tracker.reports.periods import ensure_period
from tracker.supervision.models import CloseOutRequest
from tracker.units.models import Unit

ENDPOINTS = {"evidence.upload", "evidence.download", "evidence.delete"}

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
PDF = b"%PDF-1.4\n%%EOF\n"


def _upload():
    """A fresh upload form for each request (a file is read once)."""
    return {"file": (io.BytesIO(PDF), "new.pdf")}


# Objects (see `objects`): reports and attachments of 市发改委 (liaison) and 市科技局
# (other_liaison). own: 市发改委 on its own task; co: 市发改委's part of the co-task led by
# 市科技局; lead: 市科技局's report on that co-task; other: 市科技局 on its own task;
# submitted: 市发改委's submitted report; close_own / close_other: close-out evidence.
GET_MATRIX = [
    ("/attachments/{att_own}", [LOGIN, OK, OK, OK, OK, NOT_FOUND]),
    ("/attachments/{att_co}", [LOGIN, OK, OK, OK, OK, OK]),
    ("/attachments/{att_lead}", [LOGIN, OK, OK, OK, NOT_FOUND, OK]),
    ("/attachments/{att_other}", [LOGIN, OK, OK, OK, NOT_FOUND, OK]),
    ("/attachments/{att_submitted}", [LOGIN, OK, OK, OK, OK, NOT_FOUND]),
    ("/attachments/{att_close_own}", [LOGIN, OK, OK, OK, OK, NOT_FOUND]),
    ("/attachments/{att_close_other}", [LOGIN, OK, OK, OK, NOT_FOUND, OK]),
    ("/attachments/999999", [LOGIN] + [NOT_FOUND] * 5),
]

STAFF_403 = [FORBIDDEN, FORBIDDEN, FORBIDDEN]  # admin, office, leader
POST_MATRIX = [
    ("/reports/{own}/attachments", _upload, [LOGIN, *STAFF_403, WRITE, NOT_FOUND]),
    ("/reports/{co}/attachments", _upload, [LOGIN, *STAFF_403, WRITE, FORBIDDEN]),
    ("/reports/{lead}/attachments", _upload, [LOGIN, *STAFF_403, NOT_FOUND, WRITE]),
    ("/reports/{other}/attachments", _upload, [LOGIN, *STAFF_403, NOT_FOUND, WRITE]),
    ("/reports/{submitted}/attachments", _upload, [LOGIN, *STAFF_403, FORBIDDEN, NOT_FOUND]),
    ("/reports/999999/attachments", _upload, [LOGIN] + [NOT_FOUND] * 5),
    ("/attachments/{att_own}/delete", {}, [LOGIN, *STAFF_403, WRITE, NOT_FOUND]),
    ("/attachments/{att_co}/delete", {}, [LOGIN, *STAFF_403, WRITE, FORBIDDEN]),
    ("/attachments/{att_lead}/delete", {}, [LOGIN, *STAFF_403, NOT_FOUND, WRITE]),
    ("/attachments/{att_other}/delete", {}, [LOGIN, *STAFF_403, NOT_FOUND, WRITE]),
    ("/attachments/{att_submitted}/delete", {}, [LOGIN, *STAFF_403, FORBIDDEN, NOT_FOUND]),
    ("/attachments/{att_close_own}/delete", {}, [LOGIN, *STAFF_403, FORBIDDEN, NOT_FOUND]),
    ("/attachments/999999/delete", {}, [LOGIN] + [NOT_FOUND] * 5),
]


@pytest.fixture
def objects(world):
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    users = world["users"]
    ids = world["ids"]
    november, october = ensure_period(2026, 11), ensure_period(2026, 10)
    specs = {
        "own": ("own_task", "fgw", november, "draft"),
        "co": ("co_task", "fgw", november, "returned"),
        "lead": ("co_task", "kjj", november, "draft"),
        "other": ("other_task", "kjj", november, "draft"),
        "submitted": ("own_task", "fgw", october, "submitted"),
    }
    made = {}
    for key, (task, unit, period, state) in specs.items():
        report = ProgressReport(
            task_id=ids[task], unit_id=units[unit], period_id=period.id, state=state
        )
        db.session.add(report)
        db.session.flush()
        made[key] = report.id
        uploader = users["liaison" if unit == "fgw" else "other_liaison"]
        made[f"att_{key}"] = evidence.store_upload(
            FileStorage(io.BytesIO(PDF), filename=f"{key}.pdf"), user=uploader, report=report
        ).id
    for key, task, unit, uploader in [
        ("close_own", "own_task", "fgw", users["liaison"]),
        ("close_other", "other_task", "kjj", users["other_liaison"]),
    ]:
        close_out = CloseOutRequest(task_id=ids[task], unit_id=units[unit], summary="已完成")
        db.session.add(close_out)
        db.session.flush()
        made[f"att_{key}"] = evidence.store_upload(
            FileStorage(io.BytesIO(PDF), filename=f"{key}.pdf"), user=uploader, close_out=close_out
        ).id
    db.session.commit()
    return made


def _snapshot(app):
    db.session.expire_all()
    rows = sorted(db.session.execute(select(Attachment.id, Attachment.stored_name)).all())
    folder = Path(app.instance_path) / "evidence"
    return rows, sorted(p.name for p in folder.iterdir())


def _served_or_withheld(response, want, label):
    """A file read is the file itself, as a download; a refused read carries none of it."""
    if want == OK:
        assert response.data == PDF, label
        assert response.headers["Content-Disposition"].startswith("attachment;"), label
    else:
        assert PDF not in response.data, label


@pytest.mark.parametrize("role", ROLES)
def test_reads(objects, client_for, role):
    cases = [("GET", path, None, expected) for path, expected in GET_MATRIX]
    run_matrix(cases, role, client_for=client_for, ids=objects, check_response=_served_or_withheld)


@pytest.mark.parametrize("role", ROLES)
def test_writes(app, objects, client_for, role):
    """An allowed upload or deletion changes the rows and files; a refused one nothing."""
    cases = [("POST", path, form, expected) for path, form, expected in POST_MATRIX]
    run_matrix(
        cases,
        role,
        client_for=client_for,
        ids=objects,
        snapshot=lambda: _snapshot(app),
        fresh_client=True,
    )
