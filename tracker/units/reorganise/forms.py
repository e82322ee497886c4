"""Forms of the reorganisation pages. Unit choices are set by the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

ROWS = 3  # successors per unit in one form: enough for the splits on record


class ReorganisationForm(FlaskForm):
    title = StringField(
        _l("Reorganisation"),
        validators=[DataRequired(_l("Name the reorganisation.")), Length(max=200)],
    )
    doc_number = StringField(_l("Document number"), validators=[Optional(), Length(max=100)])
    effective_on = DateField(
        _l("Effective date"),
        validators=[DataRequired(_l("Enter the effective date as YYYY-MM-DD."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    unit_id = SelectField(_l("Unit reorganised"), coerce=int)
    successor_1 = SelectField(_l("Main successor"), coerce=int)
    duties_1 = StringField(_l("Duties it takes over"), validators=[Optional(), Length(max=200)])
    successor_2 = SelectField(_l("Second successor"), coerce=int)
    duties_2 = StringField(_l("Duties it takes over"), validators=[Optional(), Length(max=200)])
    successor_3 = SelectField(_l("Third successor"), coerce=int)
    duties_3 = StringField(_l("Duties it takes over"), validators=[Optional(), Length(max=200)])

    def successors(self) -> list[tuple[int, str]]:
        return [
            (getattr(self, f"successor_{i}").data, getattr(self, f"duties_{i}").data)
            for i in range(1, ROWS + 1)
        ]


class ConfirmForm(FlaskForm):
    successor_id = SelectField(_l("Successor"), coerce=int)
