"""The liaison's month, report pages, the office's review queue and the period overview."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reports import queries, services
from tracker.reports.forms import PlainForm, ReportForm, ReviewForm, TaskActionForm
from tracker.reports.models import ReportingPeriod, ReportState
from tracker.reports.periods import calendar_warning_years, current_period
from tracker.reports.permissions import can_view_report
from tracker.timeutil import today

bp = Blueprint("reports", __name__)


def _period():
    period = current_period(today())
    db.session.commit()  # the month's period is created on first sight
    return period


def _month_page(period, forms=None, status=200, conflict=None):
    rows = queries.month_rows(current_user, period)
    forms = forms or {}
    for row in rows:
        if row.task.id not in forms:
            form = ReportForm(formdata=None, obj=row.report)
            form.task_id.data = str(row.task.id)
            form.version.data = str(row.report.version if row.report else 0)
            forms[row.task.id] = form
    counts = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return (
        render_template(
            "reports/month.html",
            period=period,
            rows=rows,
            forms=forms,
            counts=counts,
            conflict=conflict,
            action_form=TaskActionForm(formdata=None),
            today=today(),
        ),
        status,
    )


@bp.route("/reports")
@role_required(Role.LIAISON)
def month():
    return _month_page(_period())


def _task_id(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        abort(400)


@bp.route("/reports/save", methods=["POST"])
@role_required(Role.LIAISON)
def save():
    period = _period()
    form = ReportForm()
    task_id = _task_id(form.task_id.data)
    if not form.validate():
        db.session.rollback()
        flash(_("The report was not saved: correct the marked fields."), "error")
        return _month_page(period, {task_id: form}, status=400)
    submit = request.form.get("action") == "submit"
    values = {
        "progress": form.progress.data or "",
        "percent": form.percent.data,
        "problems": form.problems.data,
        "next_steps": form.next_steps.data,
    }
    try:
        services.save_report(
            current_user, period, task_id, int(form.version.data or 0), values, submit
        )
    except LookupError:
        db.session.rollback()
        abort(404)
    except services.VersionConflict as exc:
        db.session.rollback()
        return _month_page(period, {task_id: form}, status=409, conflict=(task_id, exc.message))
    except services.ReportError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _month_page(period, {task_id: form}, status=400)
    db.session.commit()
    flash(_("Report submitted.") if submit else _("Draft saved."), "success")
    return redirect(url_for("reports.month", _anchor=f"task-{task_id}"))


@bp.route("/reports/copy-last", methods=["POST"])
@role_required(Role.LIAISON)
def copy_last():
    period = _period()
    form = TaskActionForm()
    if not form.validate():
        abort(400)
    task_id = _task_id(form.task_id.data)
    try:
        services.copy_last_month(current_user, period, task_id, int(form.version.data or 0))
    except LookupError:
        db.session.rollback()
        abort(404)
    except services.ReportError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("reports.month", _anchor=f"task-{task_id}"))
    db.session.commit()
    flash(_("Last month's figures were copied. Check them, then submit."), "success")
    return redirect(url_for("reports.month", _anchor=f"task-{task_id}"))


@bp.route("/reports/submit-all", methods=["POST"])
@role_required(Role.LIAISON)
def submit_all():
    period = _period()
    if not PlainForm().validate():
        abort(400)
    try:
        submitted, skipped = services.submit_all_ready(current_user, period)
    except services.ReportError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("reports.month"))
    db.session.commit()
    flash(_("%(n)d reports submitted.", n=submitted), "success")
    if skipped:
        flash(_("%(n)d drafts are incomplete and were not submitted.", n=skipped), "error")
    return redirect(url_for("reports.month"))


def _readable_report(report_id: int):
    report = services.load_report(report_id)
    if report is None or not can_view_report(current_user, report):
        abort(404)
    return report


@bp.route("/reports/<int:report_id>")
@role_required(Role.ADMIN, Role.OFFICE, Role.LEADER, Role.LIAISON)
def detail(report_id: int):
    report = _readable_report(report_id)
    return render_template(
        "reports/detail.html",
        report=report,
        revisions=queries.revisions(report),
        review_form=ReviewForm(formdata=None, version=str(report.version)),
        action_form=TaskActionForm(formdata=None),
    )


@bp.route("/reports/<int:report_id>/correct", methods=["POST"])
@role_required(Role.LIAISON)
def correct(report_id: int):
    report = _readable_report(report_id)
    if not PlainForm().validate():
        abort(400)
    try:
        services.start_correction(current_user, report)
    except services.ReportError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("reports.detail", report_id=report.id))
    db.session.commit()
    flash(_("A new revision was started. Edit it on your month page and submit it."), "success")
    return redirect(url_for("reports.month", _anchor=f"task-{report.task_id}"))


# --- the office ----------------------------------------------------------------------------


def _int_arg(name):
    value = request.args.get(name, type=int)
    return value or None


@bp.route("/review")
@role_required(Role.OFFICE)
def review_queue():
    state = request.args.get("state", ReportState.SUBMITTED.value)
    if state not in {s.value for s in ReportState} | {""}:
        state = ReportState.SUBMITTED.value
    light = request.args.get("light") or None
    filters = queries.QueueFilters(
        plan_id=_int_arg("plan"),
        unit_id=_int_arg("unit"),
        state=state or None,
        light=light if light in ("green", "yellow", "red") else None,
        period_id=_int_arg("period"),
    )
    rows = queries.review_queue(filters, today())
    return render_template(
        "reports/review_queue.html",
        rows=rows,
        filters=filters,
        plans=db.session.execute(select(Plan.id, Plan.title).order_by(Plan.id)).all(),
        units=queries.unit_choices(),
        periods=db.session.scalars(
            select(ReportingPeriod).order_by(
                ReportingPeriod.year.desc(), ReportingPeriod.month.desc()
            )
        ).all(),
        review_form=ReviewForm(formdata=None),
    )


@bp.route("/review/<int:report_id>", methods=["POST"])
@role_required(Role.OFFICE)
def review(report_id: int):
    report = services.load_report(report_id) or abort(404)
    form = ReviewForm()
    back = request.form.get("next") or ""
    target = back if back.startswith("/") and not back.startswith("//") else None
    if not form.validate():
        abort(400)
    try:
        services.review(
            current_user,
            report,
            int(form.version.data),
            request.form.get("decision", ""),
            form.reason.data or "",
            form.quality.data,
        )
    except services.ReportError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(target or url_for("reports.detail", report_id=report_id))
    db.session.commit()
    flash(
        _("Report accepted.") if report.state == ReportState.ACCEPTED else _("Report returned."),
        "success",
    )
    return redirect(target or url_for("reports.review_queue"))


@bp.route("/reports/overview")
@role_required(Role.OFFICE, Role.LEADER, Role.ADMIN)
def overview():
    period_id = _int_arg("period")
    period = db.session.get(ReportingPeriod, period_id) if period_id else _period()
    if period is None:
        abort(404)
    return render_template(
        "reports/overview.html",
        period=period,
        rows=queries.period_overview(period, today()),
        periods=db.session.scalars(
            select(ReportingPeriod).order_by(
                ReportingPeriod.year.desc(), ReportingPeriod.month.desc()
            )
        ).all(),
        warning_years=calendar_warning_years(today()),
    )
