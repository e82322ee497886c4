"""What the dashboard counts over every task, kept between requests while nothing it counts
has changed (issue 13).

The dashboard's task figures — each plan's and section's tasks by light and status, the
units leading red tasks, every unit's name and successor — depend on the task, milestone,
plan, section and unit rows, and on the lights' two due-date boundaries of the day
(plans.light_sql: the day, the working calendar, the warning window). At province scale
counting them costs 30–40 ms of every dashboard load; they change a few times a day.

So every commit that writes one of those rows gives a stamp (`dashboard_stamp`, one row)
a new random value, in the same transaction as the write: the session's hooks below see the ORM's
flushes and the INSERT/UPDATE/DELETE statements run through the session. A page reads the
stamp first (one statement) and takes the figures this process counted under the same
stamp and boundaries, else counts them and keeps them (a few per process, on the app).
Read before counting, the stamp can only be older than the figures kept under it, never
newer: a write committed meanwhile moves it, and the next page counts again. Random, not a
counter: a database restored from a backup, or emptied and filled again, never brings back
a stamp under which other figures were kept (a counter would repeat its numbers). Reports,
alerts and scorecards are not watched: a liaison's submission during the deadline surge
never touches the stamp (the behind-pace figure, and the punctuality of a month not yet
stored final, follow reports: read live). The punctuality the sweep stores is watched too:
kept while every month shown is stored, until the next sweep writes it. A write that
bypasses the session (a raw connection) must call `touch`.
tests/scoring/test_dashboard_figures.py checks the kept figures equal freshly counted ones
after each kind of write.
"""

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.dashboard.models import FiguresStamp, PunctualityMonth, PunctualityTally
from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task
from tracker.units.models import Unit

# the tasks' figures, and the punctuality of the months the sweep stored
WATCHED = (Task, Milestone, Plan, Section, Unit, PunctualityMonth, PunctualityTally)
WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
CHANGED = "dashboard_figures_changed"  # session.info: a watched row was written
KEPT = 8  # figures kept per process (a few kinds × the last stamps)
STORE = "dashboard_figures"  # app.extensions


# --- the stamp --------------------------------------------------------------------------


def touch(session) -> None:
    """Say that this transaction wrote a watched row (the commit moves the stamp)."""
    session.info[CHANGED] = True


def _watched(objects) -> bool:
    return any(isinstance(obj, WATCHED) for obj in objects)


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


HOOKS = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _do_orm_execute),
    ("before_commit", _before_commit),
    ("after_rollback", _after_rollback),
)


def connect() -> None:
    """Watch every session's writes (once per process, however many apps it creates)."""
    for name, hook in HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def stamp() -> int | None:
    """The stamp now (None on a database without its row: nothing is kept then)."""
    return db.session.scalar(select(FiguresStamp.version).where(FiguresStamp.id == 1))


# --- the figures kept -------------------------------------------------------------------


def kept(kind: str, key: Hashable, count: Callable[[], object]):
    """The figures of `kind` for `key` (what they depend on besides the watched rows),
    counted by `count()` unless this process kept them under the current stamp."""
    if not has_app_context() or db.session.info.get(CHANGED):
        return count()  # this transaction wrote: its figures are not the committed ones
    now = stamp()
    if now is None:
        return count()
    store: OrderedDict = current_app.extensions.setdefault(STORE, OrderedDict())
    full_key = (kind, now, key)
    if full_key in store:
        store.move_to_end(full_key)
        return store[full_key]
    figures = count()
    if db.session.info.get(CHANGED):  # counting flushed this transaction's own writes
        return figures
    store[full_key] = figures
    while len(store) > KEPT:
        store.popitem(last=False)
    return figures


def forget() -> None:
    """Drop what this process kept (tests, and a restore from a backup)."""
    if has_app_context():
        current_app.extensions.pop(STORE, None)
