"""Who may see, write and review progress reports.

- office, leader and admin read every report; only the office reviews;
- a liaison writes the reports of its own unit (its unit reports on the tasks where it, or a
  unit it succeeded, is lead or co-unit) and reads them;
- the lead unit's liaison also reads the co-units' parts on its task (it writes the whole);
- nobody else reads a report, its evidence, or learns that it exists.
The rule itself is tracker.reports.rules.may_read_report; `report_filter` is the same rule
as a WHERE clause for lists.
"""

from flask import has_request_context, request
from sqlalchemy import or_, select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import request_successor_map, unit_scope
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.reports.rules import may_read_report
from tracker.units.rules import predecessor_closure


def request_memo(key, load):
    """`load()` once a request (kept on the request itself, so a test's long-lived app
    context never sees an old answer); outside a request, every time."""
    if not has_request_context():
        return load()
    memo = request.__dict__.setdefault("_tracker_reports_memo", {})
    if key not in memo:
        memo[key] = load()
    return memo[key]


def forget(key) -> None:
    """Drop `key` from the request's memo (request_memo), if it is there."""
    if has_request_context():
        request.__dict__.get("_tracker_reports_memo", {}).pop(key, None)


def request_task(task_id: int) -> Task | None:
    """The task, loaded once a request and held (the session's identity map keeps only
    weak references): a save checks it in backlog.earlier_keys and services.filing_task."""
    return request_memo(("task", task_id), lambda: db.session.get(Task, task_id))


def current_report(task_id: int, unit_id: int, period_id: int) -> ProgressReport | None:
    """The unit's latest revision of its report on the task for the period, read once a
    request when there is one (a save reads it to check an earlier month, then to write it:
    backlog.may_file_earlier); None (none yet) is not kept."""
    key = ("report", task_id, unit_id, period_id)
    report = request_memo(key, lambda: _latest_report(task_id, unit_id, period_id))
    if report is None:
        forget(key)
    return report


def _latest_report(task_id: int, unit_id: int, period_id: int) -> ProgressReport | None:
    return db.session.scalar(
        select(ProgressReport)
        .where(
            ProgressReport.task_id == task_id,
            ProgressReport.unit_id == unit_id,
            ProgressReport.period_id == period_id,
        )
        .order_by(ProgressReport.revision.desc())
        .limit(1)
    )


def request_scope(user: User) -> set[int] | None:
    """accounts.permissions.unit_scope(user) on the request's successor map."""
    if not user.has_role(Role.LIAISON):
        return None
    if user.unit_id is None:
        return set()
    return request_memo(
        ("scope", user.unit_id), lambda: predecessor_closure(user.unit_id, request_successor_map())
    )


def report_filter(scope: set[int] | None):
    """A WHERE clause for ProgressReport: the reports a unit scope may read (None: all)."""
    if scope is None:
        return True
    return or_(
        ProgressReport.unit_id.in_(scope),
        ProgressReport.task_id.in_(select(Task.id).where(Task.lead_unit_id.in_(scope))),
    )


def can_view_report(user: User, report) -> bool:
    if not user.is_authenticated:
        return False
    scope = unit_scope(user)
    if scope is None:
        return True
    if report.unit_id in scope:
        return True
    lead_unit_id = db.session.scalar(select(Task.lead_unit_id).where(Task.id == report.task_id))
    return lead_unit_id is not None and may_read_report(scope, report.unit_id, lead_unit_id)


def can_write_report(user: User, report) -> bool:
    """Only the liaison of the reporting unit, and only while the report is editable."""
    return (
        user.is_authenticated
        and user.has_role(Role.LIAISON)
        and report.unit_id == user.unit_id
        and report.editable
    )


def can_review(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.OFFICE)
