"""What the reporting-load pages show (read models, constant statements): the load table,
one unit's overlapping tasks, and the linked tasks on the task page (docs/reporting-load.md)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.accounts.permissions import unit_scope
from tracker.extensions import db
from tracker.kept import kept
from tracker.plans.models import OPEN_STATUSES, Task, TaskCoUnit, TaskStatus
from tracker.plans.permissions import task_filter
from tracker.reports.load import rules
from tracker.reports.load.models import TaskLink
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.permissions import report_filter
from tracker.timeutil import local_day_bounds
from tracker.units.models import Unit

SORTS = ("load", "name")
# a task still to do: not closed, not withdrawn (pending tasks are work coming to the unit)
UNFINISHED = (TaskStatus.PENDING.value, *OPEN_STATUSES)


@dataclass
class LoadRow:
    unit: Unit
    owed: list[int]  # tasks answered for, per month of the window (oldest first)
    filed: list[int]  # reports filed (submitted at least once), per month

    @property
    def total(self) -> int:
        return sum(self.owed)


@dataclass
class LoadPage:
    months: list[tuple[int, int]]
    rows: list[LoadRow]
    page: int
    pages: int
    total: int
    sort: str


def _answering_rows(since):
    """(unit, closed_at) once per task a unit answers for, as lead and as co-unit, among the
    tasks that can owe a report in the window: open ones (closed_at NULL here) and those
    closed since `since`. Four narrow branches, each served by an index on task status (an
    OR of the two kinds, or the whole task table, made the database read every task row)."""
    cases = (
        (Task.status.in_(OPEN_STATUSES), cast(null(), Task.closed_at.type)),
        (and_(Task.status == TaskStatus.CLOSED.value, Task.closed_at >= since), Task.closed_at),
    )
    branches = []
    for condition, closed_at in cases:
        branches.append(
            select(Task.lead_unit_id.label("unit_id"), closed_at.label("closed_at")).where(
                condition
            )
        )
        branches.append(
            select(TaskCoUnit.unit_id.label("unit_id"), closed_at.label("closed_at"))
            .join(Task, Task.id == TaskCoUnit.task_id)
            .where(condition)
        )
    return union_all(*branches).subquery("answering")


def _owes_in(rows, year: int, month: int):
    """A task a unit answers for owes the month's report when it is assigned or in progress
    (closed_at NULL in `_answering_rows`), or was closed on or after the month's first day
    (Beijing time)."""
    start = local_day_bounds(date(year, month, 1))[0]
    return or_(rows.c.closed_at.is_(None), rows.c.closed_at >= start)


def load_page(today: date, page: int, per_page: int, sort: str = "load") -> LoadPage:
    """A page of units with the tasks they answer for per month, heaviest first (or by
    name), and the reports they filed in those months. The order and the tasks per month of
    every unit are one GROUP BY, kept by each process while no task, co-unit or unit changes
    (tracker.kept: a submission does not move them); then the page's units and their filed
    reports. Two statements, three when the order is counted."""
    months = rules.load_months(today)
    ordered = kept("reporting_load", (tuple(months), sort), lambda: _ordered_load(months, sort))
    count = len(ordered)
    pages = max(1, -(-count // per_page))
    page = min(max(page, 1), pages)
    shown = ordered[(page - 1) * per_page : page * per_page]
    units = {
        u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_([i for i, _c in shown])))
    }
    filed = _filed(months, [i for i, _c in shown])
    result = [
        LoadRow(
            units[unit_id],
            list(cells),
            [filed.get((unit_id, y, m), 0) for y, m in months],
        )
        for unit_id, cells in shown
        if unit_id in units
    ]
    return LoadPage(months, result, page, pages, count, sort)


def _ordered_load(months, sort: str) -> list[tuple[int, tuple[int, ...]]]:
    """(unit id, tasks answered for per month of `months`) of every unit, in the page's
    order: one statement."""
    # a task owes nothing in the window unless it is open or was closed in it
    rows = _answering_rows(local_day_bounds(date(*months[0], 1))[0])
    per_month = [
        func.sum(case((_owes_in(rows, y, m), 1), else_=0)).label(f"m{i}")
        for i, (y, m) in enumerate(months)
    ]
    load = select(rows.c.unit_id, *per_month).group_by(rows.c.unit_id).subquery("load")
    cells = [func.coalesce(getattr(load.c, f"m{i}"), 0) for i in range(len(months))]
    total = sum(cells[1:], cells[0]) if cells else literal(0)
    order = (Unit.name, Unit.id) if sort == "name" else (total.desc(), Unit.name, Unit.id)
    return [
        (row[0], tuple(int(v or 0) for v in row[1:]))
        for row in db.session.execute(
            select(Unit.id, *cells).outerjoin(load, load.c.unit_id == Unit.id).order_by(*order)
        )
    ]


def _filed(months, unit_ids) -> dict[tuple[int, int, int], int]:
    """{(unit, year, month): tasks the unit filed a report on (submitted at least once)}."""
    if not unit_ids or not months:
        return {}
    rows = db.session.execute(
        select(
            ProgressReport.unit_id,
            ReportingPeriod.year,
            ReportingPeriod.month,
            func.count(ProgressReport.task_id.distinct()),
        )
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .where(
            ProgressReport.unit_id.in_(unit_ids),
            ProgressReport.state != ReportState.DRAFT.value,
            # the months named one by one: the database then reckons with six periods
            # (a range over year * 100 + month it reckoned as one, and read every report
            # of those periods instead of the units' own)
            or_(*(and_(ReportingPeriod.year == y, ReportingPeriod.month == m) for y, m in months)),
        )
        .group_by(ProgressReport.unit_id, ReportingPeriod.year, ReportingPeriod.month)
    ).all()
    return {(u, y, m): n for u, y, m, n in rows}


@dataclass
class Overlaps:
    unit: Unit
    tasks: dict[int, Task]
    pairs: list[tuple[Task, Task, int]]
    group_of: dict[int, int]  # task id -> its link group
    truncated: bool = False


def unit_overlaps(unit: Unit) -> Overlaps:
    """The unit's unfinished tasks (lead or co-unit, at most rules.MAX_OVERLAP_TASKS) whose
    titles are similar across plans, as pairs, and the link groups they are in. Two
    statements."""
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.status.in_(UNFINISHED), task_filter({unit.id}))
            .options(joinedload(Task.plan))
            .order_by(Task.plan_id, Task.number, Task.id)
            .limit(rules.MAX_OVERLAP_TASKS + 1)
        ).all()
    )
    truncated = len(tasks) > rules.MAX_OVERLAP_TASKS
    tasks = tasks[: rules.MAX_OVERLAP_TASKS]
    by_id = {t.id: t for t in tasks}
    pairs = rules.overlapping_pairs([(t.id, t.plan_id, t.title) for t in tasks])
    group_of = _groups_of(list(by_id))
    return Overlaps(
        unit,
        by_id,
        [(by_id[a], by_id[b], score) for a, b, score in pairs],
        group_of,
        truncated,
    )


def _groups_of(task_ids) -> dict[int, int]:
    if not task_ids:
        return {}
    return dict(
        db.session.execute(
            select(TaskLink.task_id, TaskLink.group_id).where(TaskLink.task_id.in_(task_ids))
        ).all()
    )


@dataclass
class LinkedPanel:
    group_id: int | None = None
    tasks: list[Task] = field(default_factory=list)  # the other tasks the user may see
    reports: list[ProgressReport] = field(default_factory=list)  # filed on the group, newest first


LINKED_REPORTS = 24  # the newest reports filed on a group shown on the task page


def linked_panel(task: Task, user: User) -> LinkedPanel:
    """The task page's linked tasks (一报多用): the other tasks of its group the user may see
    (a liaison: its unit scope's only) and the reports filed on any task of the group that
    the user may read, newest month first. Constant statements (none more for a big group)."""
    group_id = db.session.scalar(select(TaskLink.group_id).where(TaskLink.task_id == task.id))
    if group_id is None:
        return LinkedPanel()
    scope = unit_scope(user)
    members = select(TaskLink.task_id).where(TaskLink.group_id == group_id)
    others = list(
        db.session.scalars(
            select(Task)
            .where(Task.id.in_(members), Task.id != task.id, task_filter(scope))
            .options(joinedload(Task.plan))
            .order_by(Task.plan_id, Task.number)
        ).all()
    )
    reports = list(
        db.session.scalars(
            select(ProgressReport)
            .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
            .where(
                ProgressReport.task_id.in_(members),
                ProgressReport.state != ReportState.DRAFT.value,
                report_filter(scope),
            )
            .options(
                joinedload(ProgressReport.unit),
                joinedload(ProgressReport.period),
                joinedload(ProgressReport.task).joinedload(Task.plan),
            )
            .order_by(
                ReportingPeriod.year.desc(),
                ReportingPeriod.month.desc(),
                ProgressReport.task_id,
                ProgressReport.revision.desc(),
            )
            .limit(LINKED_REPORTS)
        )
        .unique()
        .all()
    )
    return LinkedPanel(group_id, others, reports)
