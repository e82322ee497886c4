"""One error for a refused step, and the catalogue of what the user reads about it.

A service that refuses a step (a rule says no) raises `StepRefused(key, field=None, **params)`
and writes nothing; the view catches StepRefused once, rolls back, and shows `message` beside
the form field `field` (when the refusal is about one field) or as a flash message. The
message is looked up here by `key`, translated in the reader's language, with `params`
filled in. A key without a message shows a generic sentence, never the key itself.

Keys are grouped by feature; a feature adds its keys here (not at import time elsewhere).
"""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # supervision/workflow: assign, acknowledge, extension, close-out, instructions
    "already_assigned": _l("This task has already been assigned."),
    "task_closed": _l("This task is closed."),
    "nothing_to_assign": _l("This plan has no task waiting to be assigned."),
    "bad_lead_unit": _l("Choose a current unit as lead unit."),
    "no_part": _l("Your unit has no part in this task."),
    "lead_unit_only": _l("Only the lead unit's liaison can do this."),
    "not_assigned_to_unit": _l("This task has not been assigned to your unit yet."),
    "already_acknowledged": _l("Your unit has already acknowledged this task."),
    "not_assigned": _l("This task has not been assigned yet."),
    "extension_pending": _l("An extension request for this task is awaiting a decision."),
    "no_due_date": _l("This task has no due date to extend."),
    "date_in_past": _l("The new due date cannot be in the past."),
    "date_not_later": _l("The new due date must be after the current due date."),
    "close_out_pending": _l("A close-out request for this task is awaiting a decision."),
    "bad_decision": _l("Choose a decision."),
    "already_decided": _l("This request has already been decided."),
    "note_required": _l("Say why: a rejection needs a note."),
    "decide_extension_first": _l(
        "An extension request on this task awaits a decision: decide it before closing the task."
    ),
    "already_answered": _l("This instruction has already been answered."),
    "leader_only": _l("Only a leader can write instructions."),
    "evidence_rejected": _l("An evidence file was refused: %(reason)s"),
    # supervision/notices
    "notice_task_not_open": _l("A supervision notice can only be issued on an assigned task."),
    "notice_already_answered": _l("This notice has already been answered."),
    "notice_closed": _l("This notice is closed."),
    "notice_bad_days": _l("The answer deadline must be between 1 and 30 working days."),
    # reports: saving, submitting, corrections, review
    "version_conflict": _l(
        "Someone else saved this report while you were editing it. Your text is kept "
        "below: compare it with the saved version, then save again."
    ),
    "task_not_open_for_reporting": _l("This task is not open for reporting."),
    "report_submitted": _l("This report has been submitted and can no longer be changed."),
    "report_accepted": _l("This report was accepted. Start a correction to change it."),
    "progress_missing": _l("Fill in this month's progress before submitting."),
    "nothing_to_copy": _l("There is no report from last month to copy."),
    "correction_not_allowed": _l("Only an accepted report of your unit can be corrected."),
    "correction_exists": _l("A correction of this report already exists."),
    "office_reviews_only": _l("Only the supervision office reviews reports."),
    "review_not_submitted": _l("Only submitted reports can be reviewed."),
    "quality_required": _l("Choose a quality rating to accept the report."),
    "return_reason_required": _l("Give a reason when returning a report."),
    "unknown_decision": _l("Unknown decision."),
    # scoring: rule sets and adjustments
    "bad_first_month": _l("Give the first month as YYYY-MM."),
    "wrong_sign_amounts": _l(
        "Deductions must be zero or less and credits zero or more: %(rules)s."
    ),
    "rule_change_note_required": _l("Say why the rules change."),
    "adjustment_reason_required": _l("Give the reason for the adjustment."),
    "zero_adjustment": _l("An adjustment of zero changes nothing."),
    "adjustment_unit_required": _l("Choose a unit."),
    # scoring/bulletins
    "bad_bulletin_period": _l(
        "Give the period as YYYY-MM, YYYY-Qn or YYYY (e.g. 2026-10, 2026-Q4, 2026)."
    ),
    "period_not_begun": _l("This period has not begun yet."),
    "no_scores": _l("No scorecard is stored for this period: compute the scores first."),
    "months_missing": _l("The scores of %(months)s are not stored: compute them first."),
    "published": _l("A published bulletin can no longer be changed."),
    # calendar
    "duplicate_override": _l("This date already has an override. Delete it first to change it."),
    # plans: intake (create, edit, archive, reassign, split, merge, re-date)
    "lead_required": _l("Choose a lead unit."),
    "bad_unit": _l("Choose current units only."),
    "lead_in_co_units": _l("The lead unit cannot also be a co-unit."),
    "duplicate_co_unit": _l("A co-unit is named twice."),
    "nothing_changed": _l("The units are the same as before."),
    "reason_required": _l("Give a reason."),
    "duplicate_plan": _l("A plan with this document number and title already exists."),
    "bad_parent": _l("Choose a section of this plan."),
    "has_history": _l("This has a history and cannot be deleted: archive it with a reason."),
    "already_archived": _l("This is already archived."),
    "archived": _l("An archived task cannot be changed."),
    "target_required": _l("Choose the task to merge into."),
    "merge_into_itself": _l("A task cannot be merged into itself."),
    "split_needs_parts": _l("Name at least one sub-task."),
    "split_part_incomplete": _l("Each sub-task needs a title and a lead unit."),
    "date_required": _l("Enter the new due date."),
    "date_unchanged": _l("The due date is the same as before."),
    "bad_deadline_unit": _l("Choose working days, days or months."),
    "bad_deadline_amount": _l("Enter 1 to 365 days, or 1 to 24 months."),
    # plans/milestones (节点)
    "milestone_bad_unit": _l("Choose the lead unit or one of the task's co-units."),
    "milestone_note_required": _l("Say what was delivered: marking a milestone done needs a note."),
    "milestone_already_done": _l("This milestone is already marked done."),
    "milestone_not_done": _l("This milestone is not marked done."),
    "milestone_no_part": _l(
        "Only the unit responsible for this milestone or the office can do this."
    ),
    "milestone_bad_percent": _l("The expected percent must be between 0 and 100."),
    # plans/people (分管领导, 责任人)
    "people_not_a_leader": _l("Choose an active leader account."),
    "people_bad_unit": _l("Choose the lead unit or one of the task's co-units."),
    # units/reorganise: reorganisations, successors to confirm, the split wizard
    "reorg_unit_required": _l("Choose the unit that was reorganised."),
    "reorg_successor_required": _l("Choose at least one successor."),
    "reorg_bad_successors": _l("Each successor once, and not the unit itself."),
    "successor_cycle": _l("A unit cannot succeed itself, directly or not."),
    "reorg_already_confirmed": _l("This successor is already confirmed."),
    "reorg_no_successor": _l("This reorganisation names no successor for this unit."),
    "reorg_nothing_routed": _l("Choose a successor for at least one task."),
    "reorg_task_gone": _l("A task has changed meanwhile: check the list and try again."),
    # supervision/workflow/contest: 退回交办 (issue 14)
    "contest_not_assigned": _l("This task has not been assigned to your unit."),
    "contest_acknowledged": _l(
        "Your unit has acknowledged this task: an acknowledged assignment cannot be returned."
    ),
    "contest_window_closed": _l(
        "The time to return this assignment ended on %(date)s.",
    ),
    "contest_already_filed": _l("Your unit has already returned this task once."),
    "contest_reason_required": _l("Say why the task is not your unit's duty."),
    "contest_decided": _l("This return has already been decided."),
    "contest_open": _l(
        "Your unit has returned this task; the supervision office decides before it can be "
        "acknowledged."
    ),
    "contest_same_unit": _l("Choose another unit than the one that returned the task."),
    # reports/load: linked tasks (一报多用, issue 14)
    "link_two_tasks": _l("Choose at least two different tasks to link (at most 20)."),
    "link_unknown_task": _l("One of these tasks does not exist."),
    "link_archived_task": _l("A withdrawn task cannot be linked."),
    "link_not_linked": _l("This task is not linked to other tasks."),
    # the uploaded original was refused; `reason` is already a translated sentence
    "bad_original": "%(reason)s",
}

# refusals that belong to one field of the form (shown beside it) unless the raiser says
FIELDS = {
    "date_in_past": "requested_due",
    "date_not_later": "requested_due",
    "note_required": "note",
    "bad_lead_unit": "lead_unit_id",
    "evidence_rejected": "evidence",
    "notice_bad_days": "answer_working_days",
    "duplicate_override": "day",
    "contest_reason_required": "reason",
    "contest_same_unit": "lead_unit_id",
}

GENERIC = _l("This step cannot be done now.")


class StepRefused(Exception):
    """A refused step: `key` names the rule, `field` the form field it concerns (if any),
    `message` is what the user reads."""

    def __init__(self, key: str, field: str | None = None, **params):
        super().__init__(key)
        self.key = key
        self.field = field if field is not None else FIELDS.get(key)
        self.params = params

    @property
    def message(self) -> str:
        text = MESSAGES.get(self.key, GENERIC)
        return str(text % self.params) if self.params else str(text)


def message(key: str, **params) -> str:
    """The catalogue's message for `key` (for a page that explains a refusal up front)."""
    return StepRefused(key, **params).message
