"""A plan's original file (the document as issued), stored like evidence.

Rules:
- accepted types: PDF, Word (.doc/.docx), WPS, OFD, plain text (UTF-8), JPG/PNG scans; the
  name, size and signature checks are evidence's (tracker.common.uploads): the content must
  match the extension where it has a signature (a renamed .exe is refused), a name with a
  ".." folder part or control characters is refused;
- at most TRACKER_UPLOAD_MAX_BYTES (20 MiB by default); an empty file is refused;
- stored as `<instance>/plan_files/<uuid4 hex>`, outside the web root; the user's cleaned file
  name is only shown and used as the download name; a file whose transaction rolls back is
  removed.
"""

import os
import uuid
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.common import uploads
from tracker.common.uploads import UploadRefused
from tracker.extensions import db

PDF, OLE2, ZIP = b"%PDF-", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (PDF,)),
    "doc": ("application/msword", (OLE2,)),
    "wps": ("application/vnd.ms-works", (OLE2,)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "ofd": ("application/ofd", (ZIP,)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "txt": ("text/plain; charset=utf-8", ()),
}


NOT_ALLOWED = _l("Upload a PDF, Word, WPS, OFD, text or image file.")


class OriginalRefused(Exception):
    """`message` says why, for the user (from tracker.common.uploads or below)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def files_dir() -> Path:
    folder = Path(current_app.instance_path) / "plan_files"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(file_storage) -> tuple[str, str, str]:
    """Check and store an upload; returns (stored name, shown name, content type)."""
    limit = current_app.config.get("TRACKER_UPLOAD_MAX_BYTES", 20 << 20)
    data = file_storage.stream.read(limit + 1)
    try:
        name, ext, content_type = uploads.validate_upload(
            file_storage.filename, data[:16], len(data), limit, TYPES, NOT_ALLOWED
        )
    except UploadRefused as refused:
        raise OriginalRefused(refused.message) from None
    if ext == "txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise OriginalRefused(uploads.content_mismatch(ext)) from None
    stored = uuid.uuid4().hex
    path = files_dir() / stored
    path.write_bytes(data)
    db.session.info.setdefault("plan_files_new", []).append(path)
    return stored, name, content_type


def send(plan):
    path = files_dir() / plan.original_file
    return send_file(
        path,
        mimetype=plan.original_content_type,
        as_attachment=True,
        download_name=plan.original_filename,
    )


@event.listens_for(Session, "after_commit")
def _kept(session):
    session.info.pop("plan_files_new", None)


@event.listens_for(Session, "after_soft_rollback")
def _discard(session, _previous_transaction):
    for path in session.info.pop("plan_files_new", []):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
