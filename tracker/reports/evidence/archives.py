"""Zip bombs: an Office file (.docx/.xlsx/.pptx) or a .zip is a zip archive, and a 2 MB
archive can unpack to gigabytes in the browser-side viewer, the antivirus or the user's PC.

Rules (`unpacked_problem`, pure):
- at most TRACKER_UPLOAD_MAX_UNPACKED_BYTES unpacked in all (default 200 MiB);
- at most TRACKER_UPLOAD_MAX_RATIO times the archive's own size (default 100; real Office
  files and zips of documents stay well under 30) — small archives (unpacking to under
  1 MiB) are exempt, a tiny docx of empty XML compresses very well and harms nobody;
- at most 10,000 members (a million empty members is a bomb of another kind).

The sizes in the zip's directory can lie; `check_unpacked` therefore also inflates every
member, reading at most what its entry declares, so a lie shows as a CRC or size error and
the file is refused. Nothing is written to disk.
"""

import zipfile
from collections.abc import Iterable
from pathlib import Path

RATIO_EXEMPT_BELOW = 1 << 20
MAX_MEMBERS = 10_000
CHUNK = 1 << 16

TOO_MANY_MEMBERS = "too_many_members"
TOO_LARGE_UNPACKED = "too_large_unpacked"
TOO_COMPRESSED = "too_compressed"
BROKEN = "broken"


def unpacked_problem(
    declared_sizes: Iterable[int], archive_size: int, max_total: int, max_ratio: int
) -> str | None:
    """Why an archive with these members' unpacked sizes is refused, or None."""
    sizes = list(declared_sizes)
    if len(sizes) > MAX_MEMBERS:
        return TOO_MANY_MEMBERS
    total = sum(sizes)
    if total > max_total:
        return TOO_LARGE_UNPACKED
    if total >= RATIO_EXEMPT_BELOW and total > max_ratio * max(archive_size, 1):
        return TOO_COMPRESSED
    return None


def check_unpacked(path: Path, max_total: int, max_ratio: int) -> str | None:
    """The problem of the zip archive at `path` (see the module docstring), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            problem = unpacked_problem(
                (i.file_size for i in infos), path.stat().st_size, max_total, max_ratio
            )
            if problem:
                return problem
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as member:  # stops at the declared size
                    while member.read(CHUNK):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return BROKEN
    except NotImplementedError:  # a compression method Python cannot inflate
        return BROKEN
    except RuntimeError:  # an encrypted member
        return None
    return None
