"""The User and the four roles."""

import enum
import secrets
from datetime import UTC, datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICE = "office"
    LEADER = "leader"
    LIAISON = "liaison"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("System administrator"),
    Role.OFFICE: _l("Supervision office"),
    Role.LEADER: _l("Leader"),
    Role.LIAISON: _l("Liaison"),
}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _new_nonce() -> str:
    return secrets.token_hex(16)


def password_hash_method() -> str:
    """werkzeug's scrypt, unless the app says otherwise (tests use a fast pbkdf2)."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class User(UserMixin, db.Model):
    """A person who signs in. A liaison is bound to exactly one unit."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # delivery: every user has the in-app notification centre; e-mail is opt-in per user
    email: Mapped[str | None] = mapped_column(String(200))
    notify_email: Mapped[bool] = mapped_column(default=False)
    # Part of the session cookie's user id: changing it ends every session of this user
    # (sign-out, password change, disabling the account).
    session_nonce: Mapped[str] = mapped_column(String(32), default=_new_nonce)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    # sign-in security (issue 12): a password the admin set is changed at the first sign-in;
    # the TOTP secret is set once the user confirmed a code (its last used time step is kept
    # so that a code cannot be replayed).
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]

    unit = relationship("Unit", lazy="raise_on_sql")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_nonce}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())
        self.password_changed_at = _utcnow()
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_nonce = _new_nonce()

    def has_role(self, *roles: Role) -> bool:
        return self.role in {str(r) for r in roles}

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)


class RecoveryCode(db.Model):
    """A one-time code that replaces a TOTP code once (phone lost). Only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "user.sign_in": _l("Signed in"),
    "user.sign_in_failed": _l("Failed sign-in"),
    "user.sign_in_refused": _l("Sign-in refused (account disabled)"),
    "user.sign_out": _l("Signed out"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
}
