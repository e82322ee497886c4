"""Milestone forms (CSRF through Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.common.forms import IntegerField

TEXT_MAX = 2000


class MilestoneForm(FlaskForm):
    """Add or change a milestone (the office)."""

    due_date = DateField(
        _l("Milestone date"), validators=[DataRequired(_l("Enter the date (yyyy-mm-dd)."))]
    )
    deliverable = TextAreaField(
        _l("Deliverable"),
        validators=[
            DataRequired(_l("Say what must exist by this date.")),
            Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    unit_id = SelectField(_l("Responsible unit"), coerce=int, validate_choice=True)
    expected_percent = IntegerField(
        _l("Expected progress (%)"),
        validators=[
            Optional(),
            NumberRange(0, 100, message=_l("The expected percent must be between 0 and 100.")),
        ],
    )


class DoneForm(FlaskForm):
    """Mark a milestone done with a note on the evidence (office or the responsible unit)."""

    note = TextAreaField(
        _l("What was delivered (evidence)"),
        validators=[
            DataRequired(_l("Say what was delivered: marking a milestone done needs a note.")),
            Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


class ReopenForm(FlaskForm):
    """The office reopens a milestone marked done, with a reason."""

    note = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason.")),
            Length(max=TEXT_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
