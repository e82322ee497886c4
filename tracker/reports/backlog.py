"""Late filing (补报): the reports of earlier months a liaison's unit still owes, or that the
office returned, listed above this month's on the month page and filed from there.

Which reports are owed is the one rule of reports/rules.py (`owed_reports`, over the plain
values of facts.unit_facts); this module only adds which of them are still to file. The
list is worked out from ids and states (cheap columns); only the page shown loads its
tasks and reports (issue 13: a unit may owe hundreds of reports after three years).
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.reports import rules
from tracker.reports.facts import link_groups, request_unit_facts
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.month import MonthRow, answering_task_ids, load_tasks, role_in
from tracker.reports.permissions import current_report, request_scope, request_task

NOT_IN = (None, ReportState.DRAFT.value, ReportState.RETURNED.value)
EARLIER_PAGE = 10  # earlier months' cards a page shows, oldest first (file these first)


def needs_filing(state: str | None, owed: bool) -> bool:
    """An earlier month's report appears for late filing when it was returned, or when it is
    owed and not in (not started or still a draft). Submitted and accepted reports do not."""
    if state == ReportState.RETURNED.value:
        return True
    return owed and state in NOT_IN


@dataclass
class EarlierPage:
    """One page of the earlier months' rows, with how many there are in all."""

    rows: list[MonthRow]
    total: int
    page: int
    pages: int


def _earlier_periods(period: ReportingPeriod) -> list[ReportingPeriod]:
    return list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(
                (ReportingPeriod.year < period.year)
                | ((ReportingPeriod.year == period.year) & (ReportingPeriod.month < period.month))
            )
            .order_by(ReportingPeriod.year, ReportingPeriod.month)
        ).all()
    )


def earlier_keys(
    user: User, period: ReportingPeriod, task_ids=None, facts=None, periods=None
) -> list[tuple]:
    """(earlier period, task id) of every report the unit must still file, oldest month
    first, then plan and task order: returned, or owed and not in. `task_ids` narrows the
    work to those tasks (a save checks one), `periods` to those earlier periods (a save
    checks one: the owed rule is per period); `facts` are unit_facts already loaded for the
    same tasks. Constant statements."""
    return list(_earlier_keys(user, period, task_ids, facts, periods))


def first_earlier_key(user: User, period: ReportingPeriod, exclude, facts=None):
    """The first of earlier_keys other than `exclude`, or None — without judging the rest
    of the list (the card page after a submission: issue 13's surge)."""
    return next((k for k in _earlier_keys(user, period, facts=facts) if k != exclude), None)


def _earlier_keys(user: User, period: ReportingPeriod, task_ids=None, facts=None, periods=None):
    """earlier_keys, one key at a time (the statements run before the first)."""
    if periods is None:
        periods = _earlier_periods(period)
    else:
        periods = [p for p in periods if (p.year, p.month) < (period.year, period.month)]
    if not periods:
        return
    scope = request_scope(user)
    facts = facts or request_unit_facts(user.unit_id, task_ids)
    me = facts.current(user.unit_id)
    owed = {p.id: facts.owed(p.due_date, p.key) for p in periods}
    # the unit's tasks now, and those a reassignment removed it from that it still owes
    candidates = answering_task_ids(scope) | {
        t for pairs in owed.values() for t, unit in pairs if unit == me
    }
    if task_ids is not None:
        candidates &= set(task_ids)
    if not candidates:
        return
    if task_ids is not None and len(candidates) == 1:  # a save: its task, which it loads
        task = request_task(next(iter(candidates)))  # (services.filing_task) anyway
        ordered = [task.id] if task is not None and task.status in OPEN_STATUSES else []
    else:
        ordered = list(
            db.session.scalars(
                select(Task.id)
                .where(Task.id.in_(candidates), Task.status.in_(OPEN_STATUSES))
                .order_by(Task.plan_id, Task.number)
            )
        )
    period_ids = {p.id for p in periods}
    latest: dict[tuple[int, int], tuple[int, str]] = {}
    if task_ids is not None and len(ordered) == 1 and len(periods) == 1:
        # a save of one earlier month's report: that report (read once: the save writes it)
        report = current_report(ordered[0], user.unit_id, periods[0].id)
        if report is not None:
            latest[(ordered[0], periods[0].id)] = (report.revision, report.state)
    else:
        # ids, revisions and states only: every report row of the unit (≈ 1,000 after three
        # years), read on the card after each submission (the surge); the submission times
        # only for linked tasks (_served)
        states = select(
            ProgressReport.task_id,
            ProgressReport.period_id,
            ProgressReport.revision,
            ProgressReport.state,
        ).where(ProgressReport.unit_id == user.unit_id)
        if task_ids is not None:
            states = states.where(ProgressReport.task_id.in_(list(task_ids)))
        for task_id, period_id, revision, state in db.session.execute(states):
            key = (task_id, period_id)
            if period_id in period_ids and (key not in latest or revision > latest[key][0]):
                latest[key] = (revision, state)
    # 一报多用: a task answered by the unit's report on a linked task is not to file (a save
    # narrowed to one task may still file its own)
    served = _served(user, ordered, periods, latest) if task_ids is None else set()
    for p in periods:
        owed_now = owed[p.id]
        for t in ordered:
            if (p.id, t) not in served and needs_filing(
                latest[(t, p.id)][1] if (t, p.id) in latest else None, (t, me) in owed_now
            ):
                yield p, t


def _served(user: User, ordered, periods, latest) -> set[tuple[int, int]]:
    """{(period id, task)} of the tasks a report on a linked task answers for
    (rules.answered_by_link, the unit being the one whose reports `latest` holds). The
    first submission dates are read only for linked tasks (most units have none, and a unit
    may have hundreds of rows: the surge's card page asks this on every submit). One
    statement, two when the unit has linked tasks."""
    link_group = link_groups(ordered)
    served = set()
    if not link_group:
        return served
    submitted = db.func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    first: dict[tuple[int, int], object] = {}
    for task_id, period_id, at in db.session.execute(
        select(ProgressReport.task_id, ProgressReport.period_id, submitted).where(
            ProgressReport.unit_id == user.unit_id,
            ProgressReport.task_id.in_(list(link_group)),
        )
    ):
        key = (task_id, period_id)
        first[key] = rules.first_submission((first.get(key), rules.local_date(at)))
    for p in periods:
        filed = {
            (t, 0): (first.get((t, p.id)), latest[(t, p.id)][1])
            for t in link_group
            if (t, p.id) in latest
        }
        filings = rules.link_filings(link_group, filed)
        served |= {(p.id, t) for t in ordered if rules.answered_by_link(t, 0, link_group, filings)}
    return served


def earlier_page(user: User, period: ReportingPeriod, page: int = 1, facts=None) -> EarlierPage:
    """The page `page` of the earlier months' rows (EARLIER_PAGE a page; a page past the
    end shows the last). Only its tasks and reports are loaded."""
    keys = earlier_keys(user, period, facts=facts)
    pages = max(1, -(-len(keys) // EARLIER_PAGE))
    page = min(max(page, 1), pages)
    shown = keys[(page - 1) * EARLIER_PAGE : page * EARLIER_PAGE]
    if not shown:
        return EarlierPage([], len(keys), page, pages)
    tasks = {t.id: t for t in load_tasks(list(dict.fromkeys(t for _p, t in shown)))}
    latest: dict[tuple[int, int], ProgressReport] = {}
    for report in (
        db.session.scalars(
            select(ProgressReport)
            .where(
                ProgressReport.unit_id == user.unit_id,
                ProgressReport.task_id.in_(list(tasks)),
                ProgressReport.period_id.in_(list({p.id for p, _t in shown})),
            )
            .options(selectinload(ProgressReport.attachments), joinedload(ProgressReport.unit))
        )
        .unique()
        .all()
    ):
        key = (report.task_id, report.period_id)
        if key not in latest or report.revision > latest[key].revision:
            latest[key] = report
    scope = request_scope(user)
    rows = [
        MonthRow(
            task=tasks[t],
            role=role_in(tasks[t], scope),
            report=latest.get((t, p.id)),
            last=None,
            period=p,
        )
        for p, t in shown
        if t in tasks
    ]
    return EarlierPage(rows, len(keys), page, pages)


def may_file_earlier(
    user: User, period: ReportingPeriod, earlier: ReportingPeriod, task_id: int
) -> bool:
    """Whether the liaison may file the report of the earlier month `earlier` on the task
    now (this month being `period`): the work of earlier_keys for this one task and this
    one month (a save at the deadline checks it twice a report: issue 13's surge)."""
    return bool(earlier_keys(user, period, [task_id], periods=[earlier]))
