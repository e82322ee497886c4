"""The public progress page (no sign-in), its printable view and open data; the office's
page that publishes and unpublishes plans."""

import csv
import io
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.forms import ActionForm
from tracker.extensions import db
from tracker.plans.lights import LIGHT_LABELS
from tracker.plans.models import TASK_STATUS_LABELS, Plan, TaskStatus
from tracker.public import queries, services
from tracker.public.rules import PUBLIC_TASK_FIELDS
from tracker.timeutil import today

bp = Blueprint("public", __name__)


def _page_of(slug: str) -> dict:
    entry = queries.published(slug)
    if entry is None:
        abort(404)
    return {"entry": entry, **queries.public_plan(entry, today())}


def _fresh(response: Response) -> Response:
    """Caches revalidate every time: unpublishing takes the page down at once."""
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/public/plans/<slug>")
def plan(slug: str):
    data = _page_of(slug)
    return _fresh(
        Response(render_template("public/plan.html", **data, printable=False, today=today()))
    )


@bp.route("/public/plans/<slug>/print")
def printable(slug: str):
    data = _page_of(slug)
    return _fresh(
        Response(render_template("public/plan.html", **data, printable=True, today=today()))
    )


@bp.route("/public/plans/<slug>/data.json")
def data_json(slug: str):
    data = _page_of(slug)
    plan = data["plan"]
    body = {
        "plan": {
            "doc_number": plan.doc_number,
            "title": plan.title,
            "issuer": plan.issuer,
            "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        },
        "as_of": today().isoformat(),
        "fields": list(PUBLIC_TASK_FIELDS),
        "tasks": [{k: row[k] for k in PUBLIC_TASK_FIELDS} for row in data["tasks"]],
    }
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.json"'
    return _fresh(response)


@bp.route("/public/plans/<slug>/data.csv")
def data_csv(slug: str):
    data = _page_of(slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PUBLIC_TASK_FIELDS)
    for row in data["tasks"]:
        writer.writerow(
            [
                "、".join(row[k]) if k == "co_units" else ("" if row[k] is None else row[k])
                for k in PUBLIC_TASK_FIELDS
            ]
        )
    # a BOM so that Excel opens the Chinese text as UTF-8
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return _fresh(response)


# ---------------------------------------------------------------- the office's page


@bp.route("/public/manage")
@role_required(Role.OFFICE)
def manage():
    return render_template(
        "public/manage.html", plans=queries.publishable_plans(), action_form=ActionForm()
    )


def _plan_for_step(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return plan


@bp.route("/public/manage/<int:plan_id>/publish", methods=["POST"])
@role_required(Role.OFFICE)
def publish(plan_id: int):
    plan = _plan_for_step(plan_id)
    if plan.archived_at is not None:
        flash(_("An archived plan cannot be published."), "error")
        return redirect(url_for("public.manage"))
    entry = services.publish(plan, current_user)
    db.session.commit()
    flash(
        _(
            "Published: anyone can now read its progress at %(url)s.",
            url=url_for("public.plan", slug=entry.slug),
        ),
        "success",
    )
    return redirect(url_for("public.manage"))


@bp.route("/public/manage/<int:plan_id>/unpublish", methods=["POST"])
@role_required(Role.OFFICE)
def unpublish(plan_id: int):
    plan = _plan_for_step(plan_id)
    services.unpublish(plan, current_user)
    db.session.commit()
    flash(_("The public page of this plan has been taken down."), "success")
    return redirect(url_for("public.manage"))


@bp.context_processor
def public_labels():
    return {
        "PUBLIC_STATUS_LABELS": {s.value: TASK_STATUS_LABELS[s] for s in TaskStatus},
        "PUBLIC_LIGHT_LABELS": LIGHT_LABELS,
    }
