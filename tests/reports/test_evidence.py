"""Evidence uploads: allowed types by extension and content, size limit, file names, storage
outside the web root under generated names, downloads only for those who may read the
report. A refused upload shows a message and stores nothing (no row, no file)."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from flask import render_template
from markupsafe import escape
from sqlalchemy import func, select
from support.csrf import signed_in_with_csrf
from werkzeug.datastructures import FileStorage

from tracker.accounts.models import User
from tracker.audit import AuditEvent
from tracker.audit_labels import action_label
from tracker.extensions import db
from tracker.reports.evidence import services as evidence
from tracker.reports.evidence.services import EvidenceRejected, clean_filename, validate_upload
from tracker.reports.models import Attachment, ProgressReport
from tracker.reports.periods import ensure_period
from tracker.supervision.models import CloseOutRequest
from tracker.units.models import Unit

# --- tiny real files -----------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 100
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def ole2(stream_name: str) -> bytes:
    """An OLE2 header followed by a directory entry naming the stream (UTF-16LE)."""
    return OLE2 + stream_name.encode("utf-16-le") + b"\0" * 64


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("2026年11月工作进展")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "进度"
    workbook.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def pptx_bytes() -> bytes:
    return zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"}
    )


PLAIN_ZIP = zip_bytes({"readme.txt": "说明".encode()})

ALLOWED = [
    ("进展报告.pdf", PDF, "application/pdf"),
    ("现场照片.PNG", PNG, "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("台账.docx", docx_bytes(), evidence.TYPES["docx"][0]),
    ("台账.xlsx", xlsx_bytes(), evidence.TYPES["xlsx"][0]),
    ("汇报.pptx", pptx_bytes(), evidence.TYPES["pptx"][0]),
    ("材料.zip", PLAIN_ZIP, "application/zip"),
    ("旧版.doc", ole2("WordDocument"), "application/msword"),
    ("旧版.xls", ole2("Workbook"), "application/vnd.ms-excel"),
    ("旧版.ppt", ole2("PowerPoint Document"), "application/vnd.ms-powerpoint"),
]

TYPE_NOT_ALLOWED = (
    "This file type is not allowed. Allowed: PDF, Word, Excel, PowerPoint, images (JPG, PNG), ZIP."
)
BAD_NAME = "This file name is not allowed"
MISMATCH = "does not match its extension"

REFUSED = [
    ("program.exe", EXE, TYPE_NOT_ALLOWED),
    ("note.txt", b"hello", TYPE_NOT_ALLOWED),
    ("page.html", b"<html></html>", TYPE_NOT_ALLOWED),
    ("no-extension", PDF, TYPE_NOT_ALLOWED),
    ("report.pdf", EXE, MISMATCH),  # an .exe renamed .pdf
    ("report.docx", PDF, MISMATCH),  # a PDF renamed .docx
    ("report.docx", PLAIN_ZIP, MISMATCH),  # a plain zip renamed .docx
    ("report.docx", xlsx_bytes(), MISMATCH),  # a workbook renamed .docx
    ("sheet.xlsx", docx_bytes(), MISMATCH),
    ("photo.png", JPEG, MISMATCH),
    ("table.xls", b"<html><table></table></html>", MISMATCH),  # web "export" renamed .xls
    ("setup.doc", ole2("SummaryInformation"), MISMATCH),  # another OLE2 file (.msi)
    ("broken.zip", b"PK\x03\x04" + b"\0" * 40, MISMATCH),
    ("../../etc/passwd.pdf", PDF, BAD_NAME),
    ("..\\..\\win.ini.pdf", PDF, BAD_NAME),
    ("a\x00b.pdf", PDF, BAD_NAME),
    ("....pdf", PDF, BAD_NAME),
    (".pdf", PDF, BAD_NAME),
    ("a\tb.pdf", PDF, BAD_NAME),
    ("报告\u202efdp.exe", EXE, BAD_NAME),  # right-to-left override
    ("x" * 197 + ".pdf", PDF, "The file name is too long (at most 200 characters)."),
    ("empty.pdf", b"", "The file is empty."),
]


# --- pure checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("报告.pdf", ("报告.pdf", "pdf")),
        ("  2026年11月 进展.PDF ", ("2026年11月 进展.PDF", "pdf")),
        ("C:\\Users\\张三\\Desktop\\报告.docx", ("报告.docx", "docx")),
        ("/home/zhang/照片.jpeg", ("照片.jpeg", "jpeg")),
        ("a.b.c.xlsx", ("a.b.c.xlsx", "xlsx")),
        ("x" * 196 + ".pdf", ("x" * 196 + ".pdf", "pdf")),
    ],
)
def test_clean_filename_keeps_chinese_and_drops_folders(filename, expected):
    assert clean_filename(filename) == expected


@pytest.mark.parametrize(
    "filename",
    ["", "   ", "..", "...", "....pdf", ".pdf", "a/../b.pdf", "../x.pdf", "a\x00b.pdf", "a\tb.pdf"],
)
def test_clean_filename_refuses_tricks(filename):
    with pytest.raises(EvidenceRejected):
        clean_filename(filename)


@pytest.mark.parametrize(("filename", "content", "content_type"), ALLOWED)
def test_validate_upload_accepts_allowed_types(filename, content, content_type):
    name, ctype = validate_upload(filename, content[:512], len(content), 20 * 1024 * 1024)
    assert (name, ctype) == (filename, content_type)


@pytest.mark.parametrize(
    ("size", "limit", "ok"), [(1000, 1000, True), (1001, 1000, False), (0, 1000, False)]
)
def test_validate_upload_size_limit(size, limit, ok):
    if ok:
        validate_upload("a.pdf", PDF, size, limit)
    else:
        with pytest.raises(EvidenceRejected):
            validate_upload("a.pdf", PDF, size, limit)


def test_human_size():
    assert evidence.human_size(1000) == "1000 B"
    assert evidence.human_size(1536) == "1.5 KB"
    assert evidence.human_size(20 * 1024 * 1024) == "20 MB"


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def reports(world):
    """Reports of 2026-11: the liaison's unit (市发改委) on its own task and as co-unit,
    市科技局 (other_liaison) as lead on the co-task and alone on its task; and a submitted
    report of 市发改委 for 2026-10."""
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    november, october = ensure_period(2026, 11), ensure_period(2026, 10)
    ids = world["ids"]

    def make(task, unit, period=november, state="draft"):
        report = ProgressReport(
            task_id=ids[task], unit_id=units[unit], period_id=period.id, state=state
        )
        db.session.add(report)
        return report

    made = {
        "own": make("own_task", "fgw"),
        "co": make("co_task", "fgw"),
        "lead_on_co": make("co_task", "kjj"),
        "other": make("other_task", "kjj"),
        "submitted": make("own_task", "fgw", october, "submitted"),
        "accepted": make("co_task", "fgw", october, "accepted"),
    }
    db.session.commit()
    return {key: report.id for key, report in made.items()}


@pytest.fixture
def as_role(client_for):
    def make(role):
        client = client_for(role)
        client.set_cookie("tracker_lang", "en")
        return client

    return make


def _folder(app) -> Path:
    return Path(app.instance_path) / "evidence"


def _stored_files(app) -> set[str]:
    folder = _folder(app)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def upload(client, report_id, filename, content, follow=True):
    return client.post(
        f"/reports/{report_id}/attachments",
        data={"file": (io.BytesIO(content), filename), "next": "/"},
        content_type="multipart/form-data",
        follow_redirects=follow,
    )


def _shows(response, text) -> bool:
    return str(escape(text)) in response.get_data(as_text=True)


def _store(report_id, filename, content, user):
    """Store a file through the service, as the upload view would."""
    report = db.session.get(ProgressReport, report_id)
    att = evidence.store_upload(
        FileStorage(io.BytesIO(content), filename=filename), user=user, report=report
    )
    db.session.commit()
    return att.id


# --- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "content", "content_type"), ALLOWED)
def test_liaison_uploads_each_allowed_type(
    app, reports, world, as_role, filename, content, content_type
):
    client = as_role("liaison")
    response = upload(client, reports["own"], filename, content)
    assert response.status_code == 200
    assert _shows(response, f"“{filename}” uploaded.")
    att = db.session.scalar(select(Attachment))
    assert att.report_id == reports["own"]
    assert (att.original_name, att.content_type, att.size) == (filename, content_type, len(content))
    assert att.stored_name != filename and len(att.stored_name) == 32
    assert _stored_files(app) == {att.stored_name}
    stored = _folder(app) / att.stored_name
    assert stored.read_bytes() == content
    assert not stored.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert att.uploaded_by_id == db.session.scalar(
        select(User.id).where(User.username == "liaison1")
    )

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.uploaded"))
    assert (event.subject_type, event.subject_id) == ("task", world["ids"]["own_task"])
    assert event.detail["report_id"] == reports["own"]
    assert event.detail["name"] == filename and event.detail["size"] == len(content)


@pytest.mark.parametrize(("filename", "content", "message"), REFUSED)
def test_refused_uploads_show_a_message_and_store_nothing(
    app, reports, as_role, filename, content, message
):
    client = as_role("liaison")
    response = upload(client, reports["own"], filename, content)
    assert response.status_code == 200
    assert _shows(response, message), response.get_data(as_text=True)[:2000]
    assert "flash-error" in response.get_data(as_text=True)
    assert _count() == 0
    assert _stored_files(app) == set()
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("evidence.%"))
    )


def test_oversize_upload_is_refused_and_nothing_is_stored(app_factory, reports, world, login):
    small = app_factory(TRACKER_UPLOAD_MAX_BYTES=1000)
    client = small.test_client()
    client.set_cookie("tracker_lang", "en")
    login(client, world["users"]["liaison"])
    ok = upload(client, reports["own"], "small.pdf", PDF + b"\0" * (1000 - len(PDF)))
    assert _shows(ok, "“small.pdf” uploaded.")
    assert _count() == 1
    before = _stored_files(small)

    response = upload(client, reports["own"], "big.pdf", PDF + b"\0" * 5000)
    assert _shows(response, "The file is larger than the limit of 1000 B.")
    assert _count() == 1
    assert _stored_files(small) == before
    with small.test_request_context("/", headers={"Cookie": "tracker_lang=en"}):
        html = render_template(
            "reports/_attachments.html",
            attachments=[],
            upload_url="/reports/1/attachments",
            can_upload=True,
            can_delete=False,
        )
    assert "at most 1000 B per file" in html


def test_upload_over_the_request_limit_gets_the_413_page(app_factory, reports, world, login):
    tiny = app_factory(MAX_CONTENT_LENGTH=2000)
    client = tiny.test_client()
    client.set_cookie("tracker_lang", "en")
    login(client, world["users"]["liaison"])
    response = upload(client, reports["own"], "big.pdf", PDF + b"\0" * 5000, follow=False)
    assert response.status_code == 413
    assert "The upload is too large" in response.get_data(as_text=True)
    assert _count() == 0 and _stored_files(tiny) == set()


def test_missing_file_gives_a_message(reports, as_role):
    response = as_role("liaison").post(
        f"/reports/{reports['own']}/attachments", data={"next": "/"}, follow_redirects=True
    )
    assert _shows(response, "Choose a file to upload.")
    assert _count() == 0


def test_path_in_name_is_dropped_stored_under_a_generated_name(app, reports, as_role):
    client = as_role("liaison")
    response = upload(client, reports["own"], "/etc/cron.d/进展报告.pdf", PDF)
    assert _shows(response, "“进展报告.pdf” uploaded.")
    att = db.session.scalar(select(Attachment))
    assert att.original_name == "进展报告.pdf"
    assert _stored_files(app) == {att.stored_name}
    download = client.get(f"/attachments/{att.id}")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E8%BF%9B%E5%B1%95%E6%8A%A5%E5%91%8A.pdf" in disposition
    assert "cron" not in disposition and "etc" not in disposition


def test_upload_redirects_to_a_safe_next_or_the_task_page(reports, as_role, world):
    client = as_role("liaison")
    task_page = f"/tasks/{world['ids']['own_task']}"
    for next_url, expected in [
        ("/plans", "/plans"),
        ("https://evil.example/x", task_page),
        ("//evil.example/x", task_page),
        ("/\\evil.example", task_page),
        ("", task_page),
    ]:
        response = client.post(
            f"/reports/{reports['own']}/attachments",
            data={"file": (io.BytesIO(PDF), "a.pdf"), "next": next_url},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, next_url


@pytest.mark.parametrize(
    ("role", "report", "status"),
    [
        ("leader", "own", 403),
        ("office", "own", 403),
        ("admin", "own", 403),
        ("other_liaison", "own", 404),  # another unit's report: not even its existence
        ("other_liaison", "co", 403),  # the lead unit reads the co-unit's part, never writes it
        ("liaison", "lead_on_co", 404),  # a co-unit does not see the lead unit's report
        ("liaison", "other", 404),
        ("liaison", "submitted", 403),
        ("liaison", "accepted", 403),
    ],
)
def test_upload_refused(app, reports, as_role, role, report, status):
    response = upload(as_role(role), reports[report], "a.pdf", PDF, follow=False)
    assert response.status_code == status
    assert _count() == 0 and _stored_files(app) == set()


def test_upload_to_a_missing_report_is_404(reports, as_role):
    assert upload(as_role("liaison"), 999999, "a.pdf", PDF, follow=False).status_code == 404


# --- downloads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "role", "status"),
    [
        ("own", "liaison", 200),
        ("own", "office", 200),
        ("own", "leader", 200),
        ("own", "admin", 200),
        ("own", "other_liaison", 404),
        ("co", "other_liaison", 200),  # the lead unit reads its co-unit's evidence
        ("co", "liaison", 200),
        ("lead_on_co", "liaison", 404),  # the co-unit does not read the lead unit's report
        ("other", "liaison", 404),
        ("other", "other_liaison", 200),
    ],
)
def test_download_only_for_those_who_may_read_the_report(
    reports, as_role, world, report, role, status
):
    owner_unit = db.session.get(ProgressReport, reports[report]).unit_id
    uploader = world["users"][
        "liaison" if owner_unit == world["users"]["liaison"].unit_id else "other_liaison"
    ]
    att_id = _store(reports[report], "证明.pdf", PDF, uploader)
    response = as_role(role).get(f"/attachments/{att_id}")
    assert response.status_code == status
    if status == 200:
        assert response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment;")
    else:
        assert PDF not in response.data


def test_download_of_a_missing_attachment_or_file_is_404(app, reports, as_role, world):
    client = as_role("liaison")
    assert client.get("/attachments/999999").status_code == 404
    att_id = _store(reports["own"], "a.pdf", PDF, world["users"]["liaison"])
    (_folder(app) / db.session.get(Attachment, att_id).stored_name).unlink()
    assert client.get(f"/attachments/{att_id}").status_code == 404


def test_close_out_evidence_is_read_by_the_lead_unit_and_the_office(reports, as_role, world):
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    own = CloseOutRequest(task_id=world["ids"]["own_task"], unit_id=units["fgw"], summary="完成")
    other = CloseOutRequest(
        task_id=world["ids"]["other_task"], unit_id=units["kjj"], summary="完成"
    )
    db.session.add_all([own, other])
    db.session.flush()
    own_att = evidence.store_upload(
        FileStorage(io.BytesIO(PDF), filename="验收.pdf"),
        user=world["users"]["liaison"],
        close_out=own,
    )
    other_att = evidence.store_upload(
        FileStorage(io.BytesIO(PNG), filename="照片.png"),
        user=world["users"]["other_liaison"],
        close_out=other,
    )
    db.session.commit()
    expected = {
        ("liaison", own_att.id): 200,
        ("liaison", other_att.id): 404,
        ("other_liaison", own_att.id): 404,
        ("other_liaison", other_att.id): 200,
        ("office", own_att.id): 200,
        ("leader", other_att.id): 200,
        ("admin", own_att.id): 200,
    }
    for (role, att_id), status in expected.items():
        assert as_role(role).get(f"/attachments/{att_id}").status_code == status, (role, att_id)
    # close-out evidence is not deleted through the report route
    response = as_role("liaison").post(f"/attachments/{own_att.id}/delete")
    assert response.status_code == 403
    assert as_role("other_liaison").post(f"/attachments/{own_att.id}/delete").status_code == 404


# --- deletion and transactions -------------------------------------------------------------


def test_liaison_deletes_evidence_of_an_editable_report(app, reports, as_role, world):
    att_id = _store(reports["own"], "旧的.pdf", PDF, world["users"]["liaison"])
    stored = _folder(app) / db.session.get(Attachment, att_id).stored_name
    assert stored.exists()
    response = as_role("liaison").post(
        f"/attachments/{att_id}/delete", data={"next": "/"}, follow_redirects=True
    )
    assert _shows(response, "“旧的.pdf” deleted.")
    assert _count() == 0
    assert not stored.exists()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.deleted"))
    assert event.subject_type == "task" and event.detail["name"] == "旧的.pdf"
    with app.test_request_context(headers={"Cookie": "tracker_lang=en"}):
        assert action_label("evidence.uploaded") == "Evidence uploaded"
        assert action_label("evidence.deleted") == "Evidence deleted"


@pytest.mark.parametrize(
    ("report", "role", "status"),
    [
        ("own", "other_liaison", 404),
        ("own", "office", 403),
        ("own", "leader", 403),
        ("own", "admin", 403),
        ("co", "other_liaison", 403),
        ("submitted", "liaison", 403),
    ],
)
def test_delete_refused(app, reports, as_role, world, report, role, status):
    att_id = evidence.store_upload(
        FileStorage(io.BytesIO(PDF), filename="a.pdf"),
        user=world["users"]["liaison"],
        report=db.session.get(ProgressReport, reports[report]),
    ).id
    db.session.commit()
    files = _stored_files(app)
    assert as_role(role).post(f"/attachments/{att_id}/delete").status_code == status
    assert _count() == 1 and _stored_files(app) == files


def test_a_rolled_back_upload_leaves_no_file(app, reports, world):
    report = db.session.get(ProgressReport, reports["own"])
    evidence.store_upload(
        FileStorage(io.BytesIO(PDF), filename="a.pdf"),
        user=world["users"]["liaison"],
        report=report,
    )
    assert len(_stored_files(app)) == 1
    db.session.rollback()
    assert _stored_files(app) == set() and _count() == 0


def test_a_rolled_back_deletion_keeps_the_file(app, reports, world):
    att_id = _store(reports["own"], "a.pdf", PDF, world["users"]["liaison"])
    files = _stored_files(app)
    att = db.session.get(Attachment, att_id)
    evidence.delete_attachment(att, user=world["users"]["liaison"])  # finds its report
    db.session.rollback()
    assert _stored_files(app) == files and _count() == 1


def test_upload_needs_the_csrf_token(app_factory, reports, world):
    csrf_app, client = signed_in_with_csrf(app_factory, world["users"]["liaison"].username)
    assert upload(client, reports["own"], "a.pdf", PDF, follow=False).status_code == 400
    assert _count() == 0 and _stored_files(csrf_app) == set()


# --- the partial ---------------------------------------------------------------------------


def test_attachments_partial_lists_files_and_offers_upload_only_when_allowed(app, reports, world):
    att_id = _store(reports["own"], "现场照片.png", PNG, world["users"]["liaison"])
    attachments = db.session.scalars(select(Attachment)).all()
    upload_url = f"/reports/{reports['own']}/attachments"
    with app.test_request_context("/tasks/1"):
        html = render_template(
            "reports/_attachments.html",
            attachments=attachments,
            upload_url=upload_url,
            can_upload=True,
            can_delete=True,
        )
        assert f'href="/attachments/{att_id}"' in html and "现场照片.png" in html
        assert f'action="{upload_url}"' in html and 'enctype="multipart/form-data"' in html
        assert 'name="csrf_token"' in html and f'action="/attachments/{att_id}/delete"' in html
        assert 'accept=".pdf,' in html
        html = render_template(
            "reports/_attachments.html",
            attachments=attachments,
            upload_url=upload_url,
            can_upload=False,
            can_delete=False,
        )
        assert "现场照片.png" in html
        assert upload_url not in html and "/delete" not in html
