"""Sign-in and password services: load, apply the rules, write, flush (callers commit)."""

import hashlib
import secrets
from datetime import UTC, datetime
from functools import lru_cache

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.accounts import rules
from tracker.accounts.models import RecoveryCode, Role, User, password_hash_method
from tracker.audit import ACTION_LABELS, record
from tracker.extensions import db
from tracker.settings import DEFAULTS, get_setting, set_setting

ACTION_LABELS.update(
    {
        "user.sign_in_locked": _l("Sign-in locked after repeated failures"),
        "user.unlocked": _l("Sign-in lock lifted"),
        "user.password_changed": _l("Password changed"),
        "user.second_factor_failed": _l("Wrong second-factor code"),
        "user.totp_enabled": _l("Second factor turned on"),
        "user.totp_disabled": _l("Second factor turned off"),
        "user.recovery_code_used": _l("Recovery code used"),
        "settings.security_changed": _l("Sign-in security settings changed"),
    }
)

# Roles whose accounts the admin may require to use a second factor.
TOTP_ROLES = (Role.ADMIN, Role.OFFICE)
DEFAULTS.setdefault("totp_required", False)

PASSWORD_MESSAGES = {
    rules.BLANK: _l("Enter a password (spaces alone are not a password)."),
    rules.TOO_SHORT: _l("At least %(n)d characters.", n=rules.MIN_PASSWORD_LENGTH),
    rules.TOO_LONG: _l("At most %(n)d characters.", n=rules.MAX_PASSWORD_LENGTH),
    rules.CONTAINS_USERNAME: _l("The password must not contain the username."),
    rules.TOO_GUESSABLE: _l(
        "This password is too easy to guess (a common password, a sequence, a date or a "
        "repeated pattern). Use a longer phrase of several unrelated words."
    ),
}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- passwords ----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(username: str, password: str) -> User | None:
    """The user whose name and password these are, else None.

    An unknown name costs the same as a known one: its password is checked against a dummy
    hash made with the same method, so the answer's timing does not tell which names exist.
    """
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def password_errors(password: str, username: str, display_name: str = "") -> list[str]:
    """The password rules' refusals, as messages in the user's language."""
    problems = rules.password_problems(password or "", username, (display_name,))
    return [str(PASSWORD_MESSAGES[p]) for p in problems]


def change_own_password(user: User, new_password: str) -> None:
    """The user chose a new password (checked by the caller): other sessions end."""
    user.set_password(new_password)
    user.must_change_password = False
    record("user.password_changed", user, actor=user)
    db.session.flush()


def set_password_by_admin(user: User, new_password: str) -> None:
    """A password the admin sets is known to two people: the user changes it at sign-in."""
    user.set_password(new_password)
    user.must_change_password = True


# --- second factor (TOTP) ------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10


def totp_required_for(user: User) -> bool:
    """The admin requires a second factor of admin and office accounts (setting). Asked at
    sign-in (not on every request: list pages keep their statement counts)."""
    return user.has_role(*TOTP_ROLES) and bool(get_setting("totp_required"))


def set_totp_required(value: bool, admin: User) -> None:
    """Turning the requirement on ends the sessions of the admin and office users who have
    no second factor yet: they set it up when they sign in again."""
    before = bool(get_setting("totp_required"))
    set_setting("totp_required", bool(value), admin)
    ended = []
    if value and not before:
        users = db.session.scalars(
            select(User).where(
                User.role.in_([str(r) for r in TOTP_ROLES]), User.totp_secret.is_(None)
            )
        ).all()
        for user in users:
            user.end_sessions()
            ended.append(user.username)
    record(
        "settings.security_changed",
        detail={"totp_required": {"before": before, "after": bool(value)}, "signed_out": ended},
    )
    db.session.flush()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def _totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step a 6-digit code belongs to (±1 step of clock drift), else None.
    A step already used is refused: a code seen over a shoulder cannot be replayed."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdecimal()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable_totp(user: User, secret: str, code: str, now: datetime) -> list[str] | None:
    """Turn the second factor on once the user proved the app holds `secret`; the new
    recovery codes (shown once, stored hashed), or None if the code is wrong."""
    step = _totp_step(secret, code, now, None)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record("user.totp_enabled", user, actor=user)
    db.session.flush()
    return codes


def disable_totp(user: User, actor: User) -> None:
    """The user (or the admin, for a lost phone) turns the second factor off."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=_utcnow())
    )
    user.end_sessions()
    record("user.totp_disabled", user, actor=actor)
    db.session.flush()


def check_second_factor(user: User, code: str, now: datetime) -> bool:
    """A current TOTP code or an unused recovery code (which is then used up)."""
    step = _totp_step(user.totp_secret or "", code, now, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.session.flush()
        return True
    normal = _normal_recovery_code(code)
    if not normal:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(normal),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=_utcnow())
    ).rowcount
    if used:
        left = db.session.scalar(
            select(db.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        record("user.recovery_code_used", user, actor=user, detail={"left": left})
        db.session.flush()
    return bool(used)


def _normal_recovery_code(code: str) -> str:
    return "".join(c for c in (code or "").lower() if c.isalnum())[:32]


def _recovery_hash(normal: str) -> str:
    # 50 random bits from a 32-letter alphabet, single use, throttled like passwords: a
    # plain SHA-256 is enough (a slow hash guards low-entropy secrets such as passwords).
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=_utcnow())
    )
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    return codes
