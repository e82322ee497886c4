"""What the reporting pages show (read models, no writes): a task's reports, the office's
review queue and the month's overview. The liaison's month page is in reports/month.py."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, false, func, not_, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.accounts.models import User
from tracker.accounts.permissions import unit_scope
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.plans.search_rules import light_bounds
from tracker.reports import rules
from tracker.reports.facts import reporting_facts, units_with_work
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.permissions import report_filter
from tracker.settings import get_setting
from tracker.timeutil import LOCAL_TZ, local_day_bounds
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


def _first_submitted(report=ProgressReport):
    """The first submission of a report's (task, unit, period) over all its revisions: the
    time rules.is_late judges by. A first revision's own time is that (a correction, a new
    revision, comes only after it was submitted); a later revision asks its first ones (a
    correlated subquery the CASE runs for those rows only)."""
    other = aliased(ProgressReport)
    earliest = (
        select(func.min(func.coalesce(other.first_submitted_at, other.submitted_at)))
        .where(
            other.task_id == report.task_id,
            other.unit_id == report.unit_id,
            other.period_id == report.period_id,
        )
        .scalar_subquery()
    )
    return case(
        (report.revision == 1, func.coalesce(report.first_submitted_at, report.submitted_at)),
        else_=earliest,
    )


def report_light_condition(light: str, today: date, calendar, warn: int):
    """rules.report_light as a WHERE clause over ProgressReport joined to its period: a
    report first submitted is green, or red when that was after the due date (Beijing day);
    one never submitted has the light of its due date (plans.light_sql's boundaries, found
    with the same rule). The boundaries and each period's late time are worked out once."""
    bounds = light_bounds(today, calendar, warn)
    first = _first_submitted()
    periods = db.session.execute(select(ReportingPeriod.id, ReportingPeriod.due_date)).all()
    late = or_(
        false(),
        *(
            and_(ProgressReport.period_id == pid, first >= local_day_bounds(due)[1])
            for pid, due in periods
        ),
    )
    due = ReportingPeriod.due_date
    if light == "red":
        return or_(and_(first.is_(None), due <= bounds.last_red), and_(first.is_not(None), late))
    if light == "yellow":
        return and_(first.is_(None), due > bounds.last_red, due <= bounds.last_yellow)
    return or_(
        and_(first.is_(None), due > bounds.last_yellow), and_(first.is_not(None), not_(late))
    )


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
    """Join the task and the period only when a filter reads them (the plan, the light):
    the queue by state alone is read from the (state, submitted_at) index."""
    if filters.plan_id:
        query = query.join(Task, Task.id == ProgressReport.task_id)
    if filters.light:
        query = query.join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
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
    reports = [by_id[i] for i in ids if i in by_id]
    first = first_submissions(reports)
    rows = []
    for report in reports:
        due = report.period.due_date
        first_on = first.get((report.task_id, report.unit_id, report.period_id))
        left = calendar.workdays_between(today, due)
        light = rules.report_light(first_on, due, today, left, warn)
        rows.append({"report": report, "light": light, "late": rules.is_late(first_on, due)})
    return rows


def unit_choices() -> list[tuple[int, str]]:
    """(id, name) of every unit for the queue's filter: two columns, no ORM objects (a
    province has 2,000 units)."""
    return [
        tuple(row) for row in db.session.execute(select(Unit.id, Unit.name).order_by(Unit.code))
    ]


OVERVIEW_PAGE = 50  # units a page of the overview shows


def overview_units(period: ReportingPeriod) -> list[int]:
    """The ids of the units the overview of `period` may have a row for, in code order: the
    current units (a reorganised unit's work counts for its successor) with work of their
    own or of a unit they succeeded (facts.units_with_work). Four statements, ids only."""
    units = db.session.execute(select(Unit.id, Unit.successor_id, Unit.code)).all()
    successor_of = {u.id: u.successor_id for u in units}
    current = {final_successor(u, successor_of) for u in units_with_work(period.id)}
    return [u.id for u in sorted(units, key=lambda u: u.code) if u.id in current]


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


def first_submissions(reports) -> dict[tuple[int, int, int], date]:
    """{(task, unit, period): the first submission date} over all revisions of the given
    reports (one statement): the date `rules.is_late` judges a report by."""
    keys = {(r.task_id, r.unit_id, r.period_id) for r in reports}
    if not keys:
        return {}
    submitted = db.func.min(
        db.func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    )
    rows = db.session.execute(
        select(ProgressReport.task_id, ProgressReport.unit_id, ProgressReport.period_id, submitted)
        .where(
            ProgressReport.task_id.in_({k[0] for k in keys}),
            ProgressReport.period_id.in_({k[2] for k in keys}),
        )
        .group_by(ProgressReport.task_id, ProgressReport.unit_id, ProgressReport.period_id)
    ).all()
    return {
        (t, u, p): day
        for t, u, p, at in rows
        if (t, u, p) in keys and (day := rules.local_date(at, LOCAL_TZ)) is not None
    }
