"""Excel in: the 责任分解表 template, the upload, the preview and the confirm.

Who: the office imports (template, upload, preview, confirm, discard); the admin may
download the template; leaders and liaisons get 403. An upload belongs to the user who
made it: anyone else's token is "not found".
"""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.forms import ActionForm
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.plans import excel_import
from tracker.plans.excel_import import CREATE, ImportRefused
from tracker.plans.models import PLAN_KIND_LABELS, Plan
from tracker.plans.workbooks import XLSX_MIMETYPE, template_workbook

bp = Blueprint("plan_import", __name__)

MESSAGES = {
    "not_xlsx": _l("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again."),
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than 10 MB."),
    "plan_gone": _l("The plan chosen for this import no longer exists."),
    "plan_exists": _l(
        "A plan with this document number and title already exists: import into it instead."
    ),
    "file_has_problems": _l("The file still has problems: correct them and upload it again."),
    "units_unresolved": _l("Choose a unit, or “create unit”, for every unknown name."),
    "expired": _l("This upload has expired or is not yours: upload the file again."),
    "no_file": _l("Choose a file to upload."),
    "no_title": _l("Enter the new plan's title, or choose an existing plan."),
}


class UploadForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"))
    plan_id = SelectField(_l("Import into"), coerce=int, validators=[Optional()])
    title = StringField(_l("New plan: title"), validators=[Optional(), Length(max=300)])
    doc_number = StringField(_l("Document number"), validators=[Optional(), Length(max=64)])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=200)])
    kind = SelectField(
        _l("Source kind"), choices=[(str(k), v) for k, v in PLAN_KIND_LABELS.items()]
    )


def _upload_form() -> UploadForm:
    form = UploadForm()
    plans = db.session.scalars(select(Plan).order_by(Plan.issued_on.desc(), Plan.id)).all()
    form.plan_id.choices = [(0, _("A new plan"))] + [
        (p.id, f"{p.doc_number or ''} {p.title}".strip()) for p in plans
    ]
    return form


@bp.route("/plans/import/template.xlsx")
@role_required(Role.OFFICE, Role.ADMIN)
def template():
    return send_file(
        BytesIO(template_workbook()),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="责任分解表模板.xlsx",
    )


@bp.route("/plans/import", methods=["GET", "POST"])
@role_required(Role.OFFICE)
def upload():
    """Choose a file and where it goes; a valid upload is kept and previewed."""
    form = _upload_form()
    if request.method == "GET":
        form.plan_id.data = int_arg("plan_id", 0)
    if form.validate_on_submit():
        target = _target(form)
        file = request.files.get("file")
        if target is None:
            form.title.errors.append(MESSAGES["no_title"])
        elif file is None or not file.filename:
            form.file.errors.append(MESSAGES["no_file"])
        else:
            try:
                saved = excel_import.save_upload(file, current_user.id, target)
            except ImportRefused as refused:
                form.file.errors.append(MESSAGES[refused.key])
            else:
                return redirect(url_for("plan_import.preview", token=saved.token))
    return render_template("imports/upload.html", form=form), (
        400 if request.method == "POST" else 200
    )


def _target(form: UploadForm) -> dict | None:
    if form.plan_id.data:
        return {"plan_id": form.plan_id.data}
    title = (form.title.data or "").strip()
    if not title:
        return None
    return {
        "new": {
            "title": title,
            "doc_number": (form.doc_number.data or "").strip() or None,
            "issuer": (form.issuer.data or "").strip(),
            "kind": form.kind.data,
        }
    }


def _own_upload(token: str):
    found = excel_import.load_upload(token, current_user.id)
    if found is None:
        abort(404)
    return found


def _render_preview(upload, status=200, chosen=None):
    try:
        check, plan = excel_import.preview(upload)
    except ImportRefused as refused:
        flash(str(MESSAGES[refused.key]), "error")
        return redirect(url_for("plan_import.upload"))
    return render_template(
        "imports/preview.html",
        upload=upload,
        check=check,
        plan=plan,
        form=ActionForm(),
        units=excel_import.unit_menu(),
        chosen=chosen or {},
        CREATE=CREATE,
        kinds=PLAN_KIND_LABELS,
    ), status


@bp.route("/plans/import/<token>")
@role_required(Role.OFFICE)
def preview(token: str):
    return _render_preview(_own_upload(token))


@bp.route("/plans/import/<token>", methods=["POST"])
@role_required(Role.OFFICE)
def confirm(token: str):
    """Write the whole list in one transaction, or nothing."""
    upload = _own_upload(token)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    check, _plan = excel_import.preview(upload)
    choices = {
        u.written: request.form.get(f"unit-{i}", "") for i, u in enumerate(check.unknown_units)
    }
    try:
        plan = excel_import.confirm(upload, choices)
    except ImportRefused as refused:
        db.session.rollback()
        flash(str(MESSAGES[refused.key]), "error")
        return _render_preview(upload, 400, choices)
    db.session.commit()
    excel_import.discard(upload.token)
    flash(_("Imported %(n)s tasks.", n=len(check.rows)), "success")
    return redirect(url_for("plans.plan_detail", plan_id=plan.id))


@bp.route("/plans/import/<token>/discard", methods=["POST"])
@role_required(Role.OFFICE)
def discard(token: str):
    upload = _own_upload(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    excel_import.discard(upload.token)
    flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(url_for("plan_import.upload"))
