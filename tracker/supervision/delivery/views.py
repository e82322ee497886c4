"""The notification centre (every signed-in user: own notifications only; another user's is
"not found"), the user's delivery preferences (e-mail address, daily e-mail digest), and the
units' group robots (WeCom / DingTalk webhooks; admin only)."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import role_required
from tracker.common.http import DB_INT_MAX, int_arg
from tracker.extensions import db
from tracker.supervision.delivery.outbox import WEBHOOK_KINDS
from tracker.supervision.models import Notification, OutboxMessage, UnitWebhook
from tracker.timeutil import utcnow
from tracker.units.forms import UnitField, unit_datalist
from tracker.units.models import Unit

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 50
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


BADGE_MOST = 99  # the header's badge counts up to this and shows "99+" beyond


@bp.app_context_processor
def unread_count():
    """`unread_notification_count()` for the header: the unread notifications counted up to
    BADGE_MOST + 1 (the badge then says "99+"), so an office user with thousands unread
    costs what one with a hundred does. One statement, only when a page asks."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        unread = (
            select(Notification.id)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .limit(BADGE_MOST + 1)
            .subquery()
        )
        return db.session.scalar(select(func.count()).select_from(unread))

    return {"unread_notification_count": count, "badge_most": BADGE_MOST}


# ---------------------------------------------------------------- forms


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class PreferencesForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )
    notify_email = BooleanField(_l("Send me a daily e-mail digest of my notifications"))

    def validate_email(self, field):
        if field.data and not EMAIL_RE.match(field.data.strip()):
            raise ValidationError(_l("Enter a valid e-mail address."))

    def validate_notify_email(self, field):
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Enter an e-mail address to receive the digest."))


class WebhookForm(FlaskForm):
    unit_id = UnitField(_l("Unit"), validators=[DataRequired(_l("Name the unit."))])
    kind = SelectField(
        _l("Robot"),
        choices=[("wecom", _l("WeCom group robot")), ("dingtalk", _l("DingTalk group robot"))],
        validators=[DataRequired()],
    )
    url = StringField(
        _l("Webhook address"),
        validators=[
            DataRequired(_l("Enter the robot's webhook address.")),
            Length(max=500, message=_l("At most %(max)d characters.")),
        ],
    )
    secret = StringField(
        _l("Signing secret (DingTalk, optional)"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )

    def validate_url(self, field):
        if not URL_RE.match((field.data or "").strip()):
            raise ValidationError(_l("The address must start with http:// or https://."))


# ---------------------------------------------------------------- notification centre


@bp.route("/notifications")
@login_required
def index():
    page = int_arg("page", 1, maximum=DB_INT_MAX // PAGE_SIZE)
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "supervision/notifications.html",
        notifications=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        form=ActionForm(),
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    """Mark one of the user's own notifications read; anyone else's is "not found"."""
    if not ActionForm().validate_on_submit():
        abort(400)
    changed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == current_user.id)
        .values(read_at=func.coalesce(Notification.read_at, utcnow()))
    ).rowcount
    if not changed:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    flash(_("All notifications marked read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Every user has the notification centre; the daily e-mail digest is opt-in."""
    user = db.session.get(User, current_user.id)
    form = PreferencesForm(obj=user)
    if request.method == "POST":
        if not form.validate_on_submit():
            db.session.rollback()
            flash(_("Nothing was saved: please correct the marked fields."), "error")
            return render_template("supervision/preferences.html", form=form), 400
        user.email = (form.email.data or "").strip() or None
        user.notify_email = bool(form.notify_email.data)
        db.session.commit()
        flash(_("Notification preferences saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("supervision/preferences.html", form=form)


# ---------------------------------------------------------------- unit robots (admin)


def _webhook_form() -> WebhookForm:
    return WebhookForm()  # the unit is typed (UnitField): current units only


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def webhooks():
    form = _webhook_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.kind.data in WEBHOOK_KINDS:
            db.session.add(
                UnitWebhook(
                    unit_id=form.unit_id.data,
                    kind=form.kind.data,
                    url=form.url.data.strip(),
                    secret=(form.secret.data or "").strip() or None,
                    active=True,
                )
            )
            db.session.commit()
            flash(_("Robot added."), "success")
            return redirect(url_for("notifications.webhooks"))
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked fields."), "error")
        status = 400
    rows = db.session.execute(
        select(UnitWebhook, Unit.name)
        .join(Unit, Unit.id == UnitWebhook.unit_id)
        .order_by(Unit.name, UnitWebhook.id)
    ).all()
    return render_template(
        "supervision/webhooks.html",
        hooks=rows,
        form=form,
        action_form=ActionForm(),
        unit_options=unit_datalist(),
    ), status


@bp.route("/admin/webhooks/<int:webhook_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def webhook_delete(webhook_id: int):
    """Remove a robot; its messages not yet sent are cancelled (state `cancelled`)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    hook = db.session.get(UnitWebhook, webhook_id)
    if hook is None:
        abort(404)
    prefix = f"{hook.kind}:{hook.id}:"
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.key.like(f"{prefix}%"),
            OutboxMessage.state.in_(("pending", "sending")),
        )
        .values(state="cancelled")
    )
    db.session.delete(hook)
    db.session.commit()
    flash(_("Robot removed."), "success")
    return redirect(url_for("notifications.webhooks"))
