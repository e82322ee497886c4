"""The shared upload checks (tracker.common.uploads): names, sizes and signatures, for the
evidence types and for a plan's original file."""

import pytest

from tracker.common import uploads
from tracker.common.uploads import UploadRefused
from tracker.plans.originals import NOT_ALLOWED as ORIGINAL_NOT_ALLOWED
from tracker.plans.originals import TYPES as ORIGINAL_TYPES
from tracker.reports.evidence.services import TYPE_NOT_ALLOWED as EVIDENCE_NOT_ALLOWED
from tracker.reports.evidence.services import TYPES as EVIDENCE_TYPES

PDF = b"%PDF-1.7\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MZ = b"MZ\x90\x00\x03\x00\x00\x00"
EVIDENCE = (EVIDENCE_TYPES, EVIDENCE_NOT_ALLOWED)
ORIGINAL = (ORIGINAL_TYPES, ORIGINAL_NOT_ALLOWED)


@pytest.mark.parametrize(
    "types, filename, head, size, expected",
    [
        (EVIDENCE, "报告.pdf", PDF, 100, ("报告.pdf", "pdf", "application/pdf")),
        (
            ORIGINAL,
            "长发〔2017〕29号.PDF",
            PDF,
            100,
            ("长发〔2017〕29号.PDF", "pdf", "application/pdf"),
        ),
        (
            ORIGINAL,
            "/home/张三/方案.wps",
            OLE2,
            100,
            ("方案.wps", "wps", "application/vnd.ms-works"),
        ),
        (
            ORIGINAL,
            "纪要.txt",
            "会议".encode(),
            6,
            ("纪要.txt", "txt", "text/plain; charset=utf-8"),
        ),
        # refused
        (ORIGINAL, "../../etc/方案.pdf", PDF, 100, "bad name"),
        (ORIGINAL, "．．／方案.pdf", PDF, 100, "bad name"),  # full-width "../" after NFKC
        (EVIDENCE, "report\u202efdp.exe", PDF, 100, "bad name"),  # right-to-left override
        (ORIGINAL, ".pdf", PDF, 100, "bad name"),
        (ORIGINAL, "", PDF, 100, "no name"),
        (ORIGINAL, "方案.exe", MZ, 100, "type"),
        (EVIDENCE, "方案.wps", OLE2, 100, "type"),  # not an evidence type
        (ORIGINAL, "方案.pdf", MZ, 100, "content"),  # a renamed program
        (ORIGINAL, "方案.pdf", b"", 0, "empty"),
        (ORIGINAL, "方案.pdf", PDF, 1001, "large"),
        (ORIGINAL, "长" * 200 + ".pdf", PDF, 100, "long"),
    ],
)
def test_validate_upload(types, filename, head, size, expected):
    type_list, not_allowed = types
    if isinstance(expected, tuple):
        assert uploads.validate_upload(filename, head, size, 1000, type_list, not_allowed) == (
            expected
        )
        return
    messages = {
        "bad name": uploads.BAD_NAME,
        "no name": uploads.NO_NAME,
        "type": not_allowed,
        "content": uploads.content_mismatch("pdf"),
        "empty": uploads.EMPTY_FILE,
        "large": uploads.too_large(1000),
        "long": uploads.name_too_long(),
    }
    with pytest.raises(UploadRefused) as refused:
        uploads.validate_upload(filename, head, size, 1000, type_list, not_allowed)
    assert refused.value.message == messages[expected]
