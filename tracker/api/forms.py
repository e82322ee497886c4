"""Forms of the token and event endpoint pages (CSRF on every one)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.supervision.delivery.events import EVENTS
from tracker.units.forms import UnitsField

EVENT_LABELS = {
    "task.assigned": _l("Task assigned"),
    "report.submitted": _l("Report submitted"),
    "report.returned": _l("Report returned"),
    "report.accepted": _l("Report accepted"),
    "task.overdue": _l("Task overdue"),
    "notice.issued": _l("Supervision notice issued"),
    "bulletin.published": _l("Bulletin published"),
}


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the token a name.")), Length(max=100)],
        description=_l("What the token is for, e.g. “OA system” or “big screen”."),
    )
    scope = SelectField(
        _l("Access"),
        choices=[("read", _l("Read only")), ("write", _l("Read and write"))],
        default="read",
    )


class ServiceTokenForm(TokenForm):
    # the account's username, not a menu of every account (5,000 at province scale, 340 KB)
    owner = StringField(
        _l("Acts as"),
        validators=[DataRequired(message=_l("Give the account's username.")), Length(max=64)],
        description=_l(
            "The account's username. The token can do exactly what this account may do, never more."
        ),
    )
    unit_ids = UnitsField(_l("Only these units"))  # typed: 2,000 units at province scale
    plan_ids = SelectMultipleField(_l("Only these plans"), coerce=int, validators=[Optional()])


class EndpointForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the endpoint a name.")), Length(max=100)],
    )
    url = StringField(
        _l("HTTPS address"),
        validators=[DataRequired(message=_l("Give the address.")), Length(max=500)],
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[(e, EVENT_LABELS[e]) for e in EVENTS],
        validators=[DataRequired(message=_l("Choose at least one event."))],
    )
    active = BooleanField(_l("Active"), default=True)
