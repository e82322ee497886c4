"""Supervision notices (督办单): list, issue, detail and print view, Word export, answer,
close. Thin handlers: check role and unit, validate, call a service (notices.py), commit
once, flash, redirect. A refused step saves nothing.

Who: the office issues and closes; the addressed unit's liaison (also a successor's) answers;
office, leader and admin read every notice; a liaison reads its unit's notices only — any
other notice is "not found" (404). A role without the step: 403.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required, unit_scope
from tracker.common.errors import StepRefused, message
from tracker.common.forms import ActionForm
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.settings import get_setting
from tracker.supervision.notices import services as notices
from tracker.supervision.notices.services import NoticeAnswerForm, NoticeForm
from tracker.supervision.notices.word import notice_document
from tracker.supervision.workflow.services import load_task_for_update
from tracker.timeutil import today
from tracker.units.models import Unit

bp = Blueprint("notices", __name__)


@bp.app_context_processor
def _task_notices_helper():
    """`task_notices(task)` for templates/supervision/_task_notices.html on the task page."""

    def task_notices(task):
        return notices.task_notices(task, current_user, today())

    return {"task_notices": task_notices}


def _readable_notice(notice_id: int):
    """The notice and its task for a reader: 404 if missing or not the liaison's unit's."""
    notice = notices.load_notice(notice_id) or abort(404)
    if not notices.can_read(current_user, notice):
        abort(404)
    return notice, notices.load_task(notice.task_id)


# ---------------------------------------------------------------- list


@bp.route("/notices")
@login_required
def index():
    state = request.args.get("state") or None
    if state not in (*notices.STATES, "overdue"):
        state = None
    year = int_arg("year", minimum=1900, maximum=9999)
    when = today()
    can_see_lagging = current_user.has_role(Role.OFFICE, Role.LEADER)
    return render_template(
        "notices/index.html",
        listing=notices.notice_list(
            current_user, when, state, year, page=int_arg("page", minimum=1) or 1
        ),
        lagging=notices.lagging_tasks(when, page=int_arg("lagging_page", 1))
        if can_see_lagging
        else None,
        state=state,
        year=year,
        state_labels=notices.STATE_LABELS,
        can_issue=current_user.has_role(Role.OFFICE),
    )


# ---------------------------------------------------------------- issue


def _new_page(task, form, status=200):
    return (
        render_template(
            "notices/new.html",
            task=task,
            form=form,
            unit=db.session.get(Unit, notices.addressee_unit_id(task)),
        ),
        status,
    )


@bp.route("/notices/new")
@role_required(Role.OFFICE)
def new():
    task_id = int_arg("task")
    task = notices.load_task(task_id) if task_id else None
    if task is None:
        abort(404)
    if task.status not in notices.OPEN_STATUSES:
        flash(message("notice_task_not_open"), "error")
        return redirect(url_for("pages.task_detail", task_id=task.id))
    form = NoticeForm(formdata=None)
    form.answer_working_days.data = int(get_setting("notice_answer_working_days"))
    return _new_page(task, form)


@bp.route("/tasks/<int:task_id>/notices", methods=["POST"])
@role_required(Role.OFFICE)
def issue(task_id: int):
    if load_task_for_update(task_id) is None:
        abort(404)
    task = notices.load_task(task_id)
    form = NoticeForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked fields."), "error")
        return _new_page(task, form, 400)
    try:
        notice = notices.issue_notice(
            task, current_user, today(), form.required_actions.data, form.answer_working_days.data
        )
    except StepRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("pages.task_detail", task_id=task_id))
    number, due = notice.number, notice.answer_due.isoformat()
    notice_id = notice.id
    db.session.commit()
    flash(
        _("Supervision notice %(number)s issued: answer due by %(date)s.", number=number, date=due),
        "success",
    )
    return redirect(url_for("notices.detail", notice_id=notice_id))


# ---------------------------------------------------------------- read


@bp.route("/notices/<int:notice_id>")
@login_required
def detail(notice_id: int, answer_form=None, status=200):
    notice, task = _readable_notice(notice_id)
    can_answer = notices.can_answer(current_user, notice)
    if can_answer and answer_form is None:
        answer_form = NoticeAnswerForm(formdata=None)
    when = today()
    return (
        render_template(
            "notices/detail.html",
            notice=notice,
            task=task,
            can_answer=can_answer,
            can_close=current_user.has_role(Role.OFFICE) and notice.state != notices.CLOSED,
            answer_form=answer_form,
            overdue=notices.notice_overdue(
                notice.answer_due, notice.answered_at, when, state=notice.state
            ),
            late=bool(
                notice.answered_at
                and notices.rules.is_late(notices.local_date(notice.answered_at), notice.answer_due)
            ),
            state_labels=notices.STATE_LABELS,
        ),
        status,
    )


@bp.route("/notices/<int:notice_id>.docx")
@login_required
def docx(notice_id: int):
    notice, task = _readable_notice(notice_id)
    stream = notice_document(notice, task)
    return send_file(
        stream,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=f"{notice.number}.docx",
    )


# ---------------------------------------------------------------- answer, close


@bp.route("/notices/<int:notice_id>/answer", methods=["POST"])
@login_required
def answer(notice_id: int):
    if not current_user.has_role(Role.LIAISON):
        abort(403)
    notice = notices.load_notice(notice_id, for_update=True) or abort(404)
    if notice.unit_id not in unit_scope(current_user):
        abort(404)
    form = NoticeAnswerForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked fields."), "error")
        return detail(notice_id, answer_form=form, status=400)
    try:
        late = notices.rules.is_late(today(), notice.answer_due)
        notices.answer_notice(notice, current_user, today(), form.text.data)
    except StepRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("notices.detail", notice_id=notice_id))
    db.session.commit()
    flash(_("Answer sent, after the deadline.") if late else _("Answer sent."), "success")
    return redirect(url_for("notices.detail", notice_id=notice_id))


@bp.route("/notices/<int:notice_id>/close", methods=["POST"])
@role_required(Role.OFFICE)
def close(notice_id: int):
    notice = notices.load_notice(notice_id, for_update=True) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        notices.close_notice(notice, current_user)
    except StepRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("notices.detail", notice_id=notice_id))
    db.session.commit()
    flash(_("Supervision notice closed."), "success")
    return redirect(url_for("notices.detail", notice_id=notice_id))
