"""Database connection behaviour that SQLAlchemy leaves to us.

SQLite: WAL (readers never block the writer), a busy timeout (writers wait for each other
instead of failing), foreign keys on. Write transactions start with BEGIN IMMEDIATE: they
take the write lock at the start and wait for it (busy timeout), rather than failing with
"database is locked" when a transaction that has read an older snapshot tries to write.
A request with an unsafe method (POST …), a CLI command or a job declares its intent to
write with `writing()`.

A view whose writes are guarded by an optimistic check (a version column, a unique key) is
marked `lock_at_first_write`: its request keeps pysqlite's own behaviour, reads outside any
transaction and a BEGIN just before the first INSERT/UPDATE/DELETE, so the write lock is
held from the first write to the commit, not through the request's reads (issue 13's
surge). That transaction's first statement is a write, so waiting for the lock is the busy
timeout's ordinary retry: no read snapshot is upgraded, so no SQLITE_BUSY_SNAPSHOT. What
such a view read before its first write may be stale by then: only its optimistic check
may rely on it (docs/reporting.md, "No lost work").
"""

import contextlib
import contextvars
import sqlite3

from sqlalchemy import any_, bindparam, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "tracker_write_intent", default=False
)


def declare_write_intent(value: bool = True) -> contextvars.Token:
    return _write_intent.set(value)


def reset_write_intent(token: contextvars.Token) -> None:
    _write_intent.reset(token)


def lock_at_first_write(view):
    """Mark a view (under its route decorator) whose request takes SQLite's write lock at
    its first write instead of at BEGIN (the module's docstring says when that is safe)."""
    view.tracker_lock_at_first_write = True
    return view


def locks_at_first_write(view) -> bool:
    return getattr(view, "tracker_lock_at_first_write", False)


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


# Rows SQLite samples per index when it refreshes its statistics; 0: every row. A sample of
# 1,000 recorded "about 1,000 rows per key" for the low-variety leading columns (a report's
# state, its period) whatever the truth (779,557 accepted reports), so the planner took
# those indexes for selective ones (issue 13: the API's task list read every accepted
# report). A full ANALYZE of the province takes ≈ 1.2 s, and runs only when a table grew.
ANALYSIS_LIMIT = 0
GROWTH = 1.1  # a table is analysed again once it holds 10 % more rows than when last analysed


def _grown_tables(session) -> list[str] | None:
    """The tables to analyse again: those that grew by GROWTH (or that have rows and no
    statistics) since the last ANALYZE, judged by max(rowid) — the index answers it at
    once, where count(*) would read the table — against the row count ANALYZE stored in
    sqlite_stat1 (max(rowid) over-counts a table with gaps in its ids, such as task_pace
    keyed by task: such a table is analysed more often than needed, cheaply). None when
    there are no statistics at all (analyse everything). A table with rows and an index
    the statistics do not know yet (one a migration added) is analysed too. Five statements."""
    has_stats = session.execute(
        text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    ).first()
    if not has_stats:
        return None
    analysed: dict[str, int] = {}
    for table, stat in session.execute(text("SELECT tbl, stat FROM sqlite_stat1")):
        rows = int((stat or "0").split()[0])
        analysed[table] = max(analysed.get(table, 0), rows)
    schema = session.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ).all()
    virtual = [name for name, sql in schema if (sql or "").startswith("CREATE VIRTUAL")]
    tables = [
        name
        for name, sql in schema
        if name not in virtual
        and "WITHOUT ROWID" not in (sql or "").upper()
        and not any(name.startswith(f"{v}_") for v in virtual)  # a full-text index's own
    ]
    if not tables:
        return []
    # an index added since (a migration) has no statistics until its table is analysed
    unstudied = {
        table
        for (table,) in session.execute(
            text(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name NOT IN "
                "(SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
            )
        )
    }
    counts = " UNION ALL ".join(f"SELECT '{t}', max(rowid) FROM \"{t}\"" for t in tables)
    return [
        table
        for table, top in session.execute(text(counts))
        if top and (table not in analysed or table in unstudied or top > analysed[table] * GROWTH)
    ]


def refresh_statistics(session, force: bool = False) -> bool:
    """Keep the query planner's statistics current on SQLite (PostgreSQL's autovacuum does
    this by itself): ANALYZE (ANALYSIS_LIMIT: every row) of the
    tables that grew by 10 % since they were last analysed (as PostgreSQL's
    autovacuum_analyze_scale_factor) — everything when there are no statistics yet or with
    `force`. A full ANALYZE takes about 1.2 s at province scale, where a day adds well under
    10 % to any large table: most days only the check runs (three statements). Without
    statistics SQLite picked a worse index for the office's open task counts (issue 13).
    (`PRAGMA optimize` alone would do nothing here: before SQLite 3.46 it analyses only the
    tables the same connection has queried.) Run once a day after the alert sweep, outside
    its transaction. True when an ANALYZE ran."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    grown = None if force else _grown_tables(session)
    if grown == []:
        session.commit()  # ends the check's read transaction
        return False
    session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    if grown is None:
        session.execute(text("ANALYZE"))
    else:
        for table in grown:
            session.execute(text(f'ANALYZE "{table}"'))
    session.commit()
    return True


def dialect_insert(table, session):
    """An INSERT for the session's database (SQLite or PostgreSQL), so that callers can add
    `.on_conflict_do_nothing(…)`: the one place that knows both dialects' insert."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def among(column, values, session):
    """`column IN values` for a long list of ids. On PostgreSQL one array parameter
    (`column = ANY(%s::INTEGER[])`): an IN list binds, casts and parses one placeholder per
    value, ≈ 6 ms for a thousand ids (issue 13: the reporting overview binds ≈ 1,000 task
    ids), and its statement is compiled anew for every length. Elsewhere the IN list."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
