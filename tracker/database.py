"""Database connection behaviour that SQLAlchemy leaves to us.

SQLite: WAL (readers never block the writer), a busy timeout (writers wait for each other
instead of failing), foreign keys on. Write transactions start with BEGIN IMMEDIATE: they
take the write lock at the start and wait for it (busy timeout), rather than failing with
"database is locked" when a transaction that has read an older snapshot tries to write.
A request with an unsafe method (POST …), a CLI command or a job declares its intent to
write with `writing()`.
"""

import contextlib
import contextvars
import sqlite3

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "tracker_write_intent", default=False
)


def declare_write_intent(value: bool = True) -> contextvars.Token:
    return _write_intent.set(value)


def reset_write_intent(token: contextvars.Token) -> None:
    _write_intent.reset(token)


@contextlib.contextmanager
def writing():
    """Transactions begun inside this block take SQLite's write lock at BEGIN."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Writers: BEGIN IMMEDIATE now. Readers: pysqlite's own behaviour (reads see the
    latest commit; a BEGIN is issued just before the first INSERT/UPDATE/DELETE)."""
    if conn.dialect.name != "sqlite":
        return
    dbapi_connection = conn.connection.dbapi_connection
    if _write_intent.get():
        dbapi_connection.isolation_level = None
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        dbapi_connection.isolation_level = ""


ANALYSIS_LIMIT = 1000  # rows SQLite samples per index when it refreshes its statistics


def refresh_statistics(session) -> bool:
    """Keep the query planner's statistics current on SQLite (PostgreSQL's autovacuum does
    this by itself): ANALYZE, sampling at most ANALYSIS_LIMIT rows per index — about 0.6 s
    at province scale. Without statistics SQLite picked a worse index for the office's open
    task counts (issue 13). (`PRAGMA optimize` alone would do nothing here: before SQLite
    3.46 it analyses only the tables the same connection has queried.) Run once a day after
    the alert sweep. True when it ran."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    session.execute(text("ANALYZE"))
    session.commit()
    return True


def dialect_insert(table, session):
    """An INSERT for the session's database (SQLite or PostgreSQL), so that callers can add
    `.on_conflict_do_nothing(…)`: the one place that knows both dialects' insert."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
