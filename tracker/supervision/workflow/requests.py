"""A unit's requests and the office's decisions: extensions (延期申请) and close-out (办结申请 →
销号), with the close-out's evidence."""

from datetime import date

from sqlalchemy import exists, select

from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.models import Task, TaskStatus
from tracker.reports.evidence import services as evidence
from tracker.supervision.delivery.notify import notify_event
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    RequestState,
)
from tracker.supervision.workflow import rules
from tracker.supervision.workflow.services import (
    iso_date,
    refuse_if,
    require_lead,
    set_status,
    unit_name,
)
from tracker.timeutil import utcnow


def _pending(model, task_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(model.task_id == task_id, model.state == RequestState.PENDING.value)
            )
        )
    )


def request_extension(
    task: Task, user, today: date, reason: str, requested_due: date
) -> ExtensionRequest:
    """The lead unit asks to move the task's due date (one pending request at a time)."""
    require_lead(user, task)
    refuse_if(
        rules.check_extension_request(
            task.status,
            task.due_date,
            requested_due,
            today,
            _pending(ExtensionRequest, task.id),
        )
    )
    reason = reason.strip()
    request = ExtensionRequest(
        task_id=task.id,
        unit_id=user.unit_id,
        reason=reason,
        current_due=task.due_date,
        requested_due=requested_due,
        requested_by_id=user.id,
        requested_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    record(
        "task.extension_requested",
        task,
        actor=user,
        detail={
            "request_id": request.id,
            "unit": unit_name(user.unit_id),
            "from": iso_date(task.due_date),
            "to": iso_date(requested_due),
            "reason": reason,
        },
    )
    return request


def decide_extension(
    request: ExtensionRequest, task: Task, user, decision: str, note: str
) -> ExtensionRequest:
    """The office approves (the task's due date moves; the old one stays on the request)
    or rejects (with a note)."""
    refuse_if(rules.check_decision(request.state, decision, note, rules.EXTENSION_DECISIONS))
    note = (note or "").strip()
    detail = {
        "request_id": request.id,
        "unit": unit_name(request.unit_id),
        "from": iso_date(request.current_due),
        "to": iso_date(request.requested_due),
        "note": note,
    }
    if decision == "approve":
        refuse_if(rules.check_open_task(task.status))
        detail["from"] = iso_date(task.due_date)
        task.due_date = request.requested_due
        request.state = RequestState.APPROVED.value
        record("task.extension_approved", task, actor=user, detail=detail)
    else:
        request.state = RequestState.REJECTED.value
        record("task.extension_rejected", task, actor=user, detail=detail)
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_note = note or None
    db.session.flush()
    notify_event(
        "extension_approved" if decision == "approve" else "extension_rejected",
        task,
        [request.unit_id],
        due=iso_date(task.due_date),
        note=note,
    )
    return request


def _store_evidence(files, user, request: CloseOutRequest) -> int:
    files = [f for f in files or () if f is not None and getattr(f, "filename", "")]
    for file in files:
        try:
            evidence.store_upload(file, user=user, close_out=request)
        except evidence.EvidenceRejected as exc:
            reason = str(getattr(exc, "message", exc))
            raise StepRefused("evidence_rejected", reason=reason) from exc
    return len(files)


def request_close_out(task: Task, user, today: date, summary: str, files=()) -> CloseOutRequest:
    """The lead unit asks to close the task, with a summary and evidence files."""
    require_lead(user, task)
    refuse_if(rules.check_close_out_request(task.status, _pending(CloseOutRequest, task.id)))
    summary = summary.strip()
    request = CloseOutRequest(
        task_id=task.id,
        unit_id=user.unit_id,
        summary=summary,
        requested_by_id=user.id,
        requested_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    stored = _store_evidence(files, user, request)
    record(
        "task.close_out_requested",
        task,
        actor=user,
        detail={
            "request_id": request.id,
            "unit": unit_name(user.unit_id),
            "summary": summary,
            "attachments": stored,
        },
    )
    db.session.flush()
    return request


def decide_close_out(
    request: CloseOutRequest, task: Task, user, decision: str, note: str
) -> CloseOutRequest:
    """The office confirms (销号: the task is closed) or refuses (with a note)."""
    refuse_if(rules.check_decision(request.state, decision, note, rules.CLOSE_OUT_DECISIONS))
    note = (note or "").strip()
    detail = {"request_id": request.id, "unit": unit_name(request.unit_id), "note": note}
    if decision == "confirm":
        refuse_if(rules.check_close_out_confirm(task.status, _pending(ExtensionRequest, task.id)))
        request.state = RequestState.APPROVED.value
        record("task.closed_out", task, actor=user, detail=detail)
        set_status(task, TaskStatus.CLOSED.value, user)
        task.closed_at = utcnow()
    else:
        request.state = RequestState.REJECTED.value
        record("task.close_out_refused", task, actor=user, detail=detail)
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_note = note or None
    db.session.flush()
    notify_event(
        "close_out_confirmed" if decision == "confirm" else "close_out_refused",
        task,
        [request.unit_id],
        note=note,
    )
    return request
