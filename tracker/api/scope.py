"""What a token may see: its user's rights (the pages' permission functions), narrowed by
a service token's units and plans. Each returns a WHERE clause or a yes/no."""

from sqlalchemy import and_, false, select, true

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import unit_scope
from tracker.api.models import ApiToken
from tracker.plans.models import Task
from tracker.plans.permissions import can_view_task, task_filter
from tracker.reports.models import ProgressReport
from tracker.reports.permissions import report_filter


def narrowing(token: ApiToken):
    """The tasks a limited token is confined to (true() for an unlimited one)."""
    clauses = []
    if token.unit_ids:
        clauses.append(task_filter(set(token.unit_ids)))
    if token.plan_ids:
        clauses.append(Task.plan_id.in_(token.plan_ids))
    return and_(*clauses) if clauses else true()


def task_clause(user: User, token: ApiToken):
    """Tasks in lists: the user's (plans/permissions.task_filter) within the token's limits."""
    return and_(_true(task_filter(unit_scope(user))), narrowing(token))


def may_view_task(user: User, token: ApiToken, task: Task) -> bool:
    """A task's own address: the task page's rule (can_view_task) within the token's limits."""
    if token.unit_ids and not (
        task.lead_unit_id in token.unit_ids
        or any(link.unit_id in token.unit_ids for link in task.co_unit_links)
    ):
        return False
    if token.plan_ids and task.plan_id not in token.plan_ids:
        return False
    return can_view_task(user, task)


def visible_task_ids(user: User, token: ApiToken):
    return select(Task.id).where(task_clause(user, token))


def report_clause(user: User, token: ApiToken):
    """Reports: reports/permissions.report_filter (may_read_report), within the limits."""
    clause = _true(report_filter(unit_scope(user)))
    if token.unit_ids or token.plan_ids:
        limited = select(Task.id).where(narrowing(token))
        clause = and_(clause, ProgressReport.task_id.in_(limited))
    return clause


def unit_bound_clause(user: User, token: ApiToken, unit_column, task_column):
    """Notices and alerts: a liaison reads those addressed to its unit scope; a limited
    token only those of its units' or plans' tasks."""
    scope = unit_scope(user)
    clauses = [] if scope is None else [unit_column.in_(scope)]
    if token.unit_ids:
        clauses.append(unit_column.in_(token.unit_ids))
    if token.plan_ids:
        clauses.append(task_column.in_(select(Task.id).where(Task.plan_id.in_(token.plan_ids))))
    return and_(*clauses) if clauses else true()


def scorecard_clause(user: User, token: ApiToken, unit_column):
    """Scorecards: office, leader and admin read all; a liaison its own unit's (as the
    scorecard page); a token limited to units only theirs, one limited to plans none (a
    scorecard covers all of a unit's work, not one plan's)."""
    if token.plan_ids and not token.unit_ids:
        return false()
    clauses = []
    if user.has_role(Role.LIAISON):
        clauses.append(unit_column == (user.unit_id or -1))
    if token.unit_ids:
        clauses.append(unit_column.in_(token.unit_ids))
    return and_(*clauses) if clauses else true()


def _true(clause):
    return true() if clause is True else clause
