"""Milestone steps and the monthly pace list (序时进度), as thin handlers: check role and unit,
validate, call a service, commit once, go back to the task.

Who may do what (docs/milestones.md): the office adds, changes, deletes, marks done and
reopens; the liaison of the unit responsible for a milestone marks it done with a note. A
liaison whose unit has no part in the task gets 404 (it learns nothing); a role that never
may gets 403. The pace list and its files are for the office and leaders.
"""

import re
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.plans.milestones import exports, services
from tracker.plans.milestones.forms import DoneForm, MilestoneForm, ReopenForm
from tracker.plans.milestones.models import Milestone
from tracker.plans.milestones.queries import pace_list, unit_choices
from tracker.plans.models import Task, TaskCoUnit
from tracker.plans.permissions import can_view_task
from tracker.timeutil import month_end, today

bp = Blueprint("milestones", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _task_url(task_id: int) -> str:
    return url_for("pages.task_detail", task_id=task_id) + "#milestones"


def _load_task(task_id: int) -> Task:
    task = db.session.scalars(
        select(Task)
        .where(Task.id == task_id)
        .options(
            joinedload(Task.lead_unit),
            selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
        )
    ).one_or_none()
    if task is None or not can_view_task(current_user, task):
        abort(404)
    return task


def _load(milestone_id: int) -> tuple[Milestone, Task]:
    milestone = db.session.get(Milestone, milestone_id) or abort(404)
    return milestone, _load_task(milestone.task_id)


def _form_page(form, *, title: str, task: Task, error: StepRefused | None = None):
    """The form again with the user's input and the errors beside the fields (400)."""
    db.session.rollback()
    if error is not None:
        field = getattr(form, error.field or "", None)
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "error")
    flash(_("Nothing was saved: please correct the marked fields."), "error")
    page = render_template(
        "milestones/form.html", form=form, title=title, task=task, action=request.path
    )
    return page, 400


def _done(task_id: int, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(_task_url(task_id))


def _refused(task_id: int, error: StepRefused):
    db.session.rollback()
    flash(error.message, "error")
    return redirect(_task_url(task_id))


def _values(form: MilestoneForm) -> dict:
    return {
        "due_date": form.due_date.data,
        "deliverable": form.deliverable.data,
        "unit_id": form.unit_id.data,
        "expected_percent": form.expected_percent.data,
    }


@bp.route("/tasks/<int:task_id>/milestones", methods=["POST"])
@role_required(Role.OFFICE)
def add(task_id: int):
    task = _load_task(task_id)
    form = MilestoneForm()
    form.unit_id.choices = unit_choices(task)
    title = _("Add a milestone")
    if not form.validate_on_submit():
        return _form_page(form, title=title, task=task)
    try:
        services.add_milestone(task, user=current_user, **_values(form))
    except StepRefused as error:
        return _form_page(form, title=title, task=task, error=error)
    return _done(task_id, _("Milestone added."))


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@role_required(Role.OFFICE)
def edit(milestone_id: int):
    milestone, task = _load(milestone_id)
    form = MilestoneForm(obj=milestone)
    form.unit_id.choices = unit_choices(task)
    if request.method == "GET":
        form.unit_id.data = milestone.unit_id or task.lead_unit_id
        page = render_template(
            "milestones/form.html",
            form=form,
            title=_("Change the milestone"),
            task=task,
            action=request.path,
        )
        return page
    if not form.validate_on_submit():
        return _form_page(form, title=_("Change the milestone"), task=task)
    try:
        services.update_milestone(milestone, task, user=current_user, **_values(form))
    except StepRefused as error:
        return _form_page(form, title=_("Change the milestone"), task=task, error=error)
    return _done(task.id, _("Milestone changed."))


@bp.route("/milestones/<int:milestone_id>/done", methods=["POST"])
@login_required
def mark_done(milestone_id: int):
    if not current_user.has_role(Role.OFFICE, Role.LIAISON):
        abort(403)
    milestone, task = _load(milestone_id)
    if not services.may_mark_done(current_user, milestone, task):
        abort(403)  # a co-unit's liaison for the lead unit's milestone
    form = DoneForm()
    if not form.validate_on_submit():
        return _form_page(form, title=_("Mark the milestone done"), task=task)
    try:
        services.mark_done(milestone, task, note=form.note.data, user=current_user, day=today())
    except StepRefused as error:
        if error.field:
            return _form_page(form, title=_("Mark the milestone done"), task=task, error=error)
        return _refused(task.id, error)
    return _done(task.id, _("Milestone marked done."))


@bp.route("/milestones/<int:milestone_id>/reopen", methods=["POST"])
@role_required(Role.OFFICE)
def reopen(milestone_id: int):
    milestone, task = _load(milestone_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _form_page(form, title=_("Reopen the milestone"), task=task)
    try:
        services.reopen(milestone, task, reason=form.note.data, user=current_user)
    except StepRefused as error:
        return _refused(task.id, error)
    return _done(task.id, _("Milestone reopened."))


@bp.route("/milestones/<int:milestone_id>/delete", methods=["POST"])
@role_required(Role.OFFICE)
def delete(milestone_id: int):
    milestone, task = _load(milestone_id)
    form = ReopenForm()  # only its CSRF token is needed
    form.note.validators = []
    if not form.validate_on_submit():
        abort(400)
    services.delete_milestone(milestone, task, user=current_user)
    return _done(task.id, _("Milestone deleted."))


def _month() -> tuple[int, int]:
    """The month of the pace list: ?month=YYYY-MM, else the current month."""
    match = MONTH.match(request.args.get("month", ""))
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return int(match.group(1)), int(match.group(2))
    now = today()
    return now.year, now.month


def _pace_day(year: int, month: int):
    """The list judges pace at the month's end, or today within the current month."""
    return min(month_end(year, month), today())


@bp.route("/pace")
@role_required(Role.OFFICE, Role.LEADER)
def pace_page():
    year, month = _month()
    rows, total = pace_list(None, _pace_day(year, month), page=int_arg("page", 1))
    return render_template(
        "milestones/pace.html",
        rows=rows,
        total=total,
        page=int_arg("page", 1),
        page_size=exports.PAGE_SIZE,
        month=f"{year}-{month:02d}",
    )


@bp.route("/pace.<kind>")
@role_required(Role.OFFICE, Role.LEADER)
def pace_file(kind: str):
    if kind not in ("xlsx", "docx"):
        abort(404)
    year, month = _month()
    rows, _total = pace_list(None, _pace_day(year, month), page=None)
    label = f"{year}-{month:02d}"
    if kind == "xlsx":
        data, mimetype = exports.pace_workbook(rows, label), XLSX
    else:
        data, mimetype = exports.pace_document(rows, label), DOCX
    return send_file(
        BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{_('Pace')}-{label}.{kind}",
    )
