"""How a score entry is shown in the ledger: the event it refers to, its label and its link."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.scoring.models import ScoreEntry


def event_ref(entry: ScoreEntry) -> dict:
    """The event behind an entry, with the page that shows it."""
    ref = {
        "type": entry.event_type,
        "id": entry.event_id,
        "date": entry.event_date.isoformat() if entry.event_date else None,
    }
    if entry.task_id is not None:
        ref["task_id"] = entry.task_id
    if entry.report_id is not None:
        ref["report_id"] = entry.report_id
    if entry.note:
        ref["note"] = entry.note
    return ref


EVENT_LABELS = {
    "report": _l("Report"),
    "task": _l("Task"),
    "notice": _l("Supervision notice"),
    "instruction": _l("Instruction"),
    "audit": _l("Return of a report"),
    "adjustment": _l("Adjustment"),
    "milestone": _l("Milestone"),
}


def tasks_named(entries) -> dict[int, Task]:
    """{task id: task with its plan} for the entries' tasks (one statement)."""
    from sqlalchemy.orm import joinedload

    ids = {e.task_id for e in entries if e.task_id is not None}
    if not ids:
        return {}
    return {
        t.id: t
        for t in db.session.scalars(
            select(Task).where(Task.id.in_(ids)).options(joinedload(Task.plan))
        )
    }


def event_url(entry: ScoreEntry) -> str | None:
    """The page of the entry's event (None for a manual adjustment)."""
    from flask import url_for

    if entry.report_id is not None:
        return url_for("reports.detail", report_id=entry.report_id)
    if entry.event_type == "notice":
        return url_for("notices.detail", notice_id=entry.event_id)
    if entry.task_id is not None:
        return url_for("pages.task_detail", task_id=entry.task_id)
    return None
