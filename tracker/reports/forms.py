"""Forms of the liaison's month and of the office's review."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.common.forms import HiddenIntegerField, IntegerField
from tracker.reports.models import QUALITY_LABELS


class ReportForm(FlaskForm):
    task_id = HiddenField(validators=[DataRequired()])
    version = HiddenIntegerField(default=0, minimum=0)
    period_id = HiddenField()  # an earlier month (补报); empty: this month
    progress = TextAreaField(_l("Progress this month"), validators=[Optional(), Length(max=5000)])
    percent = IntegerField(
        _l("Percent complete"),
        validators=[
            InputRequired(_l("Enter the percent complete (0 to 100).")),
            NumberRange(0, 100, _l("Enter the percent complete (0 to 100).")),
        ],
        default=None,  # empty until the liaison types: 0 % is a statement, not a default
    )
    problems = TextAreaField(_l("Problems met"), validators=[Optional(), Length(max=3000)])
    next_steps = TextAreaField(_l("Next steps"), validators=[Optional(), Length(max=3000)])


class PlainForm(FlaskForm):
    """A button that posts nothing but its CSRF token."""


class TaskActionForm(FlaskForm):
    task_id = HiddenField(validators=[DataRequired()])
    version = HiddenIntegerField(default=0, minimum=0)


class ReviewForm(FlaskForm):
    version = HiddenIntegerField(validators=[InputRequired()], minimum=0)
    quality = RadioField(
        _l("Quality"),
        choices=[(str(q), label) for q, label in QUALITY_LABELS.items()],
        validators=[Optional()],
    )
    reason = TextAreaField(_l("Reason for returning"), validators=[Optional(), Length(max=2000)])
