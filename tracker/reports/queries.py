"""What the reporting pages show (read models, no writes): a task's reports, the office's
review queue and the month's overview. The liaison's month page is in reports/month.py."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User
from tracker.accounts.permissions import unit_scope
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.kept import kept
from tracker.plans.models import Task
from tracker.plans.search_rules import light_bounds
from tracker.reports import rules
from tracker.reports.facts import reporting_facts, units_with_work
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.permissions import report_filter
from tracker.settings import get_setting
from tracker.timeutil import local_date
from tracker.units.models import Unit
from tracker.units.rules import final_successor


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
    query = query.where(report_filter(unit_scope(user)))
    return list(db.session.scalars(query).unique().all())


@dataclass
class QueueFilters:
    plan_id: int | None = None
    unit_id: int | None = None
    state: str | None = ReportState.SUBMITTED.value
    light: str | None = None
    period_id: int | None = None


REVIEW_PAGE = 25  # reports a page of the review queue shows


def report_light_condition(light: str, today: date, calendar, warn: int):
    """rules.report_light as a WHERE clause over ProgressReport, on its stored columns: a
    report first submitted (first_filed_at, over its revisions) is green, or red when that
    was after the due date (first_late, Beijing day); one never submitted has the light of
    its due date (plans.light_sql's boundaries, found with the same rule), as the ids of
    the periods due by each boundary (one small statement)."""
    bounds = light_bounds(today, calendar, warn)
    periods = db.session.execute(select(ReportingPeriod.id, ReportingPeriod.due_date)).all()
    red_periods = [pid for pid, due in periods if due <= bounds.last_red]
    yellow_periods = [pid for pid, due in periods if bounds.last_red < due <= bounds.last_yellow]
    green_periods = [pid for pid, due in periods if due > bounds.last_yellow]
    never = ProgressReport.first_filed_at.is_(None)
    filed = ProgressReport.first_filed_at.is_not(None)
    late, on_time = ProgressReport.first_late == true(), ProgressReport.first_late == false()

    def due_in(ids):
        return ProgressReport.period_id.in_(ids) if ids else false()

    if light == "red":
        return or_(and_(filed, late), and_(never, due_in(red_periods)))
    if light == "yellow":
        return and_(never, due_in(yellow_periods))
    return or_(and_(filed, on_time), and_(never, due_in(green_periods)))


def _queue_where(filters: QueueFilters, today: date, calendar, warn: int) -> list:
    where = []
    if filters.state:
        where.append(ProgressReport.state == filters.state)
    if filters.plan_id:
        where.append(Task.plan_id == filters.plan_id)
    if filters.unit_id:
        where.append(ProgressReport.unit_id == filters.unit_id)
    if filters.period_id:
        where.append(ProgressReport.period_id == filters.period_id)
    if filters.light:
        where.append(report_light_condition(filters.light, today, calendar, warn))
    return where


def _queue_from(query, filters: QueueFilters):
    """Join the task only when a filter reads it (the plan): the queue by state alone is
    read from the (state, submitted_at) index, the light from the report's own columns."""
    if filters.plan_id:
        query = query.join(Task, Task.id == ProgressReport.task_id)
    return query


def _queue_order(filters: QueueFilters) -> tuple:
    """Oldest submission first; reports never submitted last. Submitted reports all have a
    submission time, so their order is the index's."""
    if filters.state == ReportState.SUBMITTED.value:
        return (ProgressReport.submitted_at, ProgressReport.id)
    return (ProgressReport.submitted_at.is_(None), ProgressReport.submitted_at, ProgressReport.id)


@dataclass
class PreparedQueue:
    """The queue's WHERE clauses with what they were worked out from (the calendar and the
    warning window, loaded once a request for the count and the page)."""

    filters: QueueFilters
    where: list
    calendar: object
    warn: int


def prepare_queue(filters: QueueFilters, today: date) -> PreparedQueue:
    calendar = load_calendar()
    warn = int(get_setting("yellow_working_days"))
    return PreparedQueue(filters, _queue_where(filters, today, calendar, warn), calendar, warn)


def review_count(prepared: PreparedQueue) -> int:
    """How many reports the queue's filters select (one COUNT, light filter included)."""
    query = _queue_from(select(func.count()).select_from(ProgressReport), prepared.filters)
    return db.session.scalar(query.where(*prepared.where))


def review_queue(
    filters: QueueFilters,
    today: date,
    limit: int = REVIEW_PAGE,
    offset: int = 0,
    prepared: PreparedQueue | None = None,
) -> list[dict]:
    """One page of reports for the office's review, oldest submission first, with their
    light: filters (the light too) run in SQL, the database keeps only the page, and the
    working days are counted for the page's rows only. Constant queries."""
    prepared = prepared or prepare_queue(filters, today)
    calendar, warn = prepared.calendar, prepared.warn
    ids = list(
        db.session.scalars(
            _queue_from(select(ProgressReport.id), prepared.filters)
            .where(*prepared.where)
            .order_by(*_queue_order(prepared.filters))
            .limit(limit)
            .offset(offset)
        )
    )
    if not ids:
        return []
    found = (
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.id.in_(ids))
            .options(
                joinedload(ProgressReport.task).joinedload(Task.plan),
                joinedload(ProgressReport.unit),
                joinedload(ProgressReport.period),
                selectinload(ProgressReport.attachments),
            )
        )
        .unique()
        .all()
    )
    by_id = {r.id: r for r in found}
    rows = []
    left_by_due: dict[date, int] = {}  # a page's reports share a few due dates
    for report in (by_id[i] for i in ids if i in by_id):
        due = report.period.due_date
        first_on = local_date(report.first_filed_at)  # over its revisions (mark_submitted)
        if due not in left_by_due:
            left_by_due[due] = calendar.workdays_between(today, due)
        light = rules.report_light(first_on, due, today, left_by_due[due], warn)
        rows.append({"report": report, "light": light, "late": report.first_late})
    return rows


OVERVIEW_PAGE = 50  # units a page of the overview shows


def overview_units(period: ReportingPeriod) -> list[int]:
    """The ids of the units the overview of `period` may have a row for, in code order: the
    current units (a reorganised unit's work counts for its successor) with work of their
    own or of a unit they succeeded (facts.units_with_work). Four statements, ids only; the
    units in code order and their successors kept by the process while no unit changes
    (tracker.kept), like two of units_with_work's."""

    def directory():
        units = db.session.execute(select(Unit.id, Unit.successor_id, Unit.code)).all()
        return (
            tuple(u.id for u in sorted(units, key=lambda u: u.code)),
            {u.id: u.successor_id for u in units},
        )

    in_order, successor_of = kept("unit_directory", None, directory, size=2)
    current = {final_successor(u, successor_of) for u in units_with_work(period.id)}
    return [u for u in in_order if u in current]


def period_overview(
    period: ReportingPeriod, today: date, unit_ids: list[int] | None = None
) -> list[dict]:
    """Per unit: the reports it owes this period (reports.rules.owes_report), and how many
    of its reports are in, accepted, returned, drafts, late (first submitted after the due
    date) and missing (owed, never submitted, due date passed). Reports count for their
    unit's current successor. `unit_ids` (current units): only those rows, at the cost of
    their own work (a page of the overview). Constant queries."""
    facts = reporting_facts([period.id], unit_ids)
    owed = facts.owed(period.due_date, period.key)
    first = facts.first_submitted.get(period.id, {})
    latest = facts.latest_state.get(period.id, {})
    per_unit: dict[int, dict] = defaultdict(
        lambda: {
            "expected": 0,
            "late": 0,
            "missing": 0,
            **dict.fromkeys(("draft", "submitted", "returned", "accepted"), 0),
        }
    )
    for pair in owed | set(latest):
        row = per_unit[pair[1]]
        row["expected"] += int(pair in owed)
        if pair in latest:
            row[latest[pair]] += 1
        standing = rules.report_standing(first.get(pair), period.due_date, today)
        if standing == rules.LATE:
            row["late"] += 1
        elif standing == rules.MISSING and pair in owed:
            row["missing"] += 1
    units_query = select(Unit).order_by(Unit.code)
    if unit_ids is not None:
        units_query = units_query.where(Unit.id.in_(unit_ids or [0]))
    units = db.session.scalars(units_query).all()
    return [
        {"unit": unit, "received": row["submitted"] + row["accepted"], **row}
        for unit in units
        if (row := per_unit.get(unit.id)) is not None
    ]
