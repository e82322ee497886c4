"""The liaison's month page (read models, no writes): which tasks the unit files this
month (ids, cheap), the summary counts over all of them, and the cards of one page —
only that page's tasks and reports are loaded (issue 13)."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, select, union
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.accounts.models import User
from tracker.accounts.permissions import request_successor_map
from tracker.extensions import db
from tracker.kept import kept
from tracker.plans.models import OPEN_STATUSES, Plan, Task, TaskCoUnit
from tracker.reports import rules
from tracker.reports.facts import KEPT_UNITS, link_groups, request_unit_facts
from tracker.reports.models import Attachment, ProgressReport, ReportingPeriod, ReportState
from tracker.reports.periods import previous_month
from tracker.reports.permissions import request_memo, request_scope
from tracker.units.models import Unit
from tracker.units.rules import final_successor

EDITABLE = (ReportState.DRAFT.value, ReportState.RETURNED.value)
MONTH_PAGE = 25  # report cards a page of the month page shows (each holds a form)


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
    # linked tasks (一报多用): the task whose report of the unit answers for this one
    served_by: Task | None = None

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


def _answering_units(unit_ids: set[int]) -> dict[int, tuple[int, str, str | None]]:
    """units.labels.answering_units for `unit_ids` only (a page's co-units): the same
    (answering unit, its name, own name when reorganised), on the request's successor map
    and the names of those units and of the units answering for them — not 2,000 names."""
    successor_of = request_successor_map()
    current = {u: final_successor(u, successor_of) for u in unit_ids}
    wanted = set(current) | set(current.values())
    names = dict(  # one statement even with no co-unit on the page (constant counts)
        db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted or [0]))).all()
    )
    return {
        u: (c, names[c], names[u] if c != u else None)
        for u, c in current.items()
        if u in names and c in names
    }


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


def role_in(task: Task, scope: set[int], answering: set[int] | None = None) -> str:
    """The scope's part in a task on the month page: "lead", "co", or "removed" (a
    reassignment took the task away, yet the unit still files this period's report).
    `answering` (answering_task_ids(scope)), when given, stands for the task's co-unit links
    (a task loaded without them)."""
    if task.lead_unit_id in scope:
        return "lead"
    if answering is not None:
        co = task.id in answering
    else:
        co = any(link.unit_id in scope for link in task.co_unit_links)
    return "co" if co else "removed"


def answering_task_ids(scope: set[int]) -> set[int]:
    """The tasks a unit scope answers for now (lead unit or co-unit), from the unit indexes
    in one statement (task_filter's rule as ids: "lead OR EXISTS(co-unit)" reads every task),
    once a request (the month page's two lists ask)."""

    def load():
        return frozenset(
            db.session.scalars(
                union(
                    select(Task.id).where(Task.lead_unit_id.in_(scope)),
                    select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id.in_(scope)),
                )
            )
        )

    units = frozenset(scope)
    # kept by the process while no task or co-unit changes (tracker.kept)
    return set(
        request_memo(("answering", units), lambda: kept("answering", units, load, size=KEPT_UNITS))
    )


def filing_task_ids(user: User, periods, facts=None) -> dict[int, list[int]]:
    """{period id: the ids of the open tasks, in plan order, the liaison's unit files that
    period's report on} (rules.files_for_period: the owed rule, so in the month of a
    reassignment the removed unit files and the added unit does not yet). Only ids: the
    page loads the tasks it shows. Five statements whatever the number of tasks."""
    scope = request_scope(user)
    facts = facts or request_unit_facts(user.unit_id)
    me = facts.current(user.unit_id)
    owed = {p.id: facts.owed(p.due_date, p.key) for p in periods}
    answering = answering_task_ids(scope)
    candidates = answering | {t for pairs in owed.values() for t, unit in pairs if unit == me}
    ordered = (
        list(
            db.session.scalars(
                select(Task.id)
                .where(Task.id.in_(candidates), Task.status.in_(OPEN_STATUSES))
                .order_by(Task.plan_id, Task.number)
            )
        )
        if candidates
        else []
    )
    return {
        p.id: [
            t
            for t in ordered
            if rules.files_for_period(t, me, p.key, t in answering, owed[p.id], facts.changes)
        ]
        for p in periods
    }


def load_tasks(ids: list[int]) -> list[Task]:
    """The tasks of `ids`, in that order, with plan, lead unit and co-units."""
    if not ids:
        return []
    found = db.session.scalars(
        select(Task)
        .where(Task.id.in_(ids))
        .options(
            joinedload(Task.plan),
            joinedload(Task.lead_unit),
            selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
        )
    ).unique()
    by_id = {t.id: t for t in found}
    return [by_id[i] for i in ids if i in by_id]


@dataclass
class MonthSummary:
    """The counts above the month page, over ALL the tasks the unit files (not just the
    page shown): tasks, reports per state, drafts ready to submit."""

    total: int
    counts: dict[str, int]
    ready: int


def _latest_states(user: User, period: ReportingPeriod, task_ids: list[int]) -> dict[int, tuple]:
    """{task: (state, progress, percent) of the unit's latest revision of the period} of
    `task_ids`, from the columns alone (one statement)."""
    latest: dict[int, tuple] = {}
    wanted = set(task_ids)
    for row in db.session.execute(
        select(
            ProgressReport.task_id,
            ProgressReport.revision,
            ProgressReport.state,
            ProgressReport.progress,
            ProgressReport.percent,
        ).where(ProgressReport.period_id == period.id, ProgressReport.unit_id == user.unit_id)
    ):
        if row.task_id in wanted and (
            row.task_id not in latest or row.revision > latest[row.task_id].revision
        ):
            latest[row.task_id] = row
    return latest


def month_summary(user: User, period: ReportingPeriod, task_ids: list[int]) -> MonthSummary:
    """Counts for the month page's bar, from the columns of the unit's reports of the period
    (one statement), the latest revision of each task."""
    latest = _latest_states(user, period, task_ids)
    counts: dict[str, int] = {}
    ready = 0
    for task_id in task_ids:
        row = latest.get(task_id)
        state = row.state if row else "not_started"
        counts[state] = counts.get(state, 0) + 1
        if (
            row
            and row.state in EDITABLE
            and not rules.submission_problems(row.progress, row.percent)
        ):
            ready += 1
    return MonthSummary(len(task_ids), counts, ready)


def still_to_file(user: User, period: ReportingPeriod, task_ids: list[int]) -> list[int]:
    """The tasks of `task_ids` (in their order) whose report of the period is not in yet:
    not started, draft or returned (one statement)."""
    latest = _latest_states(user, period, task_ids)
    return [t for t in task_ids if t not in latest or latest[t].state in EDITABLE]


def served_by_link(user: User, period: ReportingPeriod, task_ids: list[int]) -> dict[int, Task]:
    """{task: the linked task whose report (the unit's, this period, submitted or accepted)
    answers for it} for the page's tasks (rules.answered_by_link): the month page asks once
    per link group. Two statements whatever the number of tasks (one when none is linked)."""
    link_group = link_groups(task_ids)
    if not link_group:
        return {}
    submitted = db.func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    reports = db.session.execute(
        select(ProgressReport, submitted)
        .where(
            ProgressReport.period_id == period.id,
            ProgressReport.unit_id == user.unit_id,
            ProgressReport.task_id.in_(list(link_group)),
        )
        .options(joinedload(ProgressReport.task).joinedload(Task.plan))
    ).all()
    latest = latest_by_task_unit(r for r, _at in reports)
    first: dict[tuple[int, int], object] = {}
    for report, at in reports:
        key = (report.task_id, report.unit_id)
        first[key] = rules.first_submission((first.get(key), rules.local_date(at)))
    filed = {key: (first.get(key), r.state) for key, r in latest.items()}
    filings = rules.link_filings(link_group, filed)
    tasks = {r.task_id: r.task for r in latest.values()}
    served = {}
    for task_id in task_ids:
        hit = rules.answered_by_link(task_id, user.unit_id, link_group, filings)
        if hit is not None:
            served[task_id] = tasks[hit[1]]
    return served


def filed_row(user: User, task: Task, report: ProgressReport, period=None) -> MonthRow:
    """The card of a report that is in (submitted or accepted), from the task and the report
    a page has loaded already: its text, state and evidence, for the card a submission
    lands on. Not month_rows' whole card (last month's report, the co-units' parts): after
    every submission at the deadline those cost a fifth of the surge's CPU (issue 13); the
    month page and the task page show them. `period`: an earlier month (补报). Two
    statements (the plan, the evidence)."""
    scope = request_scope(user)
    set_committed_value(task, "plan", db.session.get(Plan, task.plan_id))
    set_committed_value(
        report,
        "attachments",
        list(
            db.session.scalars(
                select(Attachment).where(Attachment.report_id == report.id).order_by(Attachment.id)
            )
        ),
    )
    return MonthRow(
        task=task,
        role=role_in(task, scope, answering_task_ids(scope)),
        report=report,
        last=None,
        period=period,
    )


def month_rows(user: User, period: ReportingPeriod, task_ids: list[int]) -> list[MonthRow]:
    """The month page's rows for `task_ids` (one page of filing_task_ids): each task with
    the unit's report, last month's report (for "no change") and, on lead tasks, the
    co-units' parts. Constant queries."""
    scope = request_scope(user)
    tasks = load_tasks(task_ids)
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
    last = latest_by_task_unit(  # last month's reports (one statement: the month joined)
        db.session.scalars(
            select(ProgressReport)
            .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
            .where(
                ReportingPeriod.year == last_year,
                ReportingPeriod.month == last_month,
                ProgressReport.unit_id == user.unit_id,
                ProgressReport.task_id.in_(task_ids),
            )
        ).all()
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
    units = (
        _answering_units(
            {link.unit_id for t in tasks if t.id in lead_ids for link in t.co_unit_links}
        )
        if lead_ids
        else {}
    )
    served = served_by_link(user, period, task_ids)
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
            served_by=served.get(t.id),
        )
        for t in tasks
    ]
