"""The database part of a backup: a consistent snapshot, its tables' fingerprints, and the
restore. SQLite uses its online backup API (a plain file copy of a live WAL database misses
committed rows); PostgreSQL uses pg_dump inside an exported snapshot, so the dump, the row
counts and the list of evidence files all describe one moment.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SQLITE_FILE, PG_FILE = "database.sqlite3", "database.pgdump"


class BackupError(Exception):
    """A backup, verification or restore that cannot go on; the message says why."""


@dataclass
class Snapshot:
    """What one consistent moment of the database holds."""

    dialect: str
    file_name: str  # in the archive
    tables: dict[str, dict]  # name -> {"rows": n, "sha256": digest}
    attachments: list[dict]  # {"stored_name", "size", "sha256"} of every attachment row
    revision: str | None = None  # Alembic's schema revision


# --- table fingerprints --------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def table_fingerprints(rows_of: Callable[[str], list], names: list[str]) -> dict[str, dict]:
    """Per table: its row count and a SHA-256 of its rows in a canonical order (each row as
    JSON, the lines sorted), so that two databases of one dialect compare table by table."""
    result = {}
    for name in names:
        lines = sorted(
            json.dumps(list(row), default=_plain, ensure_ascii=False, sort_keys=True)
            for row in rows_of(f'SELECT * FROM "{name}"')
        )
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        result[name] = {"rows": len(lines), "sha256": digest}
    return result


SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
ATTACHMENTS = "SELECT stored_name, size, sha256 FROM attachment ORDER BY id"


def _revision(rows_of, names) -> str | None:
    if "alembic_version" not in names:
        return None
    rows = rows_of("SELECT version_num FROM alembic_version")
    return ",".join(sorted(r[0] for r in rows)) or None


def _attachments(rows_of, names) -> list[dict]:
    if "attachment" not in names:
        return []
    return [{"stored_name": r[0], "size": r[1], "sha256": r[2]} for r in rows_of(ATTACHMENTS)]


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def dialect_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database: {name}")
    return name


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_fingerprints(conn: sqlite3.Connection) -> tuple[dict, list]:
    def rows_of(sql):
        return conn.execute(sql).fetchall()

    names = sorted(r[0] for r in rows_of(SQLITE_TABLES))
    return (
        table_fingerprints(rows_of, names),
        _attachments(rows_of, names),
        _revision(rows_of, names),
    )


def sqlite_snapshot(url: str, out_dir: Path) -> Snapshot:
    """Copy the live database with the online backup API (one read transaction: a
    consistent moment, however busy the app) into a self-contained file."""
    target = out_dir / SQLITE_FILE
    source = sqlite3.connect(sqlite_path(url), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        tables, attachments, revision = _sqlite_fingerprints(copy)
    finally:
        copy.close()
        source.close()
    return Snapshot("sqlite", SQLITE_FILE, tables, attachments, revision)


def sqlite_fingerprints_of_file(path: Path) -> tuple[dict, list, str]:
    """(tables, attachments, integrity_check) of a SQLite file, opened read-only."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables, attachments, _revision_ = _sqlite_fingerprints(conn)
    finally:
        conn.close()
    return tables, attachments, check


def sqlite_writers_idle(url: str, instance_path: Path, wait_seconds: float) -> None:
    """Refuse (BackupError) while the scheduler holds its lock or a writer holds SQLite's."""
    _refuse_if_scheduler_runs(instance_path)
    path = sqlite_path(url)
    if not path.exists():
        return
    conn = sqlite3.connect(path, timeout=wait_seconds, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # waits for a writer, then holds the write lock
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        raise BackupError(f"the database is still being written ({exc}); stop the app") from exc
    finally:
        conn.close()


def _refuse_if_scheduler_runs(instance_path: Path) -> None:
    # tracker.scheduler holds a file lock on <instance>/scheduler.lock while it runs (SQLite)
    path = instance_path / "scheduler.lock"
    if not path.exists():
        return
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError("the scheduler is running: stop it before a restore") from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def sqlite_restore(snapshot_file: Path, url: str) -> None:
    """Write the snapshot into the live database file (the backup API, page by page)."""
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{snapshot_file}?mode=ro", uri=True)
    target = sqlite3.connect(path, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def sqlite_live_fingerprints(url: str) -> tuple[dict, list]:
    conn = sqlite3.connect(sqlite_path(url), timeout=30)
    try:
        return _sqlite_fingerprints(conn)[:2]
    finally:
        conn.close()


# --- PostgreSQL ----------------------------------------------------------------------------


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq URI for pg_dump/pg_restore (no password in the command line: PGPASSWORD)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


@contextlib.contextmanager
def _pg_connection(url: str) -> Iterator:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _pg_fingerprints(conn) -> tuple[dict, list]:
    def rows_of(sql):
        return conn.exec_driver_sql(sql).all()

    names = sorted(r[0] for r in rows_of(PG_TABLES))
    return (
        table_fingerprints(rows_of, names),
        _attachments(rows_of, names),
        _revision(rows_of, names),
    )


def pg_snapshot(url: str, out_dir: Path) -> Snapshot:
    """pg_dump (custom format) of an exported snapshot, and the fingerprints and evidence
    list read in that same snapshot."""
    target = out_dir / PG_FILE
    uri, env = _libpq(url)
    with _pg_connection(url) as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot_id = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            command = [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
                f"--dbname={uri}",
            ]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            tables, attachments, revision = _pg_fingerprints(conn)
    return Snapshot("postgresql", PG_FILE, tables, attachments, revision)


def pg_check_dump(path: Path) -> None:
    done = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"the database dump is unreadable: {done.stderr.strip()}")


def pg_writers_idle(url: str) -> None:
    """Refuse (BackupError) while another session is in a transaction on the database or
    holds an advisory lock (the scheduler holds one while it runs)."""
    with _pg_connection(url) as conn:
        busy = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'"
        ).scalar()
        locks = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND d.datname = current_database() "
            "AND l.pid <> pg_backend_pid()"
        ).scalar()
    if locks:
        raise BackupError("the scheduler is running: stop it before a restore")
    if busy:
        raise BackupError(f"{busy} other session(s) are working on the database; stop the app")


def pg_has_tables(url: str) -> bool:
    with _pg_connection(url) as conn:
        return bool(conn.exec_driver_sql(PG_TABLES).first())


def pg_restore(dump: Path, url: str) -> None:
    """Empty the schema, then restore the dump in one transaction (all or nothing)."""
    uri, env = _libpq(url)
    with _pg_connection(url) as conn, conn.begin():
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={uri}",
        str(dump),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def pg_live_fingerprints(url: str) -> tuple[dict, list]:
    with _pg_connection(url) as conn:
        return _pg_fingerprints(conn)[:2]
