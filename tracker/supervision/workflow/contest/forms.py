"""Forms of contesting an assignment (CSRF via Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.supervision.workflow.contest.rules import INSIST, REASON_MAX, REASSIGN


def optional_int(value):
    """A select's value as an int; the empty choice ("—") as None."""
    if value in ("", None):
        return None
    return int(value)


class ContestForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this task not your unit's duty?"),
        validators=[
            DataRequired(_l("Say why the task is not your unit's duty.")),
            Length(max=REASON_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            (REASSIGN, _l("Reassign to another lead unit")),
            (INSIST, _l("Insist: the unit keeps the task")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    lead_unit_id = SelectField(
        _l("New lead unit"), coerce=optional_int, validate_choice=False, validators=[Optional()]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason for the decision.")),
            Length(max=REASON_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
