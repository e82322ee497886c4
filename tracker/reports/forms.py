"""Forms of the liaison's month and of the office's review."""

from typing import NamedTuple

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


class _Shown(NamedTuple):
    data: object


class CardValues:
    """What a card's form shows when nothing was typed into it yet: each ReportForm field's
    `.data` as ReportForm(obj=report) would fill it, and no errors, without building a
    WTForms form (≈ 0.3 ms each, twice on the card page after every save at the deadline,
    35 times on the month page: issue 13). templates/reports/_month_card.html writes these
    fields out by hand; a form shown again with errors is a real ReportForm."""

    errors: dict = {}  # noqa: RUF012  (read-only: no card shown this way has errors)

    def __init__(self, report, task_id: int, period_id: int | None):
        self.task_id = _Shown(str(task_id))
        self.version = _Shown(str(report.version if report else 0))
        self.period_id = _Shown(str(period_id) if period_id else "")
        for name in ("progress", "percent", "problems", "next_steps"):
            setattr(self, name, _Shown(getattr(report, name) if report else None))


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
