"""The task page's history as its reader may see it.

A task's timeline also carries the events of its progress reports and evidence (saved,
submitted, returned with a reason, accepted with a rating, a file uploaded). Those events
say what the report says, so they follow the report rule
(tracker.reports.rules.may_read_report): a co-unit's liaison does not read the lead's
return reasons, percentages, ratings or files on the timeline any more than on /reports/<id>.
"""

from dataclasses import dataclass

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


HISTORY_PAGE_SIZE = 50  # events per page of the task page's timeline, newest first
LAST_PAGE = 100_000  # a page number past any history (bad input is a page, never a 500)


@dataclass
class HistoryPage:
    """One page of a task's timeline: iterate it for the events."""

    events: list[AuditEvent]
    page: int
    has_next: bool

    def __iter__(self):
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


def history_page(
    task: Task, user, page: int | None = 1, size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """Page `page` (1 = newest events) of the task's history as `user` may read it, by the
    (subject_type, subject_id, occurred_at) index: at most three statements however long
    the history. A liaison's page may hold fewer events than `size` (hidden report events
    stay hidden); "older" appears while there are older events."""
    page = min(max(page or 1, 1), LAST_PAGE)
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "task", AuditEvent.subject_id == task.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(size + 1)
        .offset((page - 1) * size)
    ).all()
    return HistoryPage(readable_history(list(rows[:size]), task, user), page, len(rows) > size)
