"""Issue 12, finding 9: zip bombs (an Office file or zip that unpacks to gigabytes) and
full-width path tricks in file names. The bombs are built by hand from one repeated deflate
segment, so a 2 GiB member costs 2 MB on disk and well under a second to make."""

import io
import struct
import zlib

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.reports.evidence import archives
from tracker.reports.evidence import services as evidence
from tracker.reports.evidence.services import EvidenceRejected, clean_filename
from tracker.reports.models import Attachment, ProgressReport
from tracker.reports.periods import ensure_period
from tracker.units.models import Unit

MiB = 1 << 20
ZEROS = b"\0" * (16 * MiB)


def _zeros_deflated(total: int) -> tuple[bytes, int]:
    """Raw deflate data of `total` zero bytes (a multiple of 16 MiB) and its CRC-32."""
    count = total // len(ZEROS)
    segment = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = segment.compress(ZEROS) + segment.flush(zlib.Z_FULL_FLUSH)  # byte-aligned
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(ZEROS, crc)
    return block * count + b"\x03\x00", crc  # then an empty final block


def build_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, stored data, method, crc, declared unpacked size) members."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, method, crc, size in members:
        offset, raw = out.tell(), name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(raw), 0
            )
            + raw
            + data
        )
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start, directory = out.tell(), central.getvalue()
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0
        )
    )
    return out.getvalue()


def stored(name: str, data: bytes):
    return (name, data, 0, zlib.crc32(data), len(data))


def zeros(name: str, total: int, declared: int | None = None):
    data, crc = _zeros_deflated(total)
    return (name, data, 8, crc, total if declared is None else declared)


def docx_with(member) -> bytes:
    return build_zip([stored("[Content_Types].xml", b"<Types/>"), member])


@pytest.fixture(scope="module")
def bombs():
    return {
        "docx_2gib": docx_with(zeros("word/document.xml", 2048 * MiB)),
        "zip_2gib": build_zip([zeros("data.bin", 2048 * MiB)]),
        "xlsx_ratio": build_zip(
            [stored("[Content_Types].xml", b"<Types/>"), zeros("xl/sheet1.xml", 160 * MiB)]
        ),
        # the directory says 1 KiB, the data inflates to 32 MiB: a lie, caught on inflating
        "zip_lying": build_zip([zeros("data.bin", 32 * MiB, declared=1024)]),
    }


def test_a_2_mb_file_that_unpacks_to_2_gib_is_small_on_disk(bombs):
    assert len(bombs["docx_2gib"]) < 3 * MiB


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("docx_2gib", archives.TOO_LARGE_UNPACKED),
        ("zip_2gib", archives.TOO_LARGE_UNPACKED),
        ("xlsx_ratio", archives.TOO_COMPRESSED),
        ("zip_lying", archives.BROKEN),
    ],
)
def test_check_unpacked_finds_each_bomb(bombs, tmp_path, key, problem):
    path = tmp_path / "upload"
    path.write_bytes(bombs[key])
    assert archives.check_unpacked(path, 200 * MiB, 100) == problem


def test_a_real_office_file_passes(tmp_path):
    from docx import Document

    out = io.BytesIO()
    document = Document()
    for _ in range(200):
        document.add_paragraph("2026年11月工作进展：示范基地申报材料初审完成。" * 5)
    document.save(out)
    path = tmp_path / "real.docx"
    path.write_bytes(out.getvalue())
    assert archives.check_unpacked(path, 200 * MiB, 100) is None


@pytest.fixture
def report(world):
    unit = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    made = ProgressReport(
        task_id=world["ids"]["own_task"],
        unit_id=unit.id,
        period_id=ensure_period(2026, 11).id,
        state="draft",
    )
    db.session.add(made)
    db.session.commit()
    return made


@pytest.mark.parametrize(
    ("key", "filename"),
    [
        ("docx_2gib", "进展.docx"),
        ("zip_2gib", "材料.zip"),
        ("xlsx_ratio", "台账.xlsx"),
        ("zip_lying", "材料.zip"),
    ],
)
def test_upload_of_a_bomb_is_refused_and_nothing_is_stored(
    app, world, report, bombs, key, filename
):
    user = world["users"]["liaison"]
    with pytest.raises(EvidenceRejected):
        evidence.store_upload(
            FileStorage(io.BytesIO(bombs[key]), filename=filename), user=user, report=report
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    folder = evidence.evidence_dir()
    assert list(folder.iterdir()) == []


def test_bomb_upload_page_says_why(world, report, bombs, client_for):
    client = client_for("liaison")
    client.set_cookie("tracker_lang", "en")
    response = client.post(
        f"/reports/{report.id}/attachments",
        data={"file": (io.BytesIO(bombs["docx_2gib"]), "进展.docx"), "next": "/"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "zip bomb" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "filename",
    [
        "．．／x.pdf",  # full-width dots and slash: "../x.pdf" after NFKC
        "．．＼．．＼x.pdf",  # full-width backslash
        "a／．．／b.pdf",
        "．pdf",  # a hidden file
        "﹒﹒/x.pdf",  # small full stop
    ],
)
def test_full_width_traversal_names_are_refused(filename):
    with pytest.raises(EvidenceRejected):
        clean_filename(filename)


def test_full_width_names_are_kept_in_their_normal_form():
    assert clean_filename("２０２６年报告．ＰＤＦ") == ("2026年报告.PDF", "pdf")


def test_download_name_of_a_full_width_upload_has_no_folder_part(world, report, client_for):
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    att = evidence.store_upload(
        FileStorage(io.BytesIO(pdf), filename="报告／x．pdf"),
        user=world["users"]["liaison"],
        report=report,
    )
    db.session.commit()
    response = client_for("liaison").get(f"/attachments/{att.id}")
    disposition = response.headers["Content-Disposition"]
    assert "/" not in disposition.split("filename*")[0] and ".." not in disposition
