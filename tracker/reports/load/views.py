"""Reporting-load pages (blueprint "reporting_load", /reporting-load): the office's 报送负担
table, one unit's overlapping tasks, and linking tasks so that one report serves them all.
Office, leaders and the admin read; only the office links and unlinks (docs/reporting-load.md)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.http import int_arg, safe_next
from tracker.extensions import db
from tracker.reports.load import forms, queries, services
from tracker.timeutil import today
from tracker.units.models import Unit

bp = Blueprint("reporting_load", __name__, url_prefix="/reporting-load")
readers = role_required(Role.OFFICE, Role.LEADER, Role.ADMIN)
PER_PAGE = 50


@bp.route("")
@readers
def index():
    """报送负担: per unit, the tasks it reports on per month over the last six months."""
    sort = request.args.get("sort", "load")
    if sort not in queries.SORTS:
        sort = "load"
    result = queries.load_page(today(), int_arg("page", 1, maximum=100000), PER_PAGE, sort)
    return render_template("reporting_load/index.html", result=result)


@bp.route("/units/<int:unit_id>")
@readers
def unit(unit_id: int):
    """One unit's overlapping tasks: similar titles in different plans, and link forms."""
    found = db.session.get(Unit, unit_id) or abort(404)
    overlaps = queries.unit_overlaps(found)
    may_link = current_user.has_role(Role.OFFICE)
    return render_template(
        "reporting_load/unit.html",
        overlaps=overlaps,
        may_link=may_link,
        link_form=forms.LinkForm() if may_link else None,
        here=url_for("reporting_load.unit", unit_id=found.id),
    )


def _linking_step(form, back: str, step, done: str, check=None):
    """The shape of linking and unlinking: an expired form, a refusal (nothing saved) or
    done (committed, `done` flashed) — always back to `back`. `check()`, when given, checks
    the input after the form and returns its value for `step(value)`, or None after
    flashing why."""
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(back)
    value = check() if check is not None else ()
    if value is None:
        return redirect(back)
    try:
        step(value)
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(done, "success")
    return redirect(back)


@bp.route("/link", methods=["POST"])
@role_required(Role.OFFICE)
def link():
    form = forms.LinkForm()

    def ids():
        found = forms.parse_ids(form.task_ids.data)
        if found is None:
            flash(_("Enter the task numbers to link, separated by commas."), "error")
        return found

    return _linking_step(
        form,
        safe_next(form.next.data) or url_for("reporting_load.index"),
        lambda task_ids: services.link_tasks(task_ids, current_user),
        _("Tasks linked: one report now serves them all."),
        check=ids,
    )


@bp.route("/tasks/<int:task_id>/unlink", methods=["POST"])
@role_required(Role.OFFICE)
def unlink(task_id: int):
    form = forms.UnlinkForm()
    return _linking_step(
        form,
        safe_next(form.next.data) or url_for("pages.task_detail", task_id=task_id),
        lambda _value: services.unlink_task(task_id, current_user),
        _("Task unlinked."),
    )
