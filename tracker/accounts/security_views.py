"""Sign-in security pages: the second-factor step, the user's own password and second
factor, and the admin's unlock, second-factor reset and security settings."""

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from markupsafe import Markup
from sqlalchemy import select

from tracker.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    LoginForm,
    SecuritySettingsForm,
    SignOutForm,
    TotpDisableForm,
)
from tracker.accounts.models import Role, User
from tracker.accounts.permissions import role_required
from tracker.accounts.services import (
    change_own_password,
    check_second_factor,
    disable_totp,
    enable_totp,
    new_totp_secret,
    password_errors,
    set_totp_required,
    totp_required_for,
    totp_uri,
)
from tracker.accounts.signin import (
    lock_message,
    now_utc,
    pending_user_id,
    second_factor_failed,
    start_session,
)
from tracker.accounts.throttle import throttle
from tracker.audit import record
from tracker.common.http import safe_next
from tracker.extensions import db
from tracker.settings import get_setting

bp = Blueprint("security", __name__)


@bp.app_errorhandler(429)
def too_many_requests(_error):
    """Flask-Limiter's per-address request limit on the sign-in form (audited)."""
    record("user.sign_in_locked", detail={"scope": "requests", "attempt_refused": True})
    db.session.commit()
    flash(_("Too many sign-in attempts from this computer. Wait a minute and try again."))
    return render_template("accounts/login.html", form=_login_form()), 429


def _login_form():
    return LoginForm(formdata=None)


# --- the second step of signing in ------------------------------------------------------


@bp.route("/login/second-factor", methods=["GET", "POST"])
def second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    pending = pending_user_id()
    if pending is None:
        session.clear()
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    user = db.session.scalar(select(User).where(User.id == int(pending[0])))
    if user is None or user.session_nonce != pending[1] or not user.active:
        session.clear()
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        lock = throttle().lock(user.username, request.remote_addr)
        if lock is None and check_second_factor(user, form.code.data, now_utc()):
            next_url = session.get("pending_next")
            start_session(user)
            db.session.commit()
            return redirect(safe_next(next_url) or url_for("pages.home"))
        if lock is None:
            lock = second_factor_failed(user)
        db.session.commit()
        if lock is not None:
            session.clear()
            flash(lock_message(lock), "error")
            return redirect(url_for("accounts.login"))
        form.code.errors.append(_("Wrong or already used code."))
    return render_template("accounts/second_factor.html", form=form)


# --- the user's own password and second factor ------------------------------------------


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = db.session.get(User, current_user.id)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(_("Choose a password different from the old one."))
        else:
            problems = password_errors(form.new_password.data, user.username, user.display_name)
            form.new_password.errors.extend(problems)
            if not problems:
                change_own_password(user, form.new_password.data)
                db.session.commit()
                login_user(user)  # this session goes on with the new nonce; others end
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("pages.home"))
    return render_template("accounts/password.html", form=form, forced=user.must_change_password)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def totp_setup():
    user = db.session.get(User, current_user.id)
    if user.totp_enabled:
        return render_template(
            "accounts/totp.html", user=user, disable_form=TotpDisableForm(), codes=None
        )
    form = CodeForm()
    secret = session.get("totp_secret_pending")
    if request.method == "GET" or not secret:
        secret = session["totp_secret_pending"] = new_totp_secret()
    codes = None
    if form.validate_on_submit():
        codes = enable_totp(user, secret, form.code.data, now_utc())
        if codes is None:
            form.code.errors.append(_("Wrong code. Check the phone's clock and try again."))
        else:
            db.session.commit()
            session.pop("totp_secret_pending", None)
            flash(_("The second factor is on."), "success")
            return render_template(
                "accounts/totp.html", user=user, codes=codes, disable_form=TotpDisableForm()
            )
    uri = totp_uri(user, secret, issuer=_("Supervision System"))
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, omitsize=False))
    return render_template(
        "accounts/totp_setup.html",
        form=form,
        secret=secret,
        qr=qr,
        required=totp_required_for(user),
    )


@bp.route("/account/second-factor/off", methods=["POST"])
@login_required
def totp_disable():
    user = db.session.get(User, current_user.id)
    form = TotpDisableForm()
    if not form.validate_on_submit() or not user.totp_enabled:
        abort(400)
    if totp_required_for(user):
        flash(_("Your account must use a second factor; it cannot be turned off."), "error")
        return redirect(url_for("security.totp_setup"))
    if not user.check_password(form.password.data):
        flash(_("This is not your current password."), "error")
        return redirect(url_for("security.totp_setup"))
    disable_totp(user, actor=user)
    db.session.commit()
    login_user(user)
    flash(_("The second factor is off."), "info")
    return redirect(url_for("security.totp_setup"))


# --- the admin ------------------------------------------------------------------------------


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@role_required(Role.ADMIN)
def unlock_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not SignOutForm().validate_on_submit():
        abort(400)
    throttle().unlock(user.username)
    record("user.unlocked", user)
    db.session.commit()
    flash(_("Sign-in for %(name)s is unlocked.", name=user.username), "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/second-factor/reset", methods=["POST"])
@role_required(Role.ADMIN)
def reset_totp(user_id: int):
    """A lost phone: the admin turns the user's second factor off (enrol again at sign-in
    if it is required)."""
    user = db.session.get(User, user_id) or abort(404)
    if not SignOutForm().validate_on_submit():
        abort(400)
    if user.totp_enabled:
        disable_totp(user, actor=current_user)
        db.session.commit()
        flash(_("The second factor of %(name)s is reset.", name=user.username), "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/admin/security", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings():
    form = SecuritySettingsForm()
    if request.method == "GET":
        form.totp_required.data = bool(get_setting("totp_required"))
    if form.validate_on_submit():
        set_totp_required(form.totp_required.data, current_user)
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("security.settings"))
    config = current_app.config
    return render_template(
        "accounts/security.html",
        form=form,
        limits={
            "account": config["TRACKER_SIGNIN_ACCOUNT_LIMIT"],
            "address": config["TRACKER_SIGNIN_ADDRESS_LIMIT"],
            "idle": config["TRACKER_SESSION_IDLE_MINUTES"],
            "max_hours": config["TRACKER_SESSION_MAX_HOURS"],
            "shared": config["RATELIMIT_STORAGE_URI"] != "memory://",
        },
    )
