"""Contesting an assignment (退回交办): the lead unit's liaison returns a task from the task
page; the office sees the open returns (/supervision/contests) and decides each on its own
page. Wrong role: 403; a liaison whose unit has no part in the task: 404; a co-unit: 403.
A refused step saves nothing."""

from flask import Blueprint, abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.supervision.workflow.contest import queries, services
from tracker.supervision.workflow.contest.forms import ContestForm, DecisionForm
from tracker.supervision.workflow.contest.rules import REASSIGN
from tracker.supervision.workflow.views import (
    _done,
    _form_step,
    _liaison_task,
    _task_or_404,
    _task_url,
)
from tracker.timeutil import today
from tracker.units.forms import unit_datalist

bp = Blueprint("contests", __name__)


@bp.route("/tasks/<int:task_id>/contest", methods=["POST"])
@login_required
def file(task_id: int):
    task = _liaison_task(task_id, lead_only=True)
    form = ContestForm()
    return _form_step(
        form,
        title=_("Return the assignment"),
        task=task,
        step=lambda: services.file_contest(task, current_user, today(), form.reason.data),
        message=_("Assignment returned: the supervision office will reassign the task or insist."),
    )


@bp.route("/supervision/contests")
@role_required(Role.OFFICE)
def queue():
    page = int_arg("page", 1) or 1
    rows, has_next = queries.open_contests(page)
    return render_template("contests/queue.html", rows=rows, page=page, has_next=has_next)


def _decision_page(contest, unit, task, form, status=200):
    options = unit_datalist() if not contest.outcome else ""
    return (
        render_template("contests/decide.html", contest=contest, unit=unit, task=task, form=form,
                        unit_options=options),
        status,
    )  # fmt: skip


@bp.route("/supervision/contests/<int:contest_id>", methods=["GET", "POST"])
@role_required(Role.OFFICE)
def decide(contest_id: int):
    contest = services.load_contest(contest_id) or abort(404)
    task = _task_or_404(contest.task_id)
    form = DecisionForm()
    unit = contest.unit.name  # read before a refusal's rollback expires the rows
    if not form.is_submitted():
        return _decision_page(contest, unit, task, form)
    if not form.validate_on_submit():
        flash(_("Nothing was saved: please correct the marked fields."), "error")
        return _decision_page(contest, unit, task, form, 400)
    new_lead = form.lead_unit_id.data if form.decision.data == REASSIGN else None
    try:
        services.decide_contest(
            contest, task, current_user, today(), form.decision.data, form.reason.data, new_lead
        )
    except StepRefused as error:
        db.session.rollback()
        field = getattr(form, error.field or "", None)
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "error")
        return _decision_page(contest, unit, task, form, 400)
    if new_lead:
        message = _("Task reassigned: the new lead unit acknowledges it.")
    else:
        message = _("Assignment upheld: the unit keeps the task.")
    return _done(_task_url(task.id), message)
