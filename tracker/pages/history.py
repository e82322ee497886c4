"""The task page's history as its reader may see it.

A task's timeline also carries the events of its progress reports and evidence (saved,
submitted, returned with a reason, accepted with a rating, a file uploaded). Those events
say what the report says, so they follow the report rule
(tracker.reports.rules.may_read_report): a co-unit's liaison does not read the lead's
return reasons, percentages, ratings or files on the timeline any more than on /reports/<id>.
"""

from sqlalchemy import select

from tracker.accounts.permissions import unit_scope
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.reports.rules import may_read_report
from tracker.supervision.models import CloseOutRequest

# events whose detail is a report's (or a close-out request's evidence's) content
REPORT_EVENT_PREFIXES = ("report.", "evidence.")


def is_report_event(event: AuditEvent) -> bool:
    return event.action.startswith(REPORT_EVENT_PREFIXES)


def readable_history(events: list[AuditEvent], task: Task, user) -> list[AuditEvent]:
    """The events the user may read: all for office, leader and admin; for a liaison, the
    task's workflow events and the report events of the reports it may read. An event whose
    report cannot be found is hidden (fail closed). At most two statements."""
    scope = unit_scope(user)
    if scope is None:
        return events
    details = [(e, e.detail or {}) for e in events if is_report_event(e)]
    report_ids = {d["report_id"] for _e, d in details if d.get("report_id")}
    close_out_ids = {d["close_out_id"] for _e, d in details if d.get("close_out_id")}
    owner_of_report = (
        dict(
            db.session.execute(
                select(ProgressReport.id, ProgressReport.unit_id).where(
                    ProgressReport.id.in_(report_ids)
                )
            ).all()
        )
        if report_ids
        else {}
    )
    owner_of_close_out = (
        dict(
            db.session.execute(
                select(CloseOutRequest.id, CloseOutRequest.unit_id).where(
                    CloseOutRequest.id.in_(close_out_ids)
                )
            ).all()
        )
        if close_out_ids
        else {}
    )

    def readable(event: AuditEvent) -> bool:
        if not is_report_event(event):
            return True
        detail = event.detail or {}
        if detail.get("report_id"):
            owner = owner_of_report.get(detail["report_id"])
        else:
            owner = owner_of_close_out.get(detail.get("close_out_id"))
        return owner is not None and may_read_report(scope, owner, task.lead_unit_id)

    return [e for e in events if readable(e)]
