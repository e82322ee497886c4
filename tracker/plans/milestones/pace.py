"""Keeping each open task's pace (序时进度) in `task_pace` (issue 13, docs/milestones.md).

`refresh_pace(day, task_ids)` computes, for open tasks, the expected percent on `day`
(rules.expected_percent: milestones, else linear) and the lead unit's newest submitted or
accepted percent (one aggregate statement: a GROUP BY over the lead units' reports, the
newest period then revision winning), and upserts them; rows of tasks no longer open go.
Called for one task when a report of its lead unit is returned, when its milestones change
and when its lead unit changes, and for all by `flask pace refresh`. A report of the lead
unit submitted or accepted goes through `note_reported` (one UPDATE when the task has its
row, else the same one-task refresh).
The daily alert sweep calls `refresh_pace_daily(day)`: the same rows, written only where
they changed, the reports read only for tasks without a row (docs/milestones.md). The
readers (queries.behind_pace, pace_list) compare the two in SQL.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    column,
    delete,
    exists,
    func,
    or_,
    select,
    table,
    update,
)

from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.plans.intake import task_reassigned
from tracker.plans.milestones import rules
from tracker.plans.milestones.models import Milestone, TaskPace
from tracker.plans.models import OPEN_STATUSES, Plan, Task
from tracker.timeutil import today as local_today

_REPORT = table(
    "progress_report",
    column("task_id"),
    column("unit_id"),
    column("period_id"),
    column("revision"),
    column("state"),
    column("percent"),
    column("id"),
)
_PERIOD = table("reporting_period", column("id"), column("year"), column("month"))
REPORTED = ("submitted", "accepted")  # tracker.reports.models.ReportState values
_REVISIONS, _PERCENT, _NO_PERCENT = 1000, 1000, 999  # newest_percents' packing


def newest_percents(task_ids: list[int] | None) -> dict[int, int | None]:
    """{task id: percent of its lead unit's newest submitted or accepted report} of the open
    tasks (those of `task_ids` when given): ONE aggregate statement. Each report's rank —
    its period's ordinal (year·12 + month), then its revision — and its percent are packed
    in one integer, so that a GROUP BY's max() picks the newest report and carries its
    percent (the last three digits; 999 for a report without one)."""
    ordinal = cast(_PERIOD.c.year * 12 + _PERIOD.c.month, BigInteger)  # int8 on PostgreSQL
    packed = (ordinal * _REVISIONS + _REPORT.c.revision) * _PERCENT + func.coalesce(
        _REPORT.c.percent, _NO_PERCENT
    )
    query = (
        select(_REPORT.c.task_id, func.max(packed))
        .join(_PERIOD, _PERIOD.c.id == _REPORT.c.period_id)
        .join(Task, and_(Task.id == _REPORT.c.task_id, Task.lead_unit_id == _REPORT.c.unit_id))
        .where(_REPORT.c.state.in_(REPORTED), Task.status.in_(OPEN_STATUSES))
        .group_by(_REPORT.c.task_id)
    )
    if task_ids is not None:
        query = query.where(_REPORT.c.task_id.in_(task_ids))
    found = {}
    for task_id, newest in db.session.execute(query):
        percent = int(newest) % _PERCENT
        found[task_id] = None if percent == _NO_PERCENT else percent
    return found


def _open_tasks(ids: list[int] | None) -> tuple[list, dict[int, list]]:
    """The open tasks (of `ids` when given) with their plan's start, and {task id: [(due,
    percent), …]} of their milestones: two statements whatever the number of tasks."""
    query = (
        select(Task.id, Task.due_date, Plan.period_start, Plan.issued_on)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Task.status.in_(OPEN_STATUSES))
    )
    if ids is not None:
        query = query.where(Task.id.in_(ids))
    tasks = db.session.execute(query).all()
    points: dict[int, list] = defaultdict(list)
    if not tasks:
        return tasks, points
    m_query = select(Milestone.task_id, Milestone.due_date, Milestone.expected_percent).join(
        Task, Task.id == Milestone.task_id
    )
    m_query = m_query.where(
        Task.status.in_(OPEN_STATUSES)
        if ids is None
        else Milestone.task_id.in_([t.id for t in tasks])
    )
    for task_id, due, percent in db.session.execute(m_query):
        points[task_id].append((due, percent))
    return tasks, points


def _expected(task, points: dict[int, list], day: date) -> int | None:
    return rules.expected_percent(
        task.period_start or task.issued_on, task.due_date, points[task.id], day
    )


def compute_pace(day: date, task_ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """{task id: (expected, reported)} of the open tasks (of `task_ids` when given) on `day`
    by the pure rule: three statements (tasks with their plan's start, the newest percents,
    the milestones' points) whatever the number of tasks."""
    ids = None if task_ids is None else sorted(set(task_ids))
    if ids == []:
        return {}
    tasks, points = _open_tasks(ids)
    if not tasks:
        return {}
    percents = newest_percents(None if ids is None else [t.id for t in tasks])
    return {t.id: (_expected(t, points, day), percents.get(t.id)) for t in tasks}


def _upsert(rows: list[dict]) -> None:
    if not rows:
        return
    stmt = dialect_insert(TaskPace, db.session)
    stmt = stmt.on_conflict_do_update(
        index_elements=[TaskPace.task_id],
        set_={
            "expected_percent": stmt.excluded.expected_percent,
            "reported_percent": stmt.excluded.reported_percent,
            "computed_on": stmt.excluded.computed_on,
        },
    )
    db.session.execute(stmt, rows)  # one executemany (batched VALUES by SQLAlchemy)


def refresh_pace(day: date | None = None, task_ids: Iterable[int] | None = None) -> int:
    """Store the pace on `day` (today by default) of the open tasks of `task_ids`, or of all
    open tasks when None, and delete the rows of those (or all) tasks no longer open.
    Returns the number of rows written. Runs in the caller's transaction (no commit)."""
    day = day or local_today()
    ids = None if task_ids is None else sorted(set(task_ids))
    if ids == []:
        return 0
    pace = compute_pace(day, ids)
    gone = delete(TaskPace).where(
        TaskPace.task_id.not_in(select(Task.id).where(Task.status.in_(OPEN_STATUSES)))
    )
    if ids is not None:
        gone = gone.where(TaskPace.task_id.in_(ids))
    db.session.execute(gone.execution_options(synchronize_session=False))
    _upsert(
        [
            {
                "task_id": task_id,
                "expected_percent": expected,
                "reported_percent": reported,
                "computed_on": day,
            }
            for task_id, (expected, reported) in pace.items()
        ]
    )
    return len(pace)


FEW_NEW = 500  # above this many tasks without a row, one GROUP BY over every open task


def refresh_pace_daily(day: date) -> int:
    """The daily sweep's refresh (incremental): the rows stay equal to `compute_pace(day)`
    while only what changed is written. What moves from day to day is the expected percent
    (the date advances along a task's points), recomputed here for every open task by the
    rule — two light statements and pure Python, no report read. The reported percent
    changes only when a report of the lead unit is submitted, accepted or returned, or the
    lead unit changes, and each of those refreshes its task at once (refresh_task_pace); so
    the newest percents (the costly GROUP BY over the reports) are read only for the open
    tasks without a row (newly assigned or reopened). Rows of tasks no longer open go; rows
    whose two figures did not change are not written (their `computed_on` stays the day they
    were last written). `flask pace refresh` recomputes every row (refresh_pace).
    Returns the number of rows written."""
    stored = {
        task_id: (expected, reported)
        for task_id, expected, reported in db.session.execute(
            select(TaskPace.task_id, TaskPace.expected_percent, TaskPace.reported_percent)
        )
    }
    tasks, points = _open_tasks(None)
    new_ids = [t.id for t in tasks if t.id not in stored]
    percents: dict[int, int | None] = {}
    if new_ids:
        percents = newest_percents(None if len(new_ids) > FEW_NEW else new_ids)
    open_ids = set()
    rows = []
    for task in tasks:
        open_ids.add(task.id)
        expected = _expected(task, points, day)
        old = stored.get(task.id)
        reported = percents.get(task.id) if old is None else old[1]
        if old != (expected, reported):
            rows.append(
                {
                    "task_id": task.id,
                    "expected_percent": expected,
                    "reported_percent": reported,
                    "computed_on": day,
                }
            )
    if any(task_id not in open_ids for task_id in stored):
        gone = delete(TaskPace).where(
            TaskPace.task_id.not_in(select(Task.id).where(Task.status.in_(OPEN_STATUSES)))
        )
        db.session.execute(gone.execution_options(synchronize_session=False))
    _upsert(rows)
    return len(rows)


def refresh_task_pace(task_id: int) -> None:
    """One task's pace today (a report of its lead unit, its milestones or its lead unit
    changed): five statements."""
    refresh_pace(local_today(), [task_id])


def note_reported(
    task_id: int, unit_id: int, year: int, month: int, revision: int, percent: int | None
) -> None:
    """A report (task, unit, period year/month, revision) has just become submitted or
    accepted. When the unit is the open task's lead unit and the task has its row, ONE
    UPDATE: the row's reported percent becomes the report's, unless a report of that unit
    counted (submitted or accepted) is newer — in a later period, or a later revision of
    the same one (newest_percents' order) — which the row already holds (its writers keep
    it, as refresh_pace_daily relies on). The expected percent does not depend on reports
    and stays as the daily sweep left it. When the UPDATE touches no row (no row yet, the
    task not open, or the unit not its lead), the full one-task refresh (refresh_task_pace,
    five statements) decides. Runs in the caller's transaction."""
    ordinal = _PERIOD.c.year * 12 + _PERIOD.c.month
    mine = year * 12 + month
    newer = exists().where(
        _REPORT.c.task_id == task_id,
        _REPORT.c.unit_id == unit_id,
        _REPORT.c.state.in_(REPORTED),
        _PERIOD.c.id == _REPORT.c.period_id,
        or_(ordinal > mine, and_(ordinal == mine, _REPORT.c.revision > revision)),
    )
    lead_and_open = exists().where(
        Task.id == task_id, Task.lead_unit_id == unit_id, Task.status.in_(OPEN_STATUSES)
    )
    result = db.session.execute(
        update(TaskPace)
        .where(TaskPace.task_id == task_id, lead_and_open)
        .values(reported_percent=case((newer, TaskPace.reported_percent), else_=percent))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        refresh_task_pace(task_id)


def _on_reassigned(task, **_extra) -> None:
    refresh_task_pace(task.id)


def connect() -> None:
    """A reassigned task's pace follows its new lead unit's reports at once."""
    task_reassigned.connect(_on_reassigned)
