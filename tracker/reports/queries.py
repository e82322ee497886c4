"""What the reporting pages show (read models, no writes): a liaison's month, a task's
reports, the office's review queue and the month's overview."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User
from tracker.accounts.permissions import unit_scope
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.models import OPEN_STATUSES, Task, TaskCoUnit
from tracker.plans.permissions import task_filter
from tracker.reports import rules
from tracker.reports.facts import reporting_facts
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.periods import previous_month
from tracker.reports.permissions import report_filter
from tracker.settings import get_setting
from tracker.timeutil import LOCAL_TZ
from tracker.units.labels import answering_units
from tracker.units.models import Unit


@dataclass
class MonthRow:
    """One task on the liaison's month page: this month's, or an earlier month's report
    still owed or returned (补报, `period` set)."""

    task: Task
    role: str  # "lead" or "co"
    report: ProgressReport | None
    last: ProgressReport | None  # last month's latest report of this unit
    co_reports: list[ProgressReport] = field(default_factory=list)
    # on lead tasks: ((current unit name, former name or None), its latest report or None)
    # per co-unit, a reorganised co-unit being answered for by its successor
    co_parts: list[tuple[tuple[str, str | None], ProgressReport | None]] = field(
        default_factory=list
    )
    period: ReportingPeriod | None = None  # an earlier month (补报); None: this month

    @property
    def state(self) -> str:
        return self.report.state if self.report else "not_started"

    @property
    def anchor(self) -> str:
        """The row's place on the month page (redirects come back to it)."""
        if self.period is None:
            return f"task-{self.task.id}"
        return f"task-{self.task.id}-{self.period.key}"


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


def open_tasks(scope: set[int] | None, also=()) -> list[Task]:
    """The open tasks of a unit scope (and the tasks `also`, e.g. those a reassignment
    removed the unit from that it still owes), with plan, lead unit and co-units, in plan
    order."""
    where = or_(task_filter(scope), Task.id.in_(also)) if also else task_filter(scope)
    return list(
        db.session.scalars(
            select(Task)
            .where(where, Task.status.in_(OPEN_STATUSES))
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


def co_parts(task: Task, reports: list[ProgressReport], units: dict, own_unit_id: int) -> list:
    """The co-units' parts of a lead task: each co-unit named by the unit answering for it
    today (with its own name as history when reorganised) and that unit's report. A unit
    answering for several co-units, or the lead unit itself, appears once / not at all."""
    by_unit = {r.unit_id: r for r in reports}
    parts, seen = [], {own_unit_id}
    for link in task.co_unit_links:
        current_id, current_name, former = units[link.unit_id]
        if current_id in seen:
            continue
        seen.add(current_id)
        parts.append(((current_name, former), by_unit.get(current_id)))
    return parts


def role_in(task: Task, scope: set[int]) -> str:
    """The scope's part in a task on the month page: "lead", "co", or "removed" (a
    reassignment took the task away, yet the unit still files this period's report)."""
    if task.lead_unit_id in scope:
        return "lead"
    if any(link.unit_id in scope for link in task.co_unit_links):
        return "co"
    return "removed"


def filing_tasks(user: User, periods, facts=None) -> dict[int, list[Task]]:
    """{period id: the open tasks the liaison's unit files that period's report on}
    (rules.files_for_period: the owed rule, so in the month of a reassignment the removed
    unit files and the added unit does not yet). Constant queries."""
    scope = unit_scope(user)
    facts = facts or reporting_facts([])
    me = facts.current(user.unit_id)
    owed = {p.id: facts.owed(p.due_date, p.key) for p in periods}
    owed_ids = {t for pairs in owed.values() for t, unit_id in pairs if unit_id == me}
    tasks = open_tasks(scope, owed_ids)
    return {
        p.id: [
            t
            for t in tasks
            if rules.files_for_period(
                t.id, me, p.key, role_in(t, scope) != "removed", owed[p.id], facts.changes
            )
        ]
        for p in periods
    }


def month_rows(user: User, period: ReportingPeriod) -> list[MonthRow]:
    """Every open task the liaison's unit files this period's report on (filing_tasks), with
    its report, last month's report (for "no change") and, on lead tasks, the co-units'
    parts. Constant queries."""
    scope = unit_scope(user)
    tasks = filing_tasks(user, [period])[period.id]
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
    co_reports: dict[int, list[ProgressReport]] = defaultdict(list)
    if lead_ids:
        others = _reports_for(
            period.id,
            and_(ProgressReport.task_id.in_(lead_ids), ProgressReport.unit_id != user.unit_id),
        )
        for report in latest_by_task_unit(others).values():
            co_reports[report.task_id].append(report)
    units = answering_units() if lead_ids else {}
    return [
        MonthRow(
            task=t,
            role=role_in(t, scope),
            report=mine.get((t.id, user.unit_id)),
            last=last.get((t.id, user.unit_id)),
            co_reports=sorted(co_reports.get(t.id, []), key=lambda r: r.unit.code),
            co_parts=(
                co_parts(t, co_reports.get(t.id, []), units, user.unit_id)
                if t.lead_unit_id in scope
                else []
            ),
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
    query = query.where(report_filter(unit_scope(user)))
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
    warn = int(get_setting("yellow_working_days"))
    first = first_submissions(reports)
    rows = []
    for report in reports:
        due = report.period.due_date
        first_on = first.get((report.task_id, report.unit_id, report.period_id))
        left = calendar.workdays_between(today, due)
        light = rules.report_light(first_on, due, today, left, warn)
        if filters.light and light != filters.light:
            continue
        rows.append({"report": report, "light": light, "late": rules.is_late(first_on, due)})
    return rows


def unit_choices() -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.code))]


def period_overview(period: ReportingPeriod, today: date) -> list[dict]:
    """Per unit: the reports it owes this period (reports.rules.owes_report), and how many
    of its reports are in, accepted, returned, drafts, late (first submitted after the due
    date) and missing (owed, never submitted, due date passed). Reports count for their
    unit's current successor. Constant queries."""
    facts = reporting_facts([period.id])
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
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
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
