"""Late filing (补报): the reports of earlier months a liaison's unit still owes, or that the
office returned, listed above this month's on the month page and filed from there.

Which reports are owed is the one rule of reports/rules.py (`owed_reports`, over the plain
values of queries.reporting_facts); this module only adds which of them are still to file.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import User
from tracker.accounts.permissions import unit_scope
from tracker.extensions import db
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.reports.queries import MonthRow, open_tasks, reporting_facts, role_in

NOT_IN = (None, ReportState.DRAFT.value, ReportState.RETURNED.value)


def needs_filing(state: str | None, owed: bool) -> bool:
    """An earlier month's report appears for late filing when it was returned, or when it is
    owed and not in (not started or still a draft). Submitted and accepted reports do not."""
    if state == ReportState.RETURNED.value:
        return True
    return owed and state in NOT_IN


def earlier_rows(user: User, period: ReportingPeriod) -> list[MonthRow]:
    """The unit's reports of months before `period` that must still be filed: returned, or
    owed and not in. Oldest month first, then plan and task order. Constant queries."""
    periods = db.session.scalars(
        select(ReportingPeriod)
        .where(
            (ReportingPeriod.year < period.year)
            | ((ReportingPeriod.year == period.year) & (ReportingPeriod.month < period.month))
        )
        .order_by(ReportingPeriod.year, ReportingPeriod.month)
    ).all()
    if not periods:
        return []
    scope = unit_scope(user)
    facts = reporting_facts([])  # the owed rule's inputs; no period's reports needed here
    me = facts.current(user.unit_id)
    owed = {p.id: facts.owed(p.due_date, p.key) for p in periods}
    # the unit's tasks now, and those a reassignment removed it from that it still owes
    tasks = open_tasks(scope, {t for pairs in owed.values() for t, unit in pairs if unit == me})
    if not tasks:
        return []
    task_ids = [t.id for t in tasks]
    latest: dict[tuple[int, int], ProgressReport] = {}
    for report in (
        db.session.scalars(
            select(ProgressReport)
            .where(
                ProgressReport.unit_id == user.unit_id,
                ProgressReport.task_id.in_(task_ids),
                ProgressReport.period_id.in_([p.id for p in periods]),
            )
            .options(selectinload(ProgressReport.attachments), joinedload(ProgressReport.unit))
        )
        .unique()
        .all()
    ):
        key = (report.task_id, report.period_id)
        if key not in latest or report.revision > latest[key].revision:
            latest[key] = report
    rows = []
    for p in periods:
        for task in tasks:
            report = latest.get((task.id, p.id))
            if needs_filing(report.state if report else None, (task.id, me) in owed[p.id]):
                role = role_in(task, scope)
                rows.append(MonthRow(task=task, role=role, report=report, last=None, period=p))
    return rows


def find_earlier_row(user: User, period: ReportingPeriod, period_id: int, task_id: int):
    """The earlier month's row the liaison may file for (task, period), or None."""
    for row in earlier_rows(user, period):
        if row.period.id == period_id and row.task.id == task_id:
            return row
    return None
