"""A backup archive: one tar file holding

    manifest.json            format, time, dialect, schema revision, per-table row counts
                             and SHA-256, the database file's and each evidence file's SHA-256
    database.sqlite3 | database.pgdump
    evidence/<stored name>   every file an attachment row of the snapshot points at

Consistency: the evidence list is read from the same database snapshot as the dump, and each
file's SHA-256 must equal its attachment row's. A file deleted between the snapshot and its
copy (a user removed an attachment meanwhile) makes the backup start again, up to 3 times.
Members are read by name, never extracted blindly: a tampered archive cannot write outside
the folders it is restored to.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracker.backup import database as dbpart
from tracker.backup.database import BackupError, Snapshot

FORMAT = "tracker-backup/1"
MANIFEST = "manifest.json"
EVIDENCE = "evidence"
ATTEMPTS = 3
CHUNK = 1 << 20


class _FileGone(Exception):
    pass


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Result:
    path: Path
    manifest: dict
    attempts: int = 1
    notes: list[str] = field(default_factory=list)


def create(url: str, evidence_dir: Path, target: Path) -> Result:
    """Write a consistent backup of the database at `url` and its evidence to `target`."""
    target = Path(target)
    for attempt in range(1, ATTEMPTS + 1):
        with tempfile.TemporaryDirectory(prefix="tracker-backup-") as work:
            work_dir = Path(work)
            snapshot = (
                dbpart.pg_snapshot(url, work_dir)
                if dbpart.dialect_of(url) == "postgresql"
                else dbpart.sqlite_snapshot(url, work_dir)
            )
            try:
                manifest = _write(snapshot, work_dir, evidence_dir, target)
            except _FileGone:
                continue  # an attachment was deleted after the snapshot: take a new one
            return Result(target, manifest, attempt)
    raise BackupError("evidence files kept changing during the backup; try again later")


def _write(snapshot: Snapshot, work_dir: Path, evidence_dir: Path, target: Path) -> dict:
    db_file = work_dir / snapshot.file_name
    evidence = []
    for row in snapshot.attachments:
        name = row["stored_name"]
        if not stored_name_ok(name):
            raise BackupError(f"attachment file name {name!r} is not a stored name")
        if not (evidence_dir / name).is_file():
            raise _FileGone(name)
        evidence.append({"name": name, "size": row["size"], "sha256": row["sha256"]})
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dialect": snapshot.dialect,
        "schema_revision": snapshot.revision,
        "database": {
            "file": snapshot.file_name,
            "size": db_file.stat().st_size,
            "sha256": _sha256_file(db_file),
        },
        "tables": snapshot.tables,
        "evidence": evidence,
    }
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            tar.add(db_file, arcname=snapshot.file_name)
            for item in evidence:
                path = evidence_dir / item["name"]
                try:
                    actual = _sha256_file(path)
                except FileNotFoundError:
                    raise _FileGone(item["name"]) from None
                if actual != item["sha256"]:
                    raise BackupError(
                        f"evidence file {item['name']} does not match its attachment row "
                        "(changed or damaged on disk)"
                    )
                tar.add(path, arcname=f"{EVIDENCE}/{item['name']}")
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def stored_name_ok(name: str) -> bool:
    return isinstance(name, str) and len(name) == 32 and all(c in "0123456789abcdef" for c in name)


# --- reading an archive --------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("not a tracker backup: no manifest.json") from None
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except ValueError as exc:
        raise BackupError(f"the manifest is unreadable: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _copy_member(tar: tarfile.TarFile, name: str, out: Path, expected_sha: str) -> None:
    """Copy one regular member to `out`, checking its SHA-256 on the way."""
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"{name} is missing from the archive") from None
    if not member.isfile():
        raise BackupError(f"{name} is not a regular file in the archive")
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as sink:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            sink.write(chunk)
    if digest.hexdigest() != expected_sha:
        out.unlink(missing_ok=True)
        raise BackupError(f"{name} does not match the manifest (damaged or altered)")


def _unpack(tar: tarfile.TarFile, manifest: dict, work_dir: Path) -> tuple[Path, Path]:
    """The database file and an evidence folder, unpacked and checked against the manifest.
    The manifest's own counts must agree with each other."""
    database = manifest["database"]
    if database["file"] not in (dbpart.SQLITE_FILE, dbpart.PG_FILE):
        raise BackupError(f"unexpected database file {database['file']!r}")
    db_file = work_dir / database["file"]
    _copy_member(tar, database["file"], db_file, database["sha256"])
    evidence_dir = work_dir / EVIDENCE
    evidence_dir.mkdir(mode=0o700)
    rows = manifest["tables"].get("attachment", {}).get("rows", 0)
    if rows != len(manifest["evidence"]):
        raise BackupError(
            f"the manifest lists {len(manifest['evidence'])} evidence files "
            f"for {rows} attachment rows"
        )
    for item in manifest["evidence"]:
        if not stored_name_ok(item["name"]):
            raise BackupError(f"unexpected evidence name {item['name']!r}")
        _copy_member(tar, f"{EVIDENCE}/{item['name']}", evidence_dir / item["name"], item["sha256"])
    return db_file, evidence_dir


def _check_database_file(manifest: dict, db_file: Path) -> None:
    if manifest["dialect"] == "sqlite":
        tables, attachments, integrity = dbpart.sqlite_fingerprints_of_file(db_file)
        if integrity != "ok":
            raise BackupError(f"the database file is damaged: {integrity}")
        _compare(manifest, tables, attachments, "the archived database")
    else:
        dbpart.pg_check_dump(db_file)


def _compare(manifest: dict, tables: dict, attachments: list, what: str) -> None:
    if tables != manifest["tables"]:
        differ = sorted(
            name
            for name in set(tables) | set(manifest["tables"])
            if tables.get(name) != manifest["tables"].get(name)
        )
        raise BackupError(f"{what} differs from the manifest in: {', '.join(differ)}")
    listed = {(i["name"], i["sha256"]) for i in manifest["evidence"]}
    if {(a["stored_name"], a["sha256"]) for a in attachments} != listed:
        raise BackupError(f"{what}'s attachment rows differ from the manifest's evidence")


def verify(archive: Path) -> dict:
    """Check an archive without touching the instance: every member's SHA-256, the counts
    against each other, and (SQLite) the database's tables against the manifest."""
    with tempfile.TemporaryDirectory(prefix="tracker-verify-") as work:
        with _open(archive) as tar:
            manifest = read_manifest(tar)
            db_file, _evidence = _unpack(tar, manifest, Path(work))
        _check_database_file(manifest, db_file)
    return manifest


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive}: {exc}") from None


# --- restore -------------------------------------------------------------------------------


def restore(archive: Path, url: str, evidence_dir: Path, *, replace: bool) -> dict:
    """Restore the archive into the database at `url` and `evidence_dir`, then check that
    every table and every evidence file equals the manifest. The caller has made sure that
    nothing writes (maintenance mode, no scheduler)."""
    dialect = dbpart.dialect_of(url)
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
        with _open(archive) as tar:
            manifest = read_manifest(tar)
            if manifest["dialect"] != dialect:
                raise BackupError(
                    f"the backup is of a {manifest['dialect']} database, "
                    f"the instance uses {dialect}"
                )
            db_file, unpacked = _unpack(tar, manifest, Path(work))
        _check_database_file(manifest, db_file)
        if not replace and _has_data(url, evidence_dir):
            raise BackupError(
                "the instance already has a database or evidence files: "
                "restore with --replace to overwrite them"
            )
        if dialect == "sqlite":
            dbpart.sqlite_restore(db_file, url)
            tables, attachments = dbpart.sqlite_live_fingerprints(url)
        else:
            dbpart.pg_restore(db_file, url)
            tables, attachments = dbpart.pg_live_fingerprints(url)
        _swap_evidence(unpacked, evidence_dir)
    _compare(manifest, tables, attachments, "the restored database")
    for item in manifest["evidence"]:
        path = evidence_dir / item["name"]
        if not path.is_file() or _sha256_file(path) != item["sha256"]:
            raise BackupError(f"restored evidence file {item['name']} is missing or differs")
    return manifest


def _has_data(url: str, evidence_dir: Path) -> bool:
    if evidence_dir.exists() and any(evidence_dir.iterdir()):
        return True
    if dbpart.dialect_of(url) == "postgresql":
        return dbpart.pg_has_tables(url)
    path = dbpart.sqlite_path(url)
    return path.exists() and bool(dbpart.sqlite_live_fingerprints(url)[0])


def _swap_evidence(unpacked: Path, evidence_dir: Path) -> None:
    """Put the restored files in place; files that were there are kept aside, not deleted."""
    evidence_dir.parent.mkdir(parents=True, exist_ok=True)
    if evidence_dir.exists() and not any(evidence_dir.iterdir()):
        evidence_dir.rmdir()
    if evidence_dir.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        evidence_dir.rename(evidence_dir.with_name(f"{evidence_dir.name}.before-restore-{stamp}"))
    shutil.copytree(unpacked, evidence_dir)
    os.chmod(evidence_dir, 0o700)
