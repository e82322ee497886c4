"""Forms for sign-in, the language switch and user administration (CSRF via Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from tracker.accounts.models import ROLE_LABELS
from tracker.units.forms import UnitField


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
    unit_id = UnitField(_l("Unit"), current_only=False)  # typed: 2,000 units (issue 13)
    # strength and "not the user name" are checked by accounts.rules.password_problems
    password = PasswordField(_l("Password"), validators=[Optional()])
    active = BooleanField(_l("Account enabled"), default=True)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"), validators=[InputRequired(_l("Enter a new password."))]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again.")),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=32)],
    )


class TotpDisableForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class SecuritySettingsForm(FlaskForm):
    totp_required = BooleanField(
        _l("Administrators and supervision office staff must use a second factor")
    )
