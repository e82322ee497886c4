"""What the pages count over work that changes a few times a day, kept between requests by
each process while nothing it depends on has changed (issue 13).

Every commit that writes one of the WATCHED_TABLES gives a stamp (`dashboard_stamp`, one
row) a new random value, in the same transaction as the write: the session's hooks below
see the ORM's flushes and the INSERT/UPDATE/DELETE statements run through the session. A
reader takes the stamp first (one statement a transaction: it is kept on the session until
the transaction ends) and reuses what this process counted under the same stamp, else
counts and keeps it (`kept`: a few entries per kind, the least recently used go first).
Read before counting, the stamp can only be older than what is kept under it, never newer:
a write committed meanwhile moves it, and the next reader counts again. Random, not a
counter: a database restored from a backup, or emptied and filled again, never brings back
a stamp under which other figures were kept (a counter would repeat its numbers).

Readers:
- the leaders' dashboard (tracker.dashboard.figures): plans and sections by light and
  status, red units, the stored months' punctuality;
- a liaison's work (tracker.reports: the month page, its save and submission, the card
  they land on): the reorganised units' successors, the tasks the unit answers for, and
  the owed rule's inputs for the unit — its assignments, reassignments and their tasks'
  states, and the links between tasks. During the deadline surge every click asked for
  them again: kept, a loop (save, card, submit, card) runs 48 statements instead of 63;
- the office's pages: the reporting-load table's order and tasks per month
  (reports.load.queries), the unit menus and unit suggestions (units.forms), the
  reporting overview's unit directory (reports.queries).
Watched: tasks and what makes a unit answer for one (co-units, assignments, reassignments,
links between tasks), milestones, plans, sections, units, reporting periods, and the
punctuality the sweep stores. Not watched: reports, alerts, scorecards — a liaison's
submission never moves the stamp. A write that bypasses the session (a raw connection) must
call `touch`. tests/scoring/test_dashboard_figures.py and tests/reports/test_kept_work.py
check that each kind of write moves the stamp and that what is kept equals a fresh count.
"""

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, has_app_context
from sqlalchemy import BigInteger, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.database import dialect_insert
from tracker.extensions import db

WATCHED_TABLES = frozenset(
    {
        "task",
        "task_co_unit",
        "task_assignment",
        "task_unit_change",
        "task_link",
        "milestone",
        "plan",
        "section",
        "unit",
        "reporting_period",
        "dashboard_punctuality_month",
        "dashboard_punctuality",
    }
)
CHANGED = "kept_changed"  # session.info: a watched row was written
STAMP = "kept_stamp"  # session.info: the stamp read in this transaction
KEPT = 8  # entries kept per kind and process, unless the kind says otherwise
STORE = "kept"  # app.extensions: {kind: {(stamp, key): value}}


class FiguresStamp(db.Model):
    """One row: a random value that every commit writing a watched row replaces."""

    __tablename__ = "dashboard_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# --- the stamp --------------------------------------------------------------------------


def touch(session) -> None:
    """Say that this transaction wrote a watched row (the commit moves the stamp)."""
    session.info[CHANGED] = True


def _watched(objects) -> bool:
    return any(getattr(obj, "__tablename__", None) in WATCHED_TABLES for obj in objects)


def _after_flush(session, _context) -> None:
    # new/dirty/deleted still hold what this flush wrote; dirty is generous (an attribute
    # set to its own value counts): counting again is the only cost of a false alarm
    if _watched(session.new) or _watched(session.dirty) or _watched(session.deleted):
        touch(session)


def _do_orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            touch(state.session)


def _before_commit(session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush after this hook: flush first, then look
    if session.info.pop(CHANGED, False):
        stamp, version = FiguresStamp.__table__, secrets.randbits(62)
        session.execute(
            dialect_insert(stamp, session)
            .values(id=1, version=version)
            .on_conflict_do_update(index_elements=[stamp.c.id], set_={"version": version})
        )


def _after_rollback(session) -> None:
    session.info.pop(CHANGED, None)


def _after_transaction_end(session, _transaction) -> None:
    session.info.pop(STAMP, None)  # the next transaction reads the stamp again


HOOKS = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _do_orm_execute),
    ("before_commit", _before_commit),
    ("after_rollback", _after_rollback),
    ("after_transaction_end", _after_transaction_end),
)


def connect() -> None:
    """Watch every session's writes (once per process, however many apps it creates)."""
    for name, hook in HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def stamp() -> int | None:
    """The stamp now (None on a database without its row: nothing is kept then)."""
    return db.session.scalar(select(FiguresStamp.version).where(FiguresStamp.id == 1))


def _transaction_stamp() -> int | None:
    """The stamp, read once a transaction (the session forgets it when the transaction
    ends, so a commit of this request's own writes is seen by its next reader)."""
    info = db.session.info
    if STAMP not in info:
        info[STAMP] = stamp()
    return info[STAMP]


# --- what is kept -------------------------------------------------------------------------


def keeping() -> bool:
    """Whether `kept` keeps now: in an app, outside a transaction that wrote watched rows,
    on a database with its stamp (a reader may load more when it can keep it)."""
    return (
        has_app_context() and not db.session.info.get(CHANGED) and _transaction_stamp() is not None
    )


def kept(kind: str, key: Hashable, count: Callable[[], object], size: int = KEPT):
    """What `count()` gives for `kind` and `key` (what it depends on besides the watched
    rows), unless this process kept it under the current stamp. The value is shared by the
    requests that follow: callers must not change it. `size`: entries kept of this kind."""
    if not has_app_context() or db.session.info.get(CHANGED):
        return count()  # this transaction wrote: its figures are not the committed ones
    now = _transaction_stamp()
    if now is None:
        return count()
    kinds: dict = current_app.extensions.setdefault(STORE, {})
    store: OrderedDict = kinds.setdefault(kind, OrderedDict())
    full_key = (now, key)
    if full_key in store:
        store.move_to_end(full_key)
        return store[full_key]
    figures = count()
    if db.session.info.get(CHANGED):  # counting flushed this transaction's own writes
        return figures
    store[full_key] = figures
    while len(store) > size:
        store.popitem(last=False)
    return figures


def forget() -> None:
    """Drop what this process kept (tests, and a restore from a backup)."""
    if has_app_context():
        current_app.extensions.pop(STORE, None)
