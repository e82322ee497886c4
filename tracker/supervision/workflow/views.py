"""The workflow's steps as thin handlers: check role and unit, validate the form, call a
service, commit once, flash, go back to the task. A refused step saves nothing.

Who may do what: the office assigns and decides; the assigned units' liaisons acknowledge;
the lead unit's liaison asks for extension and close-out and answers instructions; a leader
writes instructions. Wrong role: 403. A liaison whose unit has no part in the task: 404 (it
learns nothing); a co-unit asking for a lead unit's step: 403.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.forms import ActionForm
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.supervision.workflow import instructions, queries, requests, rules, services
from tracker.supervision.workflow.forms import (
    AnswerForm,
    AssignForm,
    CloseOutDecisionForm,
    CloseOutForm,
    ExtensionDecisionForm,
    ExtensionForm,
    InstructionForm,
)
from tracker.timeutil import today
from tracker.units.forms import unit_datalist
from tracker.units.rules import LEAD

bp = Blueprint("supervision", __name__)


# ---------------------------------------------------------------- helpers


def _task_url(task_id: int) -> str:
    return url_for("pages.task_detail", task_id=task_id)


def _done(target: str, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def _refused(target: str, error: StepRefused):
    db.session.rollback()
    flash(error.message, "error")
    return redirect(target)


def _form_page(form, *, title: str, task, multipart: bool = False, error=None):
    """The step's form again, with the user's input and the errors beside the fields
    (status 400); nothing is saved."""
    if error is not None:
        field = getattr(form, error.field or "", None)
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "error")
    flash(_("Nothing was saved: please correct the marked fields."), "error")
    context = {"task_id": task.id, "task_title": task.title, "task_number": task.number}
    db.session.rollback()
    if any(getattr(f, "list_id", "") == "units" for f in form):  # the typed unit's names
        context["unit_options"] = unit_datalist()
    return (
        render_template(
            "supervision/form.html",
            form=form,
            title=title,
            action=request.path,
            multipart=multipart,
            **context,
        ),
        400,
    )


def _form_step(form, *, title: str, task, step, message, multipart: bool = False):
    """The shape of a step posted with a form from the task page: invalid input gives the
    form again (400); a refusal naming a field gives the form again with the message beside
    it, any other refusal goes back to the task with the message (nothing saved); done,
    it commits, flashes `message` (or `message(result)` of the step's result) and goes back
    to the task. `step()` runs the service."""
    target = _task_url(task.id)
    if not form.validate_on_submit():
        return _form_page(form, title=title, task=task, multipart=multipart)
    try:
        result = step()
    except StepRefused as error:
        if error.field:
            return _form_page(form, title=title, task=task, multipart=multipart, error=error)
        return _refused(target, error)
    return _done(target, message(result) if callable(message) else message)


def _assigned_message(created) -> str:
    if created:
        due = created[0].ack_due.isoformat()
        return _("Task assigned: the units acknowledge by %(date)s.", date=due)
    return _("Task assigned.")


def _task_or_404(task_id: int):
    task = services.load_task_for_update(task_id)
    if task is None:
        abort(404)
    return task


def _liaison_task(task_id: int, *, lead_only: bool):
    """The task for a liaison's step: 404 if its unit has no part, 403 if a co-unit asks for
    a lead unit's step."""
    if not current_user.has_role(Role.LIAISON):
        abort(403)
    task = _task_or_404(task_id)
    role, _scope = services.liaison_part(current_user, task)
    if role is None:
        abort(404)
    if lead_only and role != LEAD:
        abort(403)
    return task


# ---------------------------------------------------------------- assign (交办)


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
@role_required(Role.OFFICE)
def assign(task_id: int):
    task = _task_or_404(task_id)
    form = AssignForm()
    return _form_step(
        form,
        title=_("Assign the task"),
        task=task,
        step=lambda: services.assign_task(task, current_user, today(), form.lead_unit_id.data),
        message=_assigned_message,
    )


@bp.route("/plans/<int:plan_id>/assign", methods=["POST"])
@role_required(Role.OFFICE)
def assign_plan(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    target = url_for("plans.plan_detail", plan_id=plan_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = services.assign_plan(plan, current_user, today())
    except StepRefused as error:
        return _refused(target, error)
    return _done(
        target,
        ngettext("%(num)d task assigned.", "%(num)d tasks assigned.", count),
    )


# ---------------------------------------------------------------- acknowledge (签收)


@bp.route("/tasks/<int:task_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(task_id: int):
    task = _liaison_task(task_id, lead_only=False)
    if not ActionForm().validate_on_submit():
        abort(400)
    when = today()
    try:
        done = services.acknowledge(task, current_user, when)
    except StepRefused as error:
        return _refused(_task_url(task_id), error)
    late = [a for a in done if rules.is_late(when, a.ack_due)]
    if late:
        message = _(
            "Acknowledged, after the deadline of %(date)s.", date=late[0].ack_due.isoformat()
        )
    else:
        message = _("Acknowledged.")
    return _done(_task_url(task_id), message)


# ---------------------------------------------------------------- extension (延期申请)


@bp.route("/tasks/<int:task_id>/extensions", methods=["POST"])
@login_required
def request_extension(task_id: int):
    task = _liaison_task(task_id, lead_only=True)
    form = ExtensionForm()
    return _form_step(
        form,
        title=_("Request an extension"),
        task=task,
        step=lambda: requests.request_extension(
            task, current_user, today(), form.reason.data, form.requested_due.data
        ),
        message=_("Extension request sent to the supervision office."),
    )


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
@role_required(Role.OFFICE)
def decide_extension(request_id: int):
    extension = services.load_extension(request_id) or abort(404)
    task = _task_or_404(extension.task_id)
    form = ExtensionDecisionForm()

    def message(_result):
        if form.decision.data == "approve":
            return _(
                "Extension approved: the task is now due on %(date)s.",
                date=extension.requested_due.isoformat(),
            )
        return _("Extension rejected.")

    return _form_step(
        form,
        title=_("Decide the extension request"),
        task=task,
        step=lambda: requests.decide_extension(
            extension, task, current_user, form.decision.data, form.note.data
        ),
        message=message,
    )


# ---------------------------------------------------------------- close-out (办结/销号)


@bp.route("/tasks/<int:task_id>/close-out", methods=["POST"])
@login_required
def request_close_out(task_id: int):
    task = _liaison_task(task_id, lead_only=True)
    form = CloseOutForm()

    def step():
        files = [f for f in request.files.getlist("evidence") if f and f.filename]
        return requests.request_close_out(task, current_user, today(), form.summary.data, files)

    return _form_step(
        form,
        title=_("Request close-out"),
        task=task,
        step=step,
        message=_("Close-out request sent to the supervision office."),
        multipart=True,
    )


@bp.route("/close-outs/<int:request_id>/decide", methods=["POST"])
@role_required(Role.OFFICE)
def decide_close_out(request_id: int):
    close_out = services.load_close_out(request_id) or abort(404)
    task = _task_or_404(close_out.task_id)
    form = CloseOutDecisionForm()
    return _form_step(
        form,
        title=_("Decide the close-out request"),
        task=task,
        step=lambda: requests.decide_close_out(
            close_out, task, current_user, form.decision.data, form.note.data
        ),
        message=lambda _result: (
            _("Task closed out.") if form.decision.data == "confirm" else _("Close-out refused.")
        ),
    )


# ---------------------------------------------------------------- instructions (批示)


@bp.route("/tasks/<int:task_id>/instructions", methods=["POST"])
@role_required(Role.LEADER)
def write_instruction(task_id: int):
    task = _task_or_404(task_id)
    form = InstructionForm()
    title = _("Write an instruction")
    if not form.validate_on_submit():
        return _form_page(form, title=title, task=task)
    try:
        instruction = instructions.write_instruction(task, current_user, today(), form.text.data)
    except StepRefused as error:
        return _refused(_task_url(task_id), error)
    return _done(
        _task_url(task_id),
        _(
            "Instruction sent: the lead unit answers by %(date)s.",
            date=instruction.answer_due.isoformat(),
        ),
    )


@bp.route("/instructions/<int:instruction_id>/answer", methods=["POST"])
@login_required
def answer_instruction(instruction_id: int):
    if not current_user.has_role(Role.LIAISON):
        abort(403)
    instruction = services.load_instruction(instruction_id) or abort(404)
    task = _liaison_task(instruction.task_id, lead_only=True)
    form = AnswerForm()
    title = _("Answer the instruction")
    if not form.validate_on_submit():
        return _form_page(form, title=title, task=task)
    try:
        instructions.answer_instruction(instruction, task, current_user, today(), form.text.data)
    except StepRefused as error:
        return _refused(_task_url(task.id), error)
    return _done(_task_url(task.id), _("Answer sent."))


# ---------------------------------------------------------------- lists


@bp.route("/supervision/requests")
@role_required(Role.OFFICE, Role.LEADER)
def pending():
    # each section pages on its own (?late_acks=2); a bad number is the first page
    pages = {name: int_arg(name, 1) or 1 for name in queries.QUEUE_SECTIONS}
    return render_template(
        "supervision/requests.html",
        queue=queries.office_queue(today(), pages),
        page_args={name: n for name, n in pages.items() if n > 1},
        can_decide=current_user.has_role(Role.OFFICE),
    )


@bp.route("/supervision/my")
@role_required(Role.LIAISON)
def my_actions():
    pages = {name: int_arg(name, 1) or 1 for name in queries.TODO_SECTIONS}
    return render_template(
        "supervision/my.html",
        todo=queries.my_actions(current_user, today(), pages),
        page_args={name: n for name, n in pages.items() if n > 1},
    )
