"""Plan list, plan page, task page and the unit directory."""

from flask import Blueprint, abort, render_template
from flask_login import login_required

from tracker.accounts.permissions import current_scope
from tracker.extensions import db
from tracker.plans import services
from tracker.plans.models import Plan

bp = Blueprint("plans", __name__)


@bp.route("/plans")
@login_required
def plan_list():
    return render_template("plans/list.html", summaries=services.plan_summaries(current_scope()))


@bp.route("/plans/<int:plan_id>")
@login_required
def plan_detail(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    scope = current_scope()
    sections = services.plan_sections_with_tasks(plan, scope)
    if scope is not None and not any(tasks for _s, tasks in sections):
        abort(404)  # a liaison with no task in this plan learns nothing about it
    return render_template(
        "plans/detail.html",
        plan=plan,
        sections=sections,
        scoped=scope is not None,
        lights=services.lights_for([t for _s, tasks in sections for t in tasks]),
    )
