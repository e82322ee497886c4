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
}

# refusals that belong to one field of the form (shown beside it) unless the raiser says
FIELDS = {
    "date_in_past": "requested_due",
    "date_not_later": "requested_due",
    "note_required": "note",
    "bad_lead_unit": "lead_unit_id",
    "evidence_rejected": "evidence",
    "notice_bad_days": "answer_working_days",
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
