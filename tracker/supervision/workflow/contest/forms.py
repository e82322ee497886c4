"""Forms of contesting an assignment (CSRF via Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.supervision.workflow.contest.rules import INSIST, REASON_MAX, REASSIGN
from tracker.units.forms import UnitField


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
    lead_unit_id = UnitField(_l("New lead unit"))  # typed: current units (issue 13)
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason for the decision.")),
            Length(max=REASON_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
