"""What the reporting pages show (read models, no writes): a liaison's month, a task's
reports, the office's review queue and the month's overview."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import unit_scope
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.models import OPEN_STATUSES, Task, TaskCoUnit
from tracker.plans.permissions import task_filter
from tracker.reports import rules
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.periods import previous_month
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit
from tracker.units.rules import final_successor


@dataclass
class MonthRow:
    """One task on the liaison's month page."""

    task: Task
    role: str  # "lead" or "co"
    report: ProgressReport | None
    last: ProgressReport | None  # last month's latest report of this unit
    co_reports: list[ProgressReport] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.report.state if self.report else "not_started"


def latest_by_task_unit(reports) -> dict[tuple[int, int], ProgressReport]:
    """The highest revision per (task, unit)."""
    latest: dict[tuple[int, int], ProgressReport] = {}
    for report in reports:
        key = (report.task_id, report.unit_id)
        if key not in latest or report.revision > latest[key].revision:
            latest[key] = report
    return latest


def _reports_for(period_id: int, where) -> list[ProgressReport]:
    return list(
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.period_id == period_id, where)
            .options(selectinload(ProgressReport.attachments), joinedload(ProgressReport.unit))
        )
        .unique()
        .all()
    )


def month_rows(user: User, period: ReportingPeriod) -> list[MonthRow]:
    """Every open task of the liaison's unit for the period, with its report, last month's
    report (for "no change") and, on lead tasks, the co-units' parts. Constant queries."""
    scope = unit_scope(user)
    tasks = (
        db.session.scalars(
            select(Task)
            .where(task_filter(scope), Task.status.in_(OPEN_STATUSES))
            .options(
                joinedload(Task.plan),
                joinedload(Task.lead_unit),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
            .order_by(Task.plan_id, Task.number)
        )
        .unique()
        .all()
    )
    if not tasks:
        return []
    task_ids = [t.id for t in tasks]
    mine = latest_by_task_unit(
        _reports_for(
            period.id,
            and_(ProgressReport.unit_id == user.unit_id, ProgressReport.task_id.in_(task_ids)),
        )
    )
    last_year, last_month = previous_month(period.year, period.month)
    last_period_id = db.session.scalar(
        select(ReportingPeriod.id).where(
            ReportingPeriod.year == last_year, ReportingPeriod.month == last_month
        )
    )
    last = (
        latest_by_task_unit(
            db.session.scalars(
                select(ProgressReport).where(
                    ProgressReport.period_id == last_period_id,
                    ProgressReport.unit_id == user.unit_id,
                    ProgressReport.task_id.in_(task_ids),
                )
            ).all()
        )
        if last_period_id
        else {}
    )
    lead_ids = [t.id for t in tasks if t.lead_unit_id in scope]
    co_parts: dict[int, list[ProgressReport]] = defaultdict(list)
    if lead_ids:
        others = _reports_for(
            period.id,
            and_(ProgressReport.task_id.in_(lead_ids), ProgressReport.unit_id != user.unit_id),
        )
        for report in latest_by_task_unit(others).values():
            co_parts[report.task_id].append(report)
    return [
        MonthRow(
            task=t,
            role="lead" if t.lead_unit_id in scope else "co",
            report=mine.get((t.id, user.unit_id)),
            last=last.get((t.id, user.unit_id)),
            co_reports=sorted(co_parts.get(t.id, []), key=lambda r: r.unit.code),
        )
        for t in tasks
    ]


def revisions(report: ProgressReport) -> list[ProgressReport]:
    return list(
        db.session.scalars(
            select(ProgressReport)
            .where(
                ProgressReport.task_id == report.task_id,
                ProgressReport.unit_id == report.unit_id,
                ProgressReport.period_id == report.period_id,
            )
            .order_by(ProgressReport.revision)
        ).all()
    )


def task_reports(task: Task, user: User) -> list[ProgressReport]:
    """The reports on a task the user may read: all for office, leader and admin; for a
    liaison its own unit's, and the co-units' parts when its unit leads. Newest first."""
    query = (
        select(ProgressReport)
        .where(ProgressReport.task_id == task.id)
        .options(joinedload(ProgressReport.unit), joinedload(ProgressReport.period))
        .order_by(
            ProgressReport.period_id.desc(), ProgressReport.unit_id, ProgressReport.revision.desc()
        )
    )
    if user.has_role(Role.LIAISON):
        scope = unit_scope(user)
        if task.lead_unit_id not in scope:
            query = query.where(ProgressReport.unit_id == user.unit_id)
    return list(db.session.scalars(query).unique().all())


@dataclass
class QueueFilters:
    plan_id: int | None = None
    unit_id: int | None = None
    state: str | None = ReportState.SUBMITTED.value
    light: str | None = None
    period_id: int | None = None


def review_queue(filters: QueueFilters, today: date, limit: int = 200) -> list[dict]:
    """Reports for the office's review, oldest submission first, with their light.
    Constant queries whatever the number of reports."""
    query = (
        select(ProgressReport)
        .join(Task, Task.id == ProgressReport.task_id)
        .options(
            joinedload(ProgressReport.task).joinedload(Task.plan),
            joinedload(ProgressReport.unit),
            joinedload(ProgressReport.period),
            selectinload(ProgressReport.attachments),
        )
        .order_by(
            ProgressReport.submitted_at.is_(None), ProgressReport.submitted_at, ProgressReport.id
        )
    )
    if filters.state:
        query = query.where(ProgressReport.state == filters.state)
    if filters.plan_id:
        query = query.where(Task.plan_id == filters.plan_id)
    if filters.unit_id:
        query = query.where(ProgressReport.unit_id == filters.unit_id)
    if filters.period_id:
        query = query.where(ProgressReport.period_id == filters.period_id)
    reports = db.session.scalars(query.limit(limit)).unique().all()
    calendar = load_calendar()
    rows = []
    for report in reports:
        submitted_on = rules.local_date(report.submitted_at, LOCAL_TZ)
        light = rules.report_light(
            report.state,
            report.period.due_date,
            submitted_on,
            today,
            calendar.workdays_between(today, report.period.due_date),
        )
        if filters.light and light != filters.light:
            continue
        rows.append(
            {
                "report": report,
                "light": light,
                "late": rules.is_late(submitted_on, report.period.due_date),
            }
        )
    return rows


def unit_choices() -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.code))]


def period_overview(period: ReportingPeriod, today: date) -> list[dict]:
    """Per unit: reports expected this period (one per open task where the unit, or a unit
    it succeeded, is lead or co-unit), and how many are in, accepted, returned, late, missing.
    Constant queries."""
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    successor_of = {u.id: u.successor_id for u in units}

    def current(unit_id):
        return final_successor(unit_id, successor_of)

    expected: dict[int, set[int]] = defaultdict(set)
    open_tasks = select(Task.id).where(Task.status.in_(OPEN_STATUSES))
    for task_id, unit_id in db.session.execute(
        select(Task.id, Task.lead_unit_id).where(Task.status.in_(OPEN_STATUSES))
    ).all():
        expected[current(unit_id)].add(task_id)
    for task_id, unit_id in db.session.execute(
        select(TaskCoUnit.task_id, TaskCoUnit.unit_id).where(TaskCoUnit.task_id.in_(open_tasks))
    ).all():
        expected[current(unit_id)].add(task_id)
    reports = latest_by_task_unit(
        db.session.scalars(
            select(ProgressReport).where(ProgressReport.period_id == period.id)
        ).all()
    )
    rows = []
    for unit in units:
        tasks = expected.get(unit.id)
        if not tasks:
            continue
        counts = dict.fromkeys(("draft", "submitted", "returned", "accepted"), 0)
        late = 0
        for task_id in tasks:
            report = reports.get((task_id, unit.id))
            if report is None:
                continue
            counts[report.state] += 1
            if rules.is_late(rules.local_date(report.submitted_at, LOCAL_TZ), period.due_date):
                late += 1
        received = counts["submitted"] + counts["accepted"]
        missing = len(tasks) - received if today > period.due_date else 0
        rows.append(
            {
                "unit": unit,
                "expected": len(tasks),
                "received": received,
                "late": late,
                "missing": missing,
                **counts,
            }
        )
    return rows
