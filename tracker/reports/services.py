"""Progress reports: the liaison's month, saving with a version check, submitting, the
office's review, corrections as new revisions. Services flush; views commit."""

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import Role, User
from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.milestones.pace import note_reported, refresh_pace, refresh_task_pace
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.reports import rules
from tracker.reports.facts import request_unit_facts
from tracker.reports.models import (
    ProgressReport,
    Quality,
    ReportingPeriod,
    ReportState,
    set_first_filing,
)
from tracker.reports.month import answering_task_ids, filing_task_ids, latest_by_task_unit
from tracker.reports.periods import previous_month
from tracker.reports.permissions import current_report, forget, request_scope, request_task
from tracker.timeutil import utcnow

# Reports sit below supervision and never import it: a layer above that must act on a
# return (the unit is told at once, see docs/delivery.md) connects to this signal in
# create_app. Receivers run inside the review's transaction and only flush.
signals = Namespace()
report_returned = signals.signal("report-returned")


class VersionConflict(StepRefused):
    """Someone else saved the report since this form was loaded."""

    def __init__(self):
        super().__init__("version_conflict")


def filing_task(user: User, task_id: int, period: ReportingPeriod, facts=None) -> Task:
    """The task, if the liaison's unit files `period`'s report on it (the month page's rule,
    rules.files_for_period: a unit a reassignment removed this month still does, a unit
    added this month not yet); else LookupError (404: nothing is said about other tasks).
    `facts`: the unit's facts when the request has them already (else this task's only)."""
    scope = request_scope(user)
    task = request_task(task_id)  # once a request (backlog.earlier_keys may load it)
    if task is None:
        raise LookupError(task_id)
    # the ids the month page read already (once a request); no scope: no limit (task_filter)
    answers_now = scope is None or task_id in answering_task_ids(scope)
    facts = facts or request_unit_facts(user.unit_id, [task_id])  # this task's (issue 13)
    owed = facts.owed(period.due_date, period.key)
    me = facts.current(user.unit_id)
    if not rules.files_for_period(task.id, me, period.key, answers_now, owed, facts.changes):
        raise LookupError(task_id)
    return task


def _task_for_liaison(user: User, task_id: int, period: ReportingPeriod) -> Task:
    """filing_task, and the task is open (else StepRefused)."""
    task = filing_task(user, task_id, period)
    if task.status not in OPEN_STATUSES:
        raise StepRefused("task_not_open_for_reporting")
    return task


def save_report(
    user: User,
    period: ReportingPeriod,
    task_id: int,
    version: int,
    values: dict,
    submit: bool,
    unchanged: bool = False,
) -> ProgressReport:
    """Save the unit's report on a task as draft, or submit it.

    `version` is the version the form was loaded with (0 for a report not yet saved); a save
    based on an older version is refused (VersionConflict), so nobody's text is overwritten.
    """
    task = _task_for_liaison(user, task_id, period)
    report = current_report(task.id, user.unit_id, period.id)
    if report is None:
        if version != 0:
            raise VersionConflict()
        report = ProgressReport(
            task_id=task.id, unit_id=user.unit_id, period_id=period.id, revision=1
        )
        db.session.add(report)
    else:
        if report.version != version:
            raise VersionConflict()
        if not report.editable:
            raise StepRefused(
                "report_submitted" if report.state == ReportState.SUBMITTED else "report_accepted"
            )
    previous_state = report.state
    report.progress = values["progress"].strip()
    report.percent = values["percent"]
    report.problems = (values.get("problems") or "").strip()
    report.next_steps = (values.get("next_steps") or "").strip()
    report.unchanged = unchanged
    report.updated_at = utcnow()
    report.updated_by_id = user.id
    if submit:
        problems = rules.submission_problems(report.progress, report.percent)
        if problems:
            raise StepRefused("progress_missing")
        mark_submitted(report, period, user, utcnow())
    else:
        report.state = (
            ReportState.RETURNED.value
            if previous_state == ReportState.RETURNED
            else ReportState.DRAFT.value
        )
    _flush_or_conflict()
    if submit and user.unit_id == task.lead_unit_id:
        # the lead unit's newest percent (task_pace): one UPDATE when this report is newest
        note_reported(
            task.id, user.unit_id, period.year, period.month, report.revision, report.percent
        )
    record(
        "report.submitted" if submit else "report.saved",
        subject_type="task",
        subject_id=task.id,
        actor=user,
        detail={
            "report_id": report.id,
            "period": period.key,
            "revision": report.revision,
            "percent": report.percent,
            "unchanged": unchanged,
            "from": previous_state,
            "to": report.state,
        },
    )
    return report


def mark_submitted(report: ProgressReport, period: ReportingPeriod, user: User, now) -> None:
    """The one place a report becomes submitted: its submission time, its revision's first
    submission (a resubmission after a return keeps it) and, on the report's first
    submission over its revisions, its first filing (models.set_first_filing), which every
    later revision carries (start_correction) for the review queue's light filter."""
    report.state = ReportState.SUBMITTED.value
    report.submitted_at = now
    report.submitted_by_id = user.id
    report.first_submitted_at = report.first_submitted_at or now
    if report.first_filed_at is None:
        set_first_filing(report, report.first_submitted_at, period.due_date)


def _flush_or_conflict() -> None:
    """Flush; a concurrent save (stale version, or a first save racing another) becomes a
    VersionConflict instead of an error page."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise VersionConflict() from exc


def copy_last_month(user: User, period: ReportingPeriod, task_id: int, version: int):
    """ "No change since last month" (减负): last month's figures become this month's draft,
    marked unchanged, for the liaison to read and confirm by submitting."""
    task = _task_for_liaison(user, task_id, period)
    last_year, last_month = previous_month(period.year, period.month)
    last = db.session.scalar(
        select(ProgressReport)
        .join(ReportingPeriod)
        .where(
            ReportingPeriod.year == last_year,
            ReportingPeriod.month == last_month,
            ProgressReport.task_id == task.id,
            ProgressReport.unit_id == user.unit_id,
        )
        .order_by(ProgressReport.revision.desc())
        .limit(1)
    )
    if last is None:
        raise StepRefused("nothing_to_copy")
    values = {
        "progress": last.progress,
        "percent": last.percent,
        "problems": last.problems,
        "next_steps": last.next_steps,
    }
    return save_report(user, period, task.id, version, values, submit=False, unchanged=True)


def submit_all_ready(user: User, period: ReportingPeriod) -> tuple[int, int]:
    """Submit every draft or returned report of the unit in the period that is ready.
    Returns (submitted, left as draft because incomplete)."""
    task_ids = filing_task_ids(user, [period])[period.id]
    reports = latest_by_task_unit(
        db.session.scalars(
            select(ProgressReport).where(
                ProgressReport.period_id == period.id,
                ProgressReport.unit_id == user.unit_id,
                ProgressReport.task_id.in_(task_ids),
            )
        ).all()
    ).values()
    submitted = skipped = 0
    now = utcnow()
    for report in reports:
        if not report.editable:
            continue
        if rules.submission_problems(report.progress, report.percent):
            skipped += 1
            continue
        previous = report.state
        mark_submitted(report, period, user, now)
        record(
            "report.submitted",
            subject_type="task",
            subject_id=report.task_id,
            actor=user,
            detail={
                "report_id": report.id,
                "period": period.key,
                "from": previous,
                "to": report.state,
                "bulk": True,
            },
        )
        submitted += 1
    _flush_or_conflict()
    if submitted:
        refresh_pace(task_ids=task_ids)  # the pace of the unit's tasks (task_pace)
    return submitted, skipped


def start_correction(user: User, report: ProgressReport) -> ProgressReport:
    """A correction of an accepted report is a new revision; the accepted one stays locked."""
    if report.state != ReportState.ACCEPTED or report.unit_id != user.unit_id:
        raise StepRefused("correction_not_allowed")
    latest = current_report(report.task_id, report.unit_id, report.period_id)
    if latest.id != report.id:
        raise StepRefused("correction_exists")
    correction = ProgressReport(
        task_id=report.task_id,
        unit_id=report.unit_id,
        period_id=report.period_id,
        revision=report.revision + 1,
        progress=report.progress,
        percent=report.percent,
        problems=report.problems,
        next_steps=report.next_steps,
        updated_by_id=user.id,
        first_filed_at=report.first_filed_at,
        first_late=report.first_late,
    )
    db.session.add(correction)
    _flush_or_conflict()
    forget(("report", report.task_id, report.unit_id, report.period_id))  # now the correction
    record(
        "report.correction_started",
        subject_type="task",
        subject_id=report.task_id,
        actor=user,
        detail={"report_id": correction.id, "corrects": report.id, "revision": correction.revision},
    )
    return correction


def review(
    user: User,
    report: ProgressReport,
    version: int,
    decision: str,
    reason: str,
    quality: str | None,
) -> ProgressReport:
    """The office accepts a submitted report with a quality rating, or returns it with a
    reason. A liaison never reviews (checked in the view and here)."""
    if not user.has_role(Role.OFFICE):
        raise StepRefused("office_reviews_only")
    if report.version != version:
        raise VersionConflict()
    if report.state != ReportState.SUBMITTED:
        raise StepRefused("review_not_submitted")
    if decision == "accept":
        if quality not in {q.value for q in Quality}:
            raise StepRefused("quality_required")
        report.state = ReportState.ACCEPTED.value
        report.quality = quality
        report.return_reason = None
    elif decision == "return":
        if not (reason or "").strip():
            raise StepRefused("return_reason_required")
        report.state = ReportState.RETURNED.value
        report.return_reason = reason.strip()
        report.quality = None
    else:
        raise StepRefused("unknown_decision")
    report.reviewed_at = utcnow()
    report.reviewed_by_id = user.id
    _flush_or_conflict()
    if decision == "accept":  # still counted, same percent: one UPDATE (task_pace)
        period = db.session.get(ReportingPeriod, report.period_id)
        note_reported(
            report.task_id,
            report.unit_id,
            period.year,
            period.month,
            report.revision,
            report.percent,
        )
    else:  # returned: an older report's percent may count again (task_pace)
        refresh_task_pace(report.task_id)
    record(
        "report.accepted" if decision == "accept" else "report.returned",
        subject_type="task",
        subject_id=report.task_id,
        actor=user,
        detail={
            "report_id": report.id,
            "unit_id": report.unit_id,
            "quality": quality,
            "reason": report.return_reason,
            "to": report.state,
        },
    )
    if decision == "return":
        report_returned.send(report)
    return report


# --- reading ----------------------------------------------------------------------------


def load_report(report_id: int) -> ProgressReport | None:
    return (
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.id == report_id)
            .options(
                joinedload(ProgressReport.task).joinedload(Task.plan),
                joinedload(ProgressReport.unit),
                joinedload(ProgressReport.period),
                selectinload(ProgressReport.attachments),
            )
        )
        .unique()
        .one_or_none()
    )
