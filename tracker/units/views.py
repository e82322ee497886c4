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
from tracker.units.forms import CategoryForm, UnitForm, unit_datalist
from tracker.units.models import Unit, UnitCategory

bp = Blueprint("units", __name__)


def _all_units():
    """The successor may be any unit (the old menu listed them all)."""
    return unit_datalist(current_only=False)


def _category_choices():
    return [(0, "—")] + [(c.id, c.name) for c in services.categories()]


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
    before = {"name": unit.name, "code": unit.code, "successor_id": unit.successor_id,
              "category_id": unit.category_id}  # fmt: skip
    unit.name = name
    unit.code = code
    unit.full_name = (form.full_name.data or "").strip() or None
    unit.kind = form.kind.data
    unit.aliases = [a for a in re.split(r"[、,,;;\s]+", form.aliases_text.data or "") if a]
    unit.successor_id = successor_id
    unit.category_id = form.category_id.data or None
    unit.successor_note = (form.successor_note.data or "").strip() or None
    db.session.flush()
    after = {"name": unit.name, "code": unit.code, "successor_id": unit.successor_id,
             "category_id": unit.category_id}  # fmt: skip
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
    form.category_id.choices = _category_choices()
    if form.validate_on_submit() and _save_unit(form, None):
        db.session.commit()
        flash(_("Unit saved."), "success")
        return redirect(url_for("pages.unit_list"))
    db.session.rollback()
    return render_template("units/form.html", form=form, unit=None, unit_options=_all_units())


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_edit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = UnitForm(obj=unit)
    form.category_id.choices = _category_choices()
    if request.method == "GET":
        form.category_id.data = unit.category_id or 0
        form.aliases_text.data = "、".join(unit.aliases or [])
    if form.validate_on_submit() and _save_unit(form, unit):
        db.session.commit()
        flash(_("Unit saved."), "success")
        return redirect(url_for("pages.unit_list"))
    db.session.rollback()
    return render_template("units/form.html", form=form, unit=unit, unit_options=_all_units())


def _save_category(form: CategoryForm, category: UnitCategory | None) -> bool:
    name = form.name.data.strip()
    clash = db.session.scalar(select(UnitCategory.id).where(UnitCategory.name == name))
    if clash is not None and (category is None or clash != category.id):
        form.name.errors.append(_("Another category already uses this name."))
        return False
    if category is None:
        category = UnitCategory()
        db.session.add(category)
    before = {"name": category.name, "position": category.position}
    category.name = name
    category.position = form.position.data or 0
    db.session.flush()
    after = {"name": name, "position": category.position}
    record("unit.category_saved", subject_type="unit_category", subject_id=category.id,
           detail={"before": before, "after": after})  # fmt: skip
    return True


@bp.route("/units/categories", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def categories():
    """The unit categories (分类考核): the admin adds and renames them; units get theirs on
    the unit form."""
    form = CategoryForm()
    if form.validate_on_submit() and _save_category(form, None):
        db.session.commit()
        flash(_("Category saved."), "success")
        return redirect(url_for("units.categories"))
    db.session.rollback()
    rows = services.categories()
    edit_forms = {c.id: CategoryForm(formdata=None, obj=c, prefix=f"c{c.id}") for c in rows}
    return render_template("units/categories.html", form=form, rows=rows, edit_forms=edit_forms)


@bp.route("/units/categories/<int:category_id>", methods=["POST"])
@role_required(Role.ADMIN)
def category_edit(category_id: int):
    category = db.session.get(UnitCategory, category_id) or abort(404)
    form = CategoryForm(prefix=f"c{category.id}")
    if form.validate_on_submit() and _save_category(form, category):
        db.session.commit()
        flash(_("Category saved."), "success")
    else:
        db.session.rollback()
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("units.categories"))
