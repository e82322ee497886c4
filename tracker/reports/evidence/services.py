"""Evidence (佐证材料): checking, storing, serving and deleting uploaded files.

Rules:
- a file is accepted only if its extension is allowed AND its content is of that type
  (PDF, Word/Excel/PowerPoint old and new, JPG, PNG, ZIP); an .exe renamed .pdf, a PDF
  renamed .docx or a plain zip renamed .docx is refused;
- an empty file, a file over the limit (TRACKER_UPLOAD_MAX_BYTES, default 20 MiB) and a file
  name with a ".." folder part, control characters, a dot at the start or over 200 characters
  are refused (after NFKC: full-width "．．／" is "../"). A plain folder part
  ("/home/张三/报告.pdf") is dropped;
- an Office file or zip that unpacks to too much, or far more than its size, is refused
  (evidence.archives);
- files live in `<instance>/evidence/<uuid4 hex>`: outside the web root, never under the
  user's name. The user's (cleaned) name is only shown and used as the download name;
- nothing is stored for a refused file, nor when the transaction that added it rolls back:
  the file is removed then. A deleted attachment's file is removed once the deletion commits.
"""

import hashlib
import logging
import os
import re
import uuid
import zipfile
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.audit import record
from tracker.common import uploads
from tracker.common.uploads import UploadRefused
from tracker.extensions import db
from tracker.reports.evidence import archives
from tracker.reports.evidence.archives import check_unpacked
from tracker.reports.models import Attachment, ProgressReport
from tracker.supervision.models import CloseOutRequest

log = logging.getLogger(__name__)


DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HEAD_BYTES = 512
CHUNK_BYTES = 64 * 1024
STORED_NAME = re.compile(r"^[0-9a-f]{32}$")

PDF, OLE2, ZIP = b"%PDF-", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
_OOXML = "application/vnd.openxmlformats-officedocument."

# extension -> (content type, signature the file must start with)
TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", PDF),
    "doc": ("application/msword", OLE2),
    "xls": ("application/vnd.ms-excel", OLE2),
    "ppt": ("application/vnd.ms-powerpoint", OLE2),
    "docx": (_OOXML + "wordprocessingml.document", ZIP),
    "xlsx": (_OOXML + "spreadsheetml.sheet", ZIP),
    "pptx": (_OOXML + "presentationml.presentation", ZIP),
    "jpg": ("image/jpeg", JPEG),
    "jpeg": ("image/jpeg", JPEG),
    "png": ("image/png", PNG),
    "zip": ("application/zip", ZIP),
}
# The folder an Office Open XML file's parts live in.
OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
# Stream names an OLE2 (97-2003) Office file holds in its directory, stored as UTF-16LE.
OLE2_STREAMS = {
    "doc": ("WordDocument",),
    "xls": ("Workbook", "Book"),
    "ppt": ("PowerPoint Document",),
}
ACCEPT = ",".join(f".{ext}" for ext in TYPES)

TYPE_NOT_ALLOWED = _l(
    "This file type is not allowed. Allowed: PDF, Word, Excel, PowerPoint, images (JPG, PNG), ZIP."
)
UNPACKS_TOO_LARGE = _l(
    "This file unpacks to far more data than its size (a “zip bomb”) and is refused. "
    "Save the document again, or send it as PDF."
)


# The messages and the name and signature checks are shared with a plan's original file.
_content_mismatch = uploads.content_mismatch
_too_large = uploads.too_large
human_size = uploads.human_size
EvidenceRejected = UploadRefused  # an upload refused for a reason the user can fix


# --- pure checks ---------------------------------------------------------------------------


def clean_filename(filename: str) -> tuple[str, str]:
    """The name to show and the lower-case extension, or EvidenceRejected
    (tracker.common.uploads.clean_filename with the evidence types)."""
    return uploads.clean_filename(filename, TYPES, TYPE_NOT_ALLOWED)


def validate_upload(filename: str, head: bytes, size: int, max_bytes: int) -> tuple[str, str]:
    """(display name, content type) of an acceptable upload, else EvidenceRejected.

    Pure: `head` is the file's first bytes (at least 8), `size` its length. Container checks
    that need the whole file (Office parts inside a zip) are in `check_container`.
    """
    name, _ext, content_type = uploads.validate_upload(
        filename, head, size, max_bytes, TYPES, TYPE_NOT_ALLOWED
    )
    return name, content_type


def _contains(path: Path, needles: tuple[bytes, ...]) -> bool:
    """Whether any needle occurs in the file, read in chunks (overlapping at the seams)."""
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            tail = window[-overlap:]
    return False


def check_container(ext: str, path: Path) -> None:
    """The checks that need the whole file, else EvidenceRejected.

    - .docx/.xlsx/.pptx: a valid zip holding [Content_Types].xml and the word/, xl/ or ppt/
      parts (only the zip's directory is read, nothing is decompressed);
    - .zip: a valid zip;
    - .doc/.xls/.ppt: the OLE2 file names the Word, Excel or PowerPoint stream (this tells
      an Office file from another OLE2 file such as an .msi installer).
    """
    if TYPES[ext][1] == ZIP:
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise EvidenceRejected(_content_mismatch(ext)) from None
        if ext in OOXML_FOLDER:
            folder = OOXML_FOLDER[ext]
            if "[Content_Types].xml" not in names or not any(n.startswith(folder) for n in names):
                raise EvidenceRejected(_content_mismatch(ext))
        problem = check_unpacked(path, *unpack_limits())
        if problem == archives.BROKEN:
            raise EvidenceRejected(_content_mismatch(ext))
        if problem:
            raise EvidenceRejected(UNPACKS_TOO_LARGE)
    elif ext in OLE2_STREAMS:
        if not _contains(path, tuple(s.encode("utf-16-le") for s in OLE2_STREAMS[ext])):
            raise EvidenceRejected(_content_mismatch(ext))


# --- storage -------------------------------------------------------------------------------


def upload_limit() -> int:
    return int(current_app.config.get("TRACKER_UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)


def unpack_limits() -> tuple[int, int]:
    """(most bytes an archive may unpack to, most times its own size): see archives."""
    config = current_app.config
    return (
        int(config.get("TRACKER_UPLOAD_MAX_UNPACKED_BYTES") or 200 << 20),
        int(config.get("TRACKER_UPLOAD_MAX_RATIO") or 100),
    )


def evidence_dir() -> Path:
    """<instance>/evidence: the instance folder is neither the static folder nor web root."""
    folder = Path(current_app.instance_path) / "evidence"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def attachment_path(att: Attachment) -> Path:
    if not STORED_NAME.match(att.stored_name or ""):
        raise ValueError(f"attachment {att.id}: unexpected stored name")
    return evidence_dir() / att.stored_name


def _read_head(stream) -> bytes:
    head = b""
    while len(head) < HEAD_BYTES:
        chunk = stream.read(HEAD_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    return head


def store_upload(file_storage, *, user, report=None, close_out=None) -> Attachment:
    """Check an uploaded file, store it under a generated name and add its Attachment
    (flushed, with an audit event on the task; the caller commits).

    The stream is read in chunks and refused as soon as it passes the limit, so a large file
    is never held in memory. Raises EvidenceRejected; nothing is left on disk then.
    """
    if (report is None) == (close_out is None):
        raise ValueError("an attachment belongs to a report or to a close-out request")
    max_bytes = upload_limit()
    filename = file_storage.filename or ""
    stream = file_storage.stream
    head = _read_head(stream)
    # The name, the type and the signature are checked before anything is written.
    name, content_type = validate_upload(filename, head, len(head), max_bytes)
    ext = clean_filename(filename)[1]

    stored_name = uuid.uuid4().hex
    path = evidence_dir() / stored_name
    digest, size = hashlib.sha256(), 0
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceRejected(_too_large(max_bytes))
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK_BYTES)
        validate_upload(filename, head, size, max_bytes)
        check_container(ext, path)
        att = Attachment(
            report_id=report.id if report is not None else None,
            close_out_id=close_out.id if close_out is not None else None,
            original_name=name,
            stored_name=stored_name,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by_id=getattr(user, "id", None),
        )
        db.session.add(att)
        db.session.flush()
        _record("evidence.uploaded", att, report=report, close_out=close_out, actor=user)
        _pending(db.session, "evidence_written").append(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return att


def attachment_owner(att: Attachment):
    """(report, close_out) an attachment belongs to; one of the two is None."""
    if att.report_id is not None:
        return db.session.get(ProgressReport, att.report_id), None
    return None, db.session.get(CloseOutRequest, att.close_out_id)


def delete_attachment(att: Attachment, *, user, report=None, close_out=None) -> None:
    """Delete an attachment's row (flushed, audited on its task). Its file is removed only
    once the deletion commits: a rolled-back deletion keeps a working download."""
    if report is None and close_out is None:
        report, close_out = attachment_owner(att)
    path = attachment_path(att)
    _record("evidence.deleted", att, report=report, close_out=close_out, actor=user)
    db.session.delete(att)
    db.session.flush()
    _pending(db.session, "evidence_delete_on_commit").append(path)


def send_attachment(att: Attachment):
    """The stored file as a download under its display name; None if the file is missing."""
    path = attachment_path(att)
    if not path.is_file():
        log.error("attachment %s: file %s is missing", att.id, path)
        return None
    response = send_file(
        path,
        as_attachment=True,
        download_name=att.original_name,
        mimetype=att.content_type,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _record(action, att, *, report, close_out, actor) -> None:
    owner = report if report is not None else close_out
    detail = {"name": att.original_name, "size": att.size, "attachment_id": att.id}
    if report is not None:
        detail["report_id"] = report.id
    else:
        detail["close_out_id"] = close_out.id
    record(action, actor=actor, subject_type="task", subject_id=owner.task_id, detail=detail)


# --- files follow the transaction ---------------------------------------------------------


def _pending(session, key: str) -> list[Path]:
    return session.info.setdefault(key, [])


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint: wait for the real commit
    session.info.pop("evidence_written", None)  # now referenced by committed rows
    for path in session.info.pop("evidence_delete_on_commit", []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    if transaction.parent is not None:
        return
    # Still listed here means the transaction ended without committing: the rows are gone,
    # so are their files; files of a deletion that did not commit stay.
    for path in session.info.pop("evidence_written", []):
        path.unlink(missing_ok=True)
    session.info.pop("evidence_delete_on_commit", None)
