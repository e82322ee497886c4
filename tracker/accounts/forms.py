"""Forms for sign-in, the language switch and user administration (CSRF via Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tracker.accounts.models import ROLE_LABELS


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class SignOutForm(FlaskForm):
    pass


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(max=64),
            Regexp(
                r"^[A-Za-z0-9_.-]+$",
                message=_l("Use letters, digits, dot, dash or underscore only."),
            ),
        ],
    )
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)]
    )
    role = SelectField(_l("Role"), choices=[(str(r), label) for r, label in ROLE_LABELS.items()])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=8, message=_l("At least 8 characters."))],
    )
    active = BooleanField(_l("Account enabled"), default=True)
