"""Pages: a user's personal access tokens; the admin's service tokens and event endpoints.
A new token's secret (and an endpoint's signing secret) is shown once, on the page that
made it, and never again."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import role_required
from tracker.api import tokens
from tracker.api.forms import EVENT_LABELS, EndpointForm, ServiceTokenForm, TokenForm
from tracker.api.models import ApiToken
from tracker.api.rules import endpoint_url_problem
from tracker.audit import record
from tracker.common.forms import ActionForm
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.supervision.delivery.events import EventEndpoint, new_secret

bp = Blueprint("api_tokens", __name__)

URL_MESSAGES = {
    "endpoint_url_invalid": lambda: _("Give a full address, e.g. https://oa.example.gov.cn/hook."),
    "endpoint_url_not_https": lambda: _("Events are sent to HTTPS addresses only."),
}


# ---------------------------------------------------------------- personal tokens


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def personal():
    form = TokenForm()
    secret = None
    status = 200
    if form.is_submitted():
        if form.validate():
            _token, secret = tokens.create_token(
                current_user, form.name.data, can_write=form.scope.data == "write"
            )
            db.session.commit()
            form = TokenForm(formdata=None)
        else:
            status = 400
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens.tokens_of(current_user),
        secret=secret,
        action_form=ActionForm(),
        is_admin=current_user.has_role(Role.ADMIN),
    ), status


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_personal(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or token.kind != tokens.PERSONAL:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    tokens.revoke(token, current_user)
    db.session.commit()
    flash(_("The token was revoked: it no longer works."), "success")
    return redirect(url_for("api_tokens.personal"))


# ---------------------------------------------------------------- service tokens


def _service_form(formdata=True) -> ServiceTokenForm:
    form = ServiceTokenForm() if formdata else ServiceTokenForm(formdata=None)
    if not formdata or not form.is_submitted():
        form.owner.data = current_user.username  # a new form: the admin's own account
    form.plan_ids.choices = [
        (p.id, f"{p.doc_number or ''} {p.title}".strip())
        for p in db.session.scalars(
            select(Plan).where(Plan.archived_at.is_(None)).order_by(Plan.id)
        )
    ]
    return form


@bp.route("/admin/service-tokens", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def service():
    form = _service_form()
    secret, status = None, 200
    if form.is_submitted():
        owner = None
        if form.validate():
            owner = db.session.scalar(
                select(User).where(User.username == form.owner.data.strip(), User.active.is_(True))
            )
            if owner is None:
                form.owner.errors.append(_("No enabled account has this username."))
        if owner is not None:
            _token, secret = tokens.create_token(
                owner,
                form.name.data,
                can_write=form.scope.data == "write",
                kind=tokens.SERVICE,
                created_by=current_user,
                unit_ids=form.unit_ids.data,
                plan_ids=form.plan_ids.data,
            )
            db.session.commit()
            form = _service_form(formdata=False)
        else:
            status = 400
    found = tokens.service_tokens()
    owners = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({t.user_id for t in found})))
    }
    return render_template(
        "api/service_tokens.html",
        form=form,
        tokens=found,
        owners=owners,
        secret=secret,
        action_form=ActionForm(),
    ), status


@bp.route("/admin/service-tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(Role.ADMIN)
def revoke_service(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.kind != tokens.SERVICE:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    tokens.revoke(token, current_user)
    db.session.commit()
    flash(_("The token was revoked: it no longer works."), "success")
    return redirect(url_for("api_tokens.service"))


# ---------------------------------------------------------------- event endpoints


@bp.route("/admin/event-endpoints", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def endpoints():
    form = EndpointForm()
    secret, status = None, 200
    if form.is_submitted():
        valid = form.validate()
        problem = endpoint_url_problem(
            form.url.data or "", current_app.config.get("TRACKER_EVENTS_ALLOW_LOCAL_HTTP", False)
        )
        if problem and form.url.data:
            form.url.errors = [*form.url.errors, URL_MESSAGES[problem]()]
            valid = False
        if valid:
            secret = new_secret()
            endpoint = EventEndpoint(
                name=form.name.data.strip(),
                url=form.url.data.strip(),
                secret=secret,
                events=list(form.events.data),
                active=bool(form.active.data),
                created_by_id=current_user.id,
            )
            db.session.add(endpoint)
            db.session.flush()
            record(
                "event_endpoint.created",
                endpoint,
                detail={"name": endpoint.name, "url": endpoint.url, "events": endpoint.events},
            )
            db.session.commit()
            form = EndpointForm(formdata=None)
        else:
            status = 400
    return render_template(
        "api/endpoints.html",
        form=form,
        endpoints=db.session.scalars(select(EventEndpoint).order_by(EventEndpoint.id)).all(),
        secret=secret,
        event_labels=EVENT_LABELS,
        action_form=ActionForm(),
    ), status


@bp.route("/admin/event-endpoints/<int:endpoint_id>/toggle", methods=["POST"])
@role_required(Role.ADMIN)
def toggle_endpoint(endpoint_id: int):
    endpoint = db.session.get(EventEndpoint, endpoint_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    endpoint.active = not endpoint.active
    record("event_endpoint.updated", endpoint, detail={"active": endpoint.active})
    db.session.commit()
    return redirect(url_for("api_tokens.endpoints"))
