"""Unit administration form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tracker.common.forms import IntegerField
from tracker.units.models import UNIT_KIND_LABELS


class UnitForm(FlaskForm):
    name = StringField(
        _l("Name as written in documents"),
        validators=[DataRequired(_l("Enter the unit's name.")), Length(max=100)],
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    code = StringField(
        _l("Short code"),
        validators=[
            DataRequired(_l("Enter a short code.")),
            Regexp(r"^[a-z]{2,16}$", message=_l("2 to 16 lowercase letters.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=[(str(k), v) for k, v in UNIT_KIND_LABELS.items()])
    aliases_text = StringField(
        _l("Other names (separated by 、 or commas)"), validators=[Optional(), Length(max=500)]
    )
    category_id = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    successor_id = SelectField(_l("Successor"), coerce=int, validators=[Optional()])
    successor_note = TextAreaField(
        _l("Note on the reorganisation"), validators=[Optional(), Length(max=1000)]
    )


class CategoryForm(FlaskForm):
    """A unit category (分类考核): its name and its place in the bulletins' order."""

    name = StringField(
        _l("Category"),
        validators=[DataRequired(_l("Enter the category's name.")), Length(max=50)],
    )
    position = IntegerField(_l("Order"), validators=[Optional()], minimum=0, maximum=999)
