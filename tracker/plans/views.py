"""Plan list, plan page, task page and the unit directory."""

from flask import Blueprint, abort, render_template
from flask_login import login_required

from tracker.accounts.permissions import current_scope
from tracker.calendar.services import load_calendar
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.plans import services
from tracker.plans.models import Plan
from tracker.plans.plan_page import plan_page
from tracker.settings import get_setting
from tracker.timeutil import today

bp = Blueprint("plans", __name__)


@bp.route("/plans")
@login_required
def plan_list():
    return render_template("plans/list.html", summaries=services.plan_summaries(current_scope()))


@bp.route("/plans/<int:plan_id>")
@login_required
def plan_detail(plan_id: int):
    """The plan by section; a large plan one section at a time (?section=<id>&page=<n>)."""
    plan = db.session.get(Plan, plan_id) or abort(404)
    scope = current_scope()
    view = plan_page(
        plan,
        scope,
        today(),
        load_calendar(),
        int(get_setting("yellow_working_days")),
        int_arg("section"),
        int_arg("page") or 1,
    )
    if scope is not None and not view.total:
        abort(404)  # a liaison with no task in this plan learns nothing about it
    return render_template(
        "plans/detail.html",
        plan=plan,
        view=view,
        sections=view.sections,
        scoped=scope is not None,
        lights=view.lights,
    )
