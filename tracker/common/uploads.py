"""Checking an uploaded file before it is stored: its name, its size and its first bytes.
Pure (no request, no app): shared by evidence (tracker.reports.evidence) and a plan's
original file (tracker.plans.originals), each with its own list of types.

Rules:
- the name is read after NFKC (full-width "．．／" is "../"); control and invisible
  formatting characters, a ".." folder part, a dot at the start and more than 200 characters
  are refused; a plain folder part ("/home/张三/报告.pdf") is dropped; Chinese is kept;
- the extension must be one of the caller's types, and the content must start with that
  type's signature (when the type has one): a renamed .exe is refused;
- an empty file and a file over the limit are refused.
"""

import re
import unicodedata
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

MAX_NAME_LENGTH = 200

EMPTY_FILE = _l("The file is empty.")
BAD_NAME = _l(
    "This file name is not allowed (no folder parts such as “..”, no control characters, "
    "no dot at the start). Rename the file and upload it again."
)
NO_NAME = _l("The file has no name.")

# extension -> (content type, the signature(s) the file starts with; empty: none to check)
Types = Mapping[str, tuple[str, bytes | tuple[bytes, ...]]]


class UploadRefused(Exception):
    """An upload refused for a reason the user can fix; `message` is shown to them."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message  # lazy: translated when shown, in the user's language

    def __str__(self) -> str:
        return str(self.message)


def content_mismatch(ext: str):
    return _l(
        "The file's content does not match its extension (.%(ext)s). Open it and save it "
        "again in that format (or as PDF), then upload it.",
        ext=ext,
    )


def too_large(max_bytes: int):
    return _l("The file is larger than the limit of %(limit)s.", limit=human_size(max_bytes))


def name_too_long():
    return _l("The file name is too long (at most %(max)d characters).", max=MAX_NAME_LENGTH)


def human_size(size: int) -> str:
    """1536 -> '1.5 KB'; units are the same in every language."""
    if size < 1024:
        return f"{size} B"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / 1024 / 1024, "MB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def is_control(char: str) -> bool:
    # Cc: NUL, newlines, escapes; Cf: invisible formatting such as the right-to-left
    # override that makes "report\u202efdp.exe" look like "reportexe.pdf".
    return unicodedata.category(char) in ("Cc", "Cf")


def clean_filename(filename: str, types: Types, not_allowed) -> tuple[str, str]:
    """The name to show and the lower-case extension, else UploadRefused (`not_allowed`
    is the message for an extension that is not one of `types`).

    A folder part is dropped (some clients send a whole path); a ".." folder part is a
    traversal attempt and refused. Chinese characters are kept (werkzeug's
    secure_filename would drop them); the name is never used to build a path.
    """
    # NFKC: full-width "．．／x.pdf" is "../x.pdf" to the download's ASCII fallback and to
    # many tools, so it is checked (and kept) in that form.
    name = unicodedata.normalize("NFKC", filename or "")
    if any(is_control(c) for c in name):
        raise UploadRefused(BAD_NAME)
    parts = re.split(r"[/\\]", name)
    if any(part.strip() == ".." for part in parts[:-1]):
        raise UploadRefused(BAD_NAME)
    name = parts[-1].strip()
    if not name:
        raise UploadRefused(NO_NAME)
    if name.startswith("."):
        # ".pdf", "....pdf", "..": hidden files and what is left of a traversal (a multipart
        # parser may turn "..\\..\\x.pdf" into "....x.pdf")
        raise UploadRefused(BAD_NAME)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip():
        raise UploadRefused(not_allowed)
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRefused(name_too_long())
    ext = ext.lower()
    if ext not in types:
        raise UploadRefused(not_allowed)
    return name, ext


def validate_upload(
    filename: str, head: bytes, size: int, max_bytes: int, types: Types, not_allowed
) -> tuple[str, str, str]:
    """(display name, extension, content type) of an acceptable upload, else UploadRefused.

    `head` is the file's first bytes (at least 8), `size` its length. Checks that need the
    whole file (the parts inside a zip, a text's encoding) are the caller's.
    """
    name, ext = clean_filename(filename, types, not_allowed)
    if size <= 0 or not head:
        raise UploadRefused(EMPTY_FILE)
    if size > max_bytes:
        raise UploadRefused(too_large(max_bytes))
    content_type, signature = types[ext]
    if signature and not head.startswith(signature):
        raise UploadRefused(content_mismatch(ext))
    return name, ext, content_type
