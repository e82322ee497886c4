"""Sign-in steps shared by the sign-in and second-factor pages, and the per-request session
rules: idle timeout, absolute lifetime, forced password change and second-factor enrolment.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tracker.accounts import rules
from tracker.accounts.models import User
from tracker.accounts.services import authenticate, totp_required_for
from tracker.accounts.throttle import ACCOUNT, Lock, throttle
from tracker.audit import record

# The pages a user may still open while a forced step (new password, then the second
# factor's set-up) waits.
OPEN_ENDPOINTS = {"static", "accounts.login", "accounts.logout", "accounts.set_language"}
PENDING_SECONDS = 300  # the second-factor page waits five minutes for its code


def now_utc() -> datetime:
    return datetime.now(UTC)


def lock_message(lock: Lock) -> str:
    if lock.scope == ACCOUNT:
        return _(
            "Too many failed sign-ins for this account. Try again in %(minutes)d minutes, "
            "or ask the system administrator to unlock it.",
            minutes=lock.minutes,
        )
    return _(
        "Too many failed sign-ins from this computer. Try again in %(minutes)d minutes.",
        minutes=lock.minutes,
    )


@dataclass
class Attempt:
    user: User | None = None
    lock: Lock | None = None  # refused because locked (before or by this failure)
    failed: bool = False


def check_password_attempt(username: str, password: str) -> Attempt:
    """One sign-in attempt under the throttle, audited (the caller commits).

    A locked account or address is refused before its password is checked (a correct
    password does not get through a lock); every failure and every lock is recorded.
    """
    address = request.remote_addr
    guard = throttle()
    lock = guard.lock(username, address)
    if lock is not None:
        record("user.sign_in_locked", detail=_lock_detail(username, lock, refused=True))
        return Attempt(lock=lock, failed=True)
    user = authenticate(username, password)
    if user is None:
        record("user.sign_in_failed", detail={"username": username[:64]})
        lock = guard.failed(username, address)
        if lock is not None:
            record("user.sign_in_locked", detail=_lock_detail(username, lock, refused=False))
        return Attempt(lock=lock, failed=True)
    return Attempt(user=user)


def second_factor_failed(user: User) -> Lock | None:
    record("user.second_factor_failed", user, actor=user)
    lock = throttle().failed(user.username, request.remote_addr)
    if lock is not None:
        record("user.sign_in_locked", user, detail=_lock_detail(user.username, lock, False))
    return lock


def _lock_detail(username: str, lock: Lock, refused: bool) -> dict:
    return {
        "username": username[:64],
        "scope": lock.scope,
        "minutes": lock.minutes,
        "attempt_refused": refused,
    }


def start_session(user: User) -> None:
    """A fresh session for a user who passed every step (audited; the caller commits)."""
    session.clear()
    login_user(user)
    stamp = now_utc().timestamp()
    session["signed_in_at"] = stamp
    session["last_seen"] = stamp
    session.permanent = True
    if not user.totp_enabled and totp_required_for(user):
        session["totp_setup_required"] = True
    throttle().succeeded(user.username)
    record("user.sign_in", user, actor=user)


def hold_for_second_factor(user: User, next_url: str | None) -> None:
    session.clear()
    session["pending_user"] = user.get_id()
    session["pending_at"] = now_utc().timestamp()
    if next_url:
        session["pending_next"] = next_url


def pending_user_id() -> tuple[str, str] | None:
    """(user id, session nonce) waiting for a second factor, if not expired."""
    pending, at = session.get("pending_user"), session.get("pending_at")
    if not pending or not at or now_utc().timestamp() - at > PENDING_SECONDS:
        return None
    user_id, _sep, nonce = str(pending).partition(".")
    return (user_id, nonce) if user_id.isdecimal() else None


def register_session_rules(app: Flask) -> None:
    @app.before_request
    def session_rules():
        """Ends idle or too old sessions, and holds a user at a forced step."""
        if request.endpoint in (None, "static") or not current_user.is_authenticated:
            return None
        now = now_utc()
        reason = rules.session_expiry(
            now,
            _stamp(session.get("signed_in_at")),
            _stamp(session.get("last_seen")),
            idle=timedelta(minutes=app.config["TRACKER_SESSION_IDLE_MINUTES"]),
            max_age=timedelta(hours=app.config["TRACKER_SESSION_MAX_HOURS"]),
        )
        if reason is not None:
            logout_user()
            session.clear()
            if reason == rules.IDLE:
                flash(_("You were signed out after a time without activity."), "info")
            else:
                flash(_("Your session has ended. Please sign in again."), "info")
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("accounts.login", next=target))
        if now.timestamp() - session["last_seen"] >= 30:  # fewer cookie rewrites
            session["last_seen"] = now.timestamp()
        endpoint = request.endpoint
        if endpoint in OPEN_ENDPOINTS:
            return None
        if current_user.must_change_password:
            if endpoint != "security.change_password":
                return redirect(url_for("security.change_password"))
            return None
        if endpoint in ("security.totp_setup", "security.change_password"):
            return None
        if session.get("totp_setup_required") and not current_user.totp_enabled:
            return redirect(url_for("security.totp_setup"))
        return None


def _stamp(value) -> datetime | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)
