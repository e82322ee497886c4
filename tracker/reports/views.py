"""The liaison's month, report pages, the office's review queue and the period overview."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.http import int_arg, parse_int, safe_next
from tracker.database import lock_at_first_write
from tracker.extensions import db
from tracker.plans.models import OPEN_STATUSES, Plan
from tracker.reports import backlog, cards, queries, rules, services
from tracker.reports import month as month_page
from tracker.reports.facts import request_unit_facts
from tracker.reports.forms import (
    CardValues,
    PlainForm,
    ReportForm,
    ReviewForm,
    TaskActionForm,
)
from tracker.reports.models import ReportingPeriod, ReportState
from tracker.reports.periods import calendar_warning_years, current_period, period_month
from tracker.reports.permissions import can_view_report
from tracker.timeutil import today
from tracker.units.forms import unit_menu

bp = Blueprint("reports", __name__)


def _period():
    """This month's period; created (and committed) on first sight. Only then a commit: a
    commit expires the signed-in user, whose reload cost a statement (and on SQLite a
    second write transaction) in every save (issue 13's surge)."""
    year, month = period_month(today())
    period = db.session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.year == year, ReportingPeriod.month == month)
    )
    if period is None:
        period = current_period(today())
        db.session.commit()
    return period


def _page_numbers(source) -> dict[str, int]:
    """The month page's two page numbers (this month's `page`, the earlier months'
    `earlier`) from the query string or a form's action, only those past the first (so a
    link back to the first page stays plain /reports)."""
    numbers = {name: parse_int(source.get(name), 1) or 1 for name in ("page", "earlier")}
    return {name: n for name, n in numbers.items() if n > 1}


def _month_page(period, forms=None, status=200, conflict=None, pages=None):
    """The month page: earlier months' reports still to file (补报) above this month's, a
    page of each (issue 13: the counts cover every task, the cards only the page shown).
    `forms` maps a row's anchor to a form to show again (with the person's text and all
    its errors); `conflict` is (anchor, message)."""
    pages = pages or _page_numbers(request.args)
    facts = request_unit_facts(current_user.unit_id)  # once for both lists
    earlier = backlog.earlier_page(current_user, period, pages.get("earlier", 1), facts)
    task_ids = month_page.filing_task_ids(current_user, [period], facts)[period.id]
    summary = month_page.month_summary(current_user, period, task_ids)
    page_count = max(1, -(-len(task_ids) // month_page.MONTH_PAGE))
    page = min(pages.get("page", 1), page_count)
    shown = task_ids[(page - 1) * month_page.MONTH_PAGE : page * month_page.MONTH_PAGE]
    rows = month_page.month_rows(current_user, period, shown)
    forms = forms or {}
    for row in earlier.rows + rows:
        if row.anchor not in forms:
            forms[row.anchor] = _card_form(row)
    return (
        render_template(
            "reports/month.html",
            period=period,
            earlier=earlier,
            rows=rows,
            forms=forms,
            summary=summary,
            page=page,
            pages=page_count,
            page_args={k: v for k, v in {"page": page, "earlier": earlier.page}.items() if v > 1},
            conflict=conflict,
            action_form=TaskActionForm(formdata=None),
            today=today(),
        ),
        status,
    )


def _card_form(row) -> CardValues | None:
    """What the form of a card shows, from its report; None when the report is in
    (submitted or accepted: the card shows it, with no form to fill)."""
    if row.report is not None and not row.report.editable:
        return None
    return CardValues(row.report, row.task.id, row.period.id if row.period else None)


@bp.route("/reports")
@role_required(Role.LIAISON)
def month():
    return _month_page(_period())


def _task_id(raw) -> int:
    """An id the page carried back; 400 when it is not one."""
    value = parse_int(raw, 1)
    if value is None:
        abort(400)
    return value


def _filing_period(current, raw):
    """The period a report is filed for: this month, or an earlier month whose report the
    unit must still file (else 404: nothing is said about other months or tasks)."""
    if not raw:
        return current
    period_id = _task_id(raw)
    return db.session.get(ReportingPeriod, period_id) if period_id != current.id else current


def _periods(raw):
    """(this month's period, the period a report is filed for: this month or the earlier
    month `raw` names, None when there is none) — in one statement (a save and the card
    it lands on ask both: issue 13's surge); this month's is created on first sight."""
    if not raw:
        return (current := _period()), current
    period_id = _task_id(raw)
    year, month = period_month(today())
    found = db.session.scalars(
        select(ReportingPeriod).where(
            ((ReportingPeriod.year == year) & (ReportingPeriod.month == month))
            | (ReportingPeriod.id == period_id)
        )
    ).all()
    current = next((p for p in found if (p.year, p.month) == (year, month)), None)
    if current is None:
        return (current := _period()), _filing_period(current, raw)
    return current, next((p for p in found if p.id == period_id), None)


def _all_errors(form: ReportForm, submit: bool) -> bool:
    """Validate the form and, when submitting, the readiness rule too, so every problem of
    the report is shown at once. True when the report may be saved."""
    valid = form.validate()
    if submit and "progress_missing" in rules.submission_problems(form.progress.data or "", 0):
        form.progress.errors = [*form.progress.errors, _("Fill in this month's progress.")]
        valid = False
    return valid


@bp.route("/reports/save", methods=["POST"])
@lock_at_first_write  # the version check guards the save (docs/reporting.md "No lost work")
@role_required(Role.LIAISON)
def save():
    form = ReportForm()
    task_id = _task_id(form.task_id.data)
    current, period = _periods(form.period_id.data)
    if period is None:
        abort(404)
    if period is not current and not backlog.may_file_earlier(
        current_user, current, period, task_id
    ):
        abort(404)
    anchor = f"task-{task_id}" if period is current else f"task-{task_id}-{period.key}"
    pages = _page_numbers(request.args)  # the form's action carries the page it was on
    submit = request.form.get("action") == "submit"
    if not _all_errors(form, submit):
        db.session.rollback()
        flash(_("The report was not saved: correct the marked fields."), "error")
        return _month_page(current, {anchor: form}, status=400, pages=pages)
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
        return _month_page(
            current, {anchor: form}, status=409, conflict=(anchor, exc.message), pages=pages
        )
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _month_page(current, {anchor: form}, status=400, pages=pages)
    earlier = period.id if period is not current else None  # before the commit expires it
    db.session.commit()
    flash(_("Report submitted.") if submit else _("Draft saved."), "success")
    return redirect(
        url_for("reports.card", task_id=task_id, period=earlier, **pages, _anchor=anchor)
    )


@bp.route("/reports/card/<int:task_id>")
@role_required(Role.LIAISON)
def card(task_id: int):
    """One report card alone — where a save or a submission lands (issue 13's surge: not
    the month page's 35 cards after every click): the report saved, and once it is in
    (submitted or accepted) the next report still to file (cards.next_to_file) with its form.
    `period` names an earlier month (补报); the page numbers lead back to the month page
    where the liaison was. 404 unless the unit files that month's report on the task (the
    save's rule)."""
    current, period = _periods(request.args.get("period"))
    if period is None or (period.year, period.month) > (current.year, current.month):
        abort(404)
    pages = _page_numbers(request.args)
    report = services.current_report(task_id, current_user.unit_id, period.id)
    filed = report is not None and not report.editable
    # a report in: the whole unit's facts, for the next report to file and for this check
    facts = request_unit_facts(current_user.unit_id) if filed else None
    try:
        task = services.filing_task(current_user, task_id, period, facts)
    except LookupError:
        abort(404)
    if task.status not in OPEN_STATUSES:  # closed meanwhile: the month page says what is left
        return redirect(url_for("reports.month", **pages))
    if filed:  # the report as it went in, then the next one to file with its form
        following = cards.next_to_file(current_user, current, (period, task_id), facts)
        earlier = None if period is current else period
        rows = [month_page.filed_row(current_user, task, report, earlier)]
        rows += cards.card_rows(current_user, current, [following]) if following else []
    else:
        rows = cards.card_rows(current_user, current, [(period, task_id)])
    forms = {shown.anchor: _card_form(shown) for shown in rows}
    return render_template(
        "reports/card.html",
        period=current,
        row=rows[0],
        following=rows[1] if len(rows) > 1 else None,
        forms=forms,
        conflict=None,
        page_args=pages,
        today=today(),
    )


@bp.route("/reports/copy-last", methods=["POST"])
@lock_at_first_write  # the version check guards the copy, as a save
@role_required(Role.LIAISON)
def copy_last():
    period = _period()
    form = TaskActionForm()
    if not form.validate():
        abort(400)
    task_id = _task_id(form.task_id.data)
    pages = _page_numbers(request.args)
    try:
        services.copy_last_month(current_user, period, task_id, int(form.version.data or 0))
    except LookupError:
        db.session.rollback()
        abort(404)
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("reports.month", **pages, _anchor=f"task-{task_id}"))
    db.session.commit()
    flash(_("Last month's figures were copied. Check them, then submit."), "success")
    return redirect(url_for("reports.month", **pages, _anchor=f"task-{task_id}"))


@bp.route("/reports/submit-all", methods=["POST"])
@role_required(Role.LIAISON)
def submit_all():
    period = _period()
    if not PlainForm().validate():
        abort(400)
    try:
        submitted, skipped = services.submit_all_ready(current_user, period)
    except StepRefused as exc:
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
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("reports.detail", report_id=report.id))
    db.session.commit()
    flash(_("A new revision was started. Edit it on your month page and submit it."), "success")
    return redirect(url_for("reports.month", _anchor=f"task-{report.task_id}"))


# --- the office ----------------------------------------------------------------------------


def _int_arg(name):
    return int_arg(name)


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
    prepared = queries.prepare_queue(filters, today())
    total = queries.review_count(prepared)
    pages = max(1, -(-total // queries.REVIEW_PAGE))
    page = min(int_arg("page", 1) or 1, pages)
    offset = (page - 1) * queries.REVIEW_PAGE
    rows = queries.review_queue(filters, today(), queries.REVIEW_PAGE, offset, prepared)
    return render_template(
        "reports/review_queue.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filter_args={
            name: value
            for name, value in (
                ("plan", filters.plan_id),
                ("unit", filters.unit_id),
                ("state", filters.state or ""),
                ("light", filters.light),
                ("period", filters.period_id),
            )
            if value is not None
        },
        filters=filters,
        plans=db.session.execute(select(Plan.id, Plan.title).order_by(Plan.id)).all(),
        unit_options=unit_menu(filters.unit_id),
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
    target = safe_next(request.form.get("next"))
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
    except StepRefused as exc:
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
    unit_ids = queries.overview_units(period)
    pages = max(1, -(-len(unit_ids) // queries.OVERVIEW_PAGE))
    page = min(int_arg("page", 1) or 1, pages)
    shown = unit_ids[(page - 1) * queries.OVERVIEW_PAGE : page * queries.OVERVIEW_PAGE]
    return render_template(
        "reports/overview.html",
        period=period,
        rows=queries.period_overview(period, today(), shown),
        page=page,
        pages=pages,
        unit_total=len(unit_ids),
        periods=db.session.scalars(
            select(ReportingPeriod).order_by(
                ReportingPeriod.year.desc(), ReportingPeriod.month.desc()
            )
        ).all(),
        warning_years=calendar_warning_years(today()),
    )
