"""The office's reorganisation pages: the list (step 1 of the split wizard: pick the old unit
and the reorganisation), recording a reorganisation, confirming an open successor, and the
routing form (step 2: each open task to one successor, in one transaction)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.forms import ActionForm
from tracker.common.http import parse_int
from tracker.extensions import db
from tracker.timeutil import today
from tracker.units.forms import unit_datalist
from tracker.units.models import Succession, Unit
from tracker.units.reorganise import services
from tracker.units.reorganise.forms import ConfirmForm, ReorganisationForm

bp = Blueprint("reorganisations", __name__)
OFFICE = (Role.OFFICE, Role.ADMIN)


@bp.route("/reorganisations")
@role_required(*OFFICE)
def index():
    rows = services.reorganisations()
    forms = {}
    for reorganisation in rows:
        for succession in reorganisation.successions:
            if succession.to_confirm:
                forms[succession.id] = ConfirmForm(formdata=None)
    options = unit_datalist() if forms else ""
    return render_template(
        "units/reorganisations.html", rows=rows, confirm_forms=forms, unit_options=options
    )


@bp.route("/reorganisations/new", methods=["GET", "POST"])
@role_required(*OFFICE)
def new():
    form = ReorganisationForm()
    if request.method == "GET" and (unit_id := parse_int(request.args.get("unit", ""))):
        form.unit_id.data = unit_id
    if form.validate_on_submit():
        data = {**form.data, "successors": form.successors()}
        try:
            services.record_reorganisation(data, current_user)
        except StepRefused as exc:
            db.session.rollback()
            _show(form, exc)
        else:
            db.session.commit()
            flash(_("Reorganisation recorded."), "success")
            return redirect(url_for("reorganisations.index"))
    return render_template(
        "units/reorganisation_form.html",
        form=form,
        unit_options=unit_datalist(current_only=False),
    )


def _show(form, exc: StepRefused) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


@bp.route("/successions/<int:succession_id>/confirm", methods=["POST"])
@role_required(*OFFICE)
def confirm(succession_id: int):
    succession = db.session.get(Succession, succession_id) or abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        if not form.errors:
            flash(_("Choose a successor, or say that the unit continues."), "error")
        return redirect(url_for("reorganisations.index"))
    try:
        services.confirm_succession(succession, form.successor_id.data or None, current_user)
    except StepRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Successor confirmed."), "success")
    return redirect(url_for("reorganisations.index"))


def _routes_from(form_data, tasks) -> dict[int, int]:
    """{task id: successor id} from the form: each task's own choice, else the bulk choice
    ("route all remaining to …"); a task left on "—" stays where it is. The service refuses
    a successor outside the record."""
    bulk = parse_int(form_data.get("all_remaining", ""))
    routes = {}
    for task in tasks:
        chosen = parse_int(form_data.get(f"route-{task.id}", "")) or bulk
        if chosen:
            routes[task.id] = chosen
    return routes


@bp.route(
    "/reorganisations/<int:reorganisation_id>/units/<int:unit_id>/route",
    methods=["GET", "POST"],
)
@role_required(*OFFICE)
def route(reorganisation_id: int, unit_id: int):
    reorganisation = services.load_reorganisation(reorganisation_id) or abort(404)
    unit = db.session.get(Unit, unit_id) or abort(404)
    successors = services.successors_in(reorganisation, unit.id)
    if not successors:
        abort(404)
    tasks = services.open_tasks_of(unit.id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        routes = _routes_from(request.form, tasks)
        try:
            count = services.route_tasks(reorganisation, unit, routes, current_user,
                                         today=today())  # fmt: skip
        except StepRefused as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("%(count)d tasks routed to the successors.", count=count), "success")
            return redirect(url_for("reorganisations.route", reorganisation_id=reorganisation.id,
                                    unit_id=unit.id))  # fmt: skip
    elif request.method == "POST":
        flash(_("The form has expired: try again."), "error")
    return render_template("units/route.html", reorganisation=reorganisation, unit=unit,
                           successors=successors, tasks=tasks, form=form)  # fmt: skip
