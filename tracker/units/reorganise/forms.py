"""Forms of the reorganisation pages. Units are typed by name or code (UnitField): the
reorganised unit may be any unit, its successors only current ones."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.units.forms import UnitField

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
    unit_id = UnitField(_l("Unit reorganised"), current_only=False)
    successor_1 = UnitField(_l("Main successor"))
    duties_1 = StringField(_l("Duties it takes over"), validators=[Optional(), Length(max=200)])
    successor_2 = UnitField(_l("Second successor"))
    duties_2 = StringField(_l("Duties it takes over"), validators=[Optional(), Length(max=200)])
    successor_3 = UnitField(_l("Third successor"))
    duties_3 = StringField(_l("Duties it takes over"), validators=[Optional(), Length(max=200)])

    def successors(self) -> list[tuple[int, str]]:
        return [
            (getattr(self, f"successor_{i}").data, getattr(self, f"duties_{i}").data)
            for i in range(1, ROWS + 1)
        ]


class ConfirmForm(FlaskForm):
    successor_id = UnitField(_l("Successor"))
