"""Forms of people: name a leader in charge, name a responsible person (CSRF on both)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from tracker.common.forms import HiddenIntegerField
from tracker.common.http import parse_int


def _leader_id(value):
    """A chosen id; "" or None is "nobody"; anything else not an id is no valid choice."""
    if value in (None, "", "None"):
        return None
    number = parse_int(value, 1)
    return -1 if number is None else number


class LeaderForm(FlaskForm):
    """The leader in charge; the empty choice clears it (the task then inherits)."""

    leader_id = SelectField(_l("Leader in charge"), coerce=_leader_id, validate_choice=True)

    def set_choices(self, leaders: list[tuple[int, str]]) -> None:
        self.leader_id.choices = [(None, _l("— none (inherited) —")), *leaders]


class ResponsiblePersonForm(FlaskForm):
    """A unit's responsible person for a task: a name and a phone (an empty name clears)."""

    unit_id = HiddenIntegerField(minimum=1)
    name = StringField(_l("Responsible person"), validators=[Optional(), Length(max=50)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[0-9+\-() ]*$", message=_l("Enter a phone number (digits, + - and spaces).")),
        ],
    )
