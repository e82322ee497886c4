"""Forms of the workflow steps (CSRF via Flask-WTF). Rules that need the task's data (dates
against the current due date, one pending request …) live in rules.py, not here."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.supervision.workflow.rules import (
    CLOSE_OUT_DECISIONS,
    EXTENSION_DECISIONS,
    NEGATIVE_DECISIONS,
)
from tracker.units.forms import UnitField

REASON_MAX = 1000
NOTE_MAX = 1000
SUMMARY_MAX = 4000
TEXT_MAX = 2000


class AssignForm(FlaskForm):
    """The lead unit, typed (units/forms.UnitField, current units only; empty: the task's
    named lead unit, or its successor): the page's one `<datalist id="units">` offers the
    names instead of a 2,000-option menu (issue 13)."""

    lead_unit_id = UnitField(_l("Lead unit"))


class ExtensionForm(FlaskForm):
    requested_due = DateField(
        _l("New due date"),
        validators=[DataRequired(_l("Enter the new due date (yyyy-mm-dd)."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the task needs more time.")),
            Length(max=REASON_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


class _DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), validators=[DataRequired()])
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters."))],
    )

    def validate_note(self, field):
        if self.decision.data in NEGATIVE_DECISIONS and not (field.data or "").strip():
            raise ValidationError(_l("Say why: a rejection needs a note."))


class ExtensionDecisionForm(_DecisionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [
            (value, label)
            for value, label in zip(EXTENSION_DECISIONS, (_l("Approve"), _l("Reject")), strict=True)
        ]


class CloseOutDecisionForm(_DecisionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [
            (value, label)
            for value, label in zip(
                CLOSE_OUT_DECISIONS, (_l("Confirm close-out"), _l("Refuse")), strict=True
            )
        ]


class CloseOutForm(FlaskForm):
    summary = TextAreaField(
        _l("What was achieved"),
        validators=[
            DataRequired(_l("Summarise what was done to complete the task.")),
            Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    evidence = MultipleFileField(_l("Evidence"), validators=[Optional()])


class InstructionForm(FlaskForm):
    text = TextAreaField(
        _l("Instruction"),
        validators=[
            DataRequired(_l("Write the instruction.")),
            Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


class AnswerForm(FlaskForm):
    text = TextAreaField(
        _l("Answer"),
        validators=[
            DataRequired(_l("Write the answer.")),
            Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
