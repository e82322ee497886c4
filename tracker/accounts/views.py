"""Sign-in, sign-out, the home page of each role, the language switch and user admin."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.accounts.forms import LanguageForm, LoginForm, SignOutForm, UserForm
from tracker.accounts.models import Role, User
from tracker.accounts.permissions import role_required
from tracker.accounts.services import password_errors, set_password_by_admin
from tracker.accounts.signin import (
    check_password_attempt,
    hold_for_second_factor,
    lock_message,
    start_session,
)
from tracker.accounts.throttle import throttle
from tracker.audit import AuditEvent, record
from tracker.common.http import DB_INT_MAX, int_arg, safe_next
from tracker.common.text import contains
from tracker.config import LOCALE_COOKIE, SUPPORTED_LOCALES
from tracker.extensions import db
from tracker.units.forms import unit_datalist

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in (throttled per account and address; see accounts.signin and throttle)."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        attempt = check_password_attempt(username, form.password.data)
        user = attempt.user
        if attempt.failed:
            db.session.commit()
            if attempt.lock is not None:
                flash(lock_message(attempt.lock), "error")
                status = 429
            else:
                flash(_("Wrong username or password."), "error")
        elif not user.active:
            record("user.sign_in_refused", user, actor=user, detail={"reason": "disabled"})
            db.session.commit()
            flash(_("This account is disabled. Ask the system administrator."), "error")
        elif user.totp_enabled:
            hold_for_second_factor(user, safe_next(request.args.get("next")))
            return redirect(url_for("security.second_factor"))
        else:
            next_url = safe_next(request.args.get("next"))
            start_session(user)  # a fresh session at sign-in
            db.session.commit()
            return redirect(next_url or url_for("pages.home"))
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    record("user.sign_out", user, actor=user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/lang", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in SUPPORTED_LOCALES:
        abort(400)
    response = make_response(redirect(safe_next(form.next.data) or url_for("pages.home")))
    response.set_cookie(
        LOCALE_COOKIE, form.lang.data, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


# --- user administration (admin only) ---------------------------------------------------


USERS_PAGE = 100  # a page of /admin/users (5,000 users at province scale, issue 13)


@bp.route("/admin/users")
@role_required(Role.ADMIN)
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    if role not in {r.value for r in Role}:
        role = ""
    conditions = []
    if q:
        conditions.append(contains(q, User.username, User.display_name))
    if role:
        conditions.append(User.role == role)
    total = db.session.scalar(select(func.count()).select_from(User).where(*conditions))
    pages = max(1, -(-total // USERS_PAGE))
    page = min(max(int_arg("page", 1) or 1, 1), pages)
    rows = db.session.scalars(
        select(User)
        .options(joinedload(User.unit))
        .where(*conditions)
        .order_by(User.role, User.username)
        .limit(USERS_PAGE)
        .offset((page - 1) * USERS_PAGE)
    ).all()
    guard = throttle()
    locked = {user.id for user in rows if guard.is_locked(user.username)}
    return render_template(
        "accounts/users.html",
        users=rows,
        form=SignOutForm(),
        locked=locked,
        filters={"q": q, "role": role},
        page_args={k: v for k, v in {"q": q, "role": role}.items() if v},
        roles=list(Role),
        page=page,
        pages=pages,
        total=total,
    )


def _apply_user_form(form: UserForm, user: User | None) -> User | None:
    """Validate the cross-field rules and save; None (with form errors) when refused."""
    username = form.username.data.strip()
    clash = db.session.scalar(select(User.id).where(User.username == username))
    if clash is not None and (user is None or clash != user.id):
        form.username.errors.append(_("This username is taken."))
        return None
    unit_id = form.unit_id.data or None
    if form.role.data == Role.LIAISON and unit_id is None:
        form.unit_id.errors.append(_("A liaison must belong to a unit."))
        return None
    if user is None and not form.password.data:
        form.password.errors.append(_("Set an initial password."))
        return None
    if user is not None and user.id == current_user.id and not form.active.data:
        form.active.errors.append(_("You cannot disable your own account."))
        return None
    if form.password.data:
        problems = password_errors(form.password.data, username, form.display_name.data)
        if problems:
            form.password.errors.extend(problems)
            return None
    creating = user is None
    if creating:
        user = User(username=username, password_hash="")
        db.session.add(user)
    before = {"role": user.role, "unit_id": user.unit_id, "active": user.active}
    user.username = username
    user.display_name = form.display_name.data.strip()
    user.role = form.role.data
    user.unit_id = unit_id
    if user.active and not form.active.data:
        user.end_sessions()  # disabling ends any open session at once
    user.active = form.active.data
    if form.password.data:
        # the user must change a password the admin knows at the first sign-in
        set_password_by_admin(user, form.password.data)
    db.session.flush()
    after = {"role": user.role, "unit_id": user.unit_id, "active": user.active}
    action = "user.created" if creating else "user.updated"
    detail = {"after": after} if creating else {"before": before, "after": after}
    if form.password.data and not creating:
        detail["password_reset"] = True
    record(action, user, detail=detail)
    return user


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new():
    form = UserForm()
    if form.validate_on_submit() and _apply_user_form(form, None):
        db.session.commit()
        flash(_("User created."), "success")
        return redirect(url_for("accounts.users"))
    db.session.rollback()
    return render_template("accounts/user_form.html", form=form, user=None,
                           unit_options=unit_datalist(current_only=False))  # fmt: skip


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    if form.validate_on_submit() and _apply_user_form(form, user):
        db.session.commit()
        flash(_("User saved."), "success")
        return redirect(url_for("accounts.users"))
    db.session.rollback()
    return render_template("accounts/user_form.html", form=form, user=user,
                           unit_options=unit_datalist(current_only=False))  # fmt: skip


@bp.route("/admin/audit")
@role_required(Role.ADMIN)
def audit_log():
    per_page = 50
    page = int_arg("page", 1, maximum=DB_INT_MAX // per_page)
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    return render_template(
        "accounts/audit.html",
        events=events[:per_page],
        page=page,
        has_next=len(events) > per_page,
    )
