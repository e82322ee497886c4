"""Who may see, write and review progress reports.

- office, leader and admin read every report; only the office reviews;
- a liaison writes the reports of its own unit (its unit reports on the tasks where it, or a
  unit it succeeded, is lead or co-unit) and reads them;
- the lead unit's liaison also reads the co-units' parts on its task (it writes the whole);
- nobody else reads a report, its evidence, or learns that it exists.
The rule itself is tracker.reports.rules.may_read_report; `report_filter` is the same rule
as a WHERE clause for lists.
"""

from sqlalchemy import or_, select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import unit_scope
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.reports.rules import may_read_report


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
