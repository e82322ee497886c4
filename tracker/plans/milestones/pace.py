"""Keeping each open task's pace (序时进度) in `task_pace` (issue 13, docs/milestones.md).

`refresh_pace(day, task_ids)` computes, for open tasks, the expected percent on `day`
(rules.expected_percent: milestones, else linear) and the lead unit's newest submitted or
accepted percent (one aggregate statement: a GROUP BY over the lead units' reports, the
newest period then revision winning), and upserts them; rows of tasks no longer open go.
Called by the daily alert sweep (all open tasks) and for one task when a report of its lead
unit is submitted, accepted or returned, when its milestones change and when its lead unit
changes. The readers (queries.behind_pace, pace_list) compare the two in SQL.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import BigInteger, and_, cast, column, delete, func, select, table

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


def compute_pace(day: date, task_ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """{task id: (expected, reported)} of the open tasks (of `task_ids` when given) on `day`
    by the pure rule: three statements (tasks with their plan's start, the newest percents,
    the milestones' points) whatever the number of tasks."""
    ids = None if task_ids is None else sorted(set(task_ids))
    if ids == []:
        return {}
    query = (
        select(Task.id, Task.due_date, Plan.period_start, Plan.issued_on)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Task.status.in_(OPEN_STATUSES))
    )
    if ids is not None:
        query = query.where(Task.id.in_(ids))
    tasks = db.session.execute(query).all()
    if not tasks:
        return {}
    open_ids = None if ids is None else [t.id for t in tasks]
    percents = newest_percents(open_ids)
    points = defaultdict(list)
    m_query = select(Milestone.task_id, Milestone.due_date, Milestone.expected_percent).join(
        Task, Task.id == Milestone.task_id
    )
    m_query = m_query.where(
        Task.status.in_(OPEN_STATUSES) if open_ids is None else Milestone.task_id.in_(open_ids)
    )
    for task_id, due, percent in db.session.execute(m_query):
        points[task_id].append((due, percent))
    return {
        t.id: (
            rules.expected_percent(t.period_start or t.issued_on, t.due_date, points[t.id], day),
            percents.get(t.id),
        )
        for t in tasks
    }


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


def refresh_task_pace(task_id: int) -> None:
    """One task's pace today (a report of its lead unit, its milestones or its lead unit
    changed): five statements."""
    refresh_pace(local_today(), [task_id])


def _on_reassigned(task, **_extra) -> None:
    refresh_task_pace(task.id)


def connect() -> None:
    """A reassigned task's pace follows its new lead unit's reports at once."""
    task_reassigned.connect(_on_reassigned)
