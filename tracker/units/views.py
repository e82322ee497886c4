"""The unit directory; units created and edited by the admin."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.audit import record
from tracker.extensions import db
from tracker.units import services
from tracker.units.forms import UnitForm
from tracker.units.models import Unit

bp = Blueprint("units", __name__)


def _successor_choices(exclude: int | None):
    rows = db.session.execute(select(Unit.id, Unit.name).order_by(Unit.code)).all()
    return [(0, "—")] + [(r.id, r.name) for r in rows if r.id != exclude]


def _save_unit(form: UnitForm, unit: Unit | None) -> Unit | None:
    name, code = form.name.data.strip(), form.code.data.strip()
    for field, column, value in ((form.name, Unit.name, name), (form.code, Unit.code, code)):
        clash = db.session.scalar(select(Unit.id).where(column == value))
        if clash is not None and (unit is None or clash != unit.id):
            field.errors.append(_("Another unit already uses this."))
            return None
    successor_id = form.successor_id.data or None
    if services.successor_creates_cycle(unit.id if unit else None, successor_id):
        form.successor_id.errors.append(_("A unit cannot succeed itself, directly or not."))
        return None
    creating = unit is None
    if creating:
        unit = Unit()
        db.session.add(unit)
    before = {"name": unit.name, "code": unit.code, "successor_id": unit.successor_id}
    unit.name = name
    unit.code = code
    unit.full_name = (form.full_name.data or "").strip() or None
    unit.kind = form.kind.data
    unit.aliases = [a for a in re.split(r"[、,,;;\s]+", form.aliases_text.data or "") if a]
    unit.successor_id = successor_id
    unit.successor_note = (form.successor_note.data or "").strip() or None
    db.session.flush()
    after = {"name": unit.name, "code": unit.code, "successor_id": unit.successor_id}
    record(
        "unit.created" if creating else "unit.updated",
        unit,
        detail={"before": before, "after": after},
    )
    return unit


@bp.route("/units/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_new():
    form = UnitForm()
    form.successor_id.choices = _successor_choices(None)
    if form.validate_on_submit() and _save_unit(form, None):
        db.session.commit()
        flash(_("Unit saved."), "success")
        return redirect(url_for("pages.unit_list"))
    db.session.rollback()
    return render_template("units/form.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_edit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = UnitForm(obj=unit)
    form.successor_id.choices = _successor_choices(unit.id)
    if request.method == "GET":
        form.successor_id.data = unit.successor_id or 0
        form.aliases_text.data = "、".join(unit.aliases or [])
    if form.validate_on_submit() and _save_unit(form, unit):
        db.session.commit()
        flash(_("Unit saved."), "success")
        return redirect(url_for("pages.unit_list"))
    db.session.rollback()
    return render_template("units/form.html", form=form, unit=unit)
