"""Bulletins (通报): list, draft from a period's scores, read (print-friendly), edit, publish,
Word and Excel exports; and a plan's ledger (台账) as Excel. Thin handlers: check the role,
validate, call a service (bulletins.py, exports.py), commit once, flash, redirect. A refused
step saves nothing.

Who: the office drafts, edits and publishes; office, leader and admin read every bulletin,
drafts included; a liaison reads published bulletins only — a draft is "not found" (404) to
it. The ledger is for office, leader and admin. A role without the step: 403.
"""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required, unit_scope
from tracker.common.errors import StepRefused
from tracker.common.forms import ActionForm
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.scoring.bulletins import services as bulletins
from tracker.scoring.bulletins.forms import BulletinEditForm, BulletinNewForm, period_suggestions
from tracker.scoring.bulletins.word import ISSUER, SIGNATURE, bulletin_document
from tracker.scoring.exports import XLSX_MIMETYPE, bulletin_workbook, fmt, ledger_workbook
from tracker.scoring.models import BulletinState
from tracker.scoring.rules import rule_label
from tracker.timeutil import today

bp = Blueprint("bulletins", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _readable(bulletin_id: int):
    """The bulletin for a reader: 404 if missing, or a draft asked for by a liaison."""
    bulletin = bulletins.load_bulletin(bulletin_id) or abort(404)
    if not bulletins.can_read(current_user, bulletin):
        abort(404)
    return bulletin


def _stream(data, mimetype: str, name: str):
    return send_file(
        BytesIO(data) if isinstance(data, bytes) else data,
        mimetype=mimetype,
        as_attachment=True,
        download_name=name,
    )


# ---------------------------------------------------------------- list, draft


@bp.route("/bulletins")
@login_required
def index():
    return render_template(
        "bulletins/index.html",
        rows=bulletins.bulletin_list(current_user),
        can_draft=current_user.has_role(Role.OFFICE),
    )


def _new_page(form, status=200, error: StepRefused | None = None):
    return (
        render_template(
            "bulletins/new.html",
            form=form,
            error=error.message if error else None,
            need_scores=bool(error and error.key in ("no_scores", "months_missing")),
            suggestions=period_suggestions(today()),
            stored=bulletins.stored_months(),
        ),
        status,
    )


@bp.route("/bulletins/new")
@role_required(Role.OFFICE)
def new():
    form = BulletinNewForm(formdata=None)
    if request.args.get("period"):
        form.period.data = request.args["period"][:10]  # prefilled from the scorecards page
    return _new_page(form)


@bp.route("/bulletins", methods=["POST"])
@role_required(Role.OFFICE)
def create():
    form = BulletinNewForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked fields."), "error")
        return _new_page(form, 400)
    try:
        bulletin = bulletins.draft(current_user, form.period.data, today())
    except StepRefused as error:
        db.session.rollback()
        return _new_page(form, 400, error)
    bulletin_id, number = bulletin.id, bulletin.number
    db.session.commit()
    flash(
        _("Bulletin %(number)s drafted: check and edit the text, then publish it.", number=number),
        "success",
    )
    return redirect(url_for("bulletins.detail", bulletin_id=bulletin_id))


# ---------------------------------------------------------------- read


@bp.route("/bulletins/<int:bulletin_id>")
@login_required
def detail(bulletin_id: int, edit_form=None, status=200):
    bulletin = _readable(bulletin_id)
    can_change = current_user.has_role(Role.OFFICE) and bulletin.state == BulletinState.DRAFT.value
    if can_change and edit_form is None:
        edit_form = BulletinEditForm(formdata=None, obj=bulletin)
    return (
        render_template(
            "bulletins/detail.html",
            bulletin=bulletin,
            figures=bulletin.figures or {},
            can_change=can_change,
            edit_form=edit_form,
            scope=unit_scope(current_user),
            fmt=fmt,
            rule_label=rule_label,
            issuer=ISSUER,
            signature=SIGNATURE,
        ),
        status,
    )


@bp.route("/bulletins/<int:bulletin_id>.docx")
@login_required
def docx(bulletin_id: int):
    bulletin = _readable(bulletin_id)
    return _stream(bulletin_document(bulletin), DOCX_MIMETYPE, f"{bulletin.number}.docx")


@bp.route("/bulletins/<int:bulletin_id>.xlsx")
@login_required
def xlsx(bulletin_id: int):
    bulletin = _readable(bulletin_id)
    return _stream(
        bulletin_workbook(bulletin.figures or {}), XLSX_MIMETYPE, f"{bulletin.number}.xlsx"
    )


# ---------------------------------------------------------------- edit, publish


def _refused(bulletin_id: int, error: StepRefused):
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for("bulletins.detail", bulletin_id=bulletin_id))


@bp.route("/bulletins/<int:bulletin_id>/edit", methods=["POST"])
@role_required(Role.OFFICE)
def edit(bulletin_id: int):
    bulletin = bulletins.load_bulletin(bulletin_id, for_update=True) or abort(404)
    if key := bulletins.check_change(bulletin.state):
        return _refused(bulletin_id, StepRefused(key))
    form = BulletinEditForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked fields."), "error")
        return detail(bulletin_id, edit_form=form, status=400)
    try:
        bulletins.edit(bulletin, current_user, form.title.data, form.body.data)
    except StepRefused as error:
        return _refused(bulletin_id, error)
    db.session.commit()
    flash(_("Bulletin saved."), "success")
    return redirect(url_for("bulletins.detail", bulletin_id=bulletin_id))


@bp.route("/bulletins/<int:bulletin_id>/publish", methods=["POST"])
@role_required(Role.OFFICE)
def publish(bulletin_id: int):
    bulletin = bulletins.load_bulletin(bulletin_id, for_update=True) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        bulletins.publish(bulletin, current_user, today())
    except StepRefused as error:
        return _refused(bulletin_id, error)
    number = bulletin.number
    db.session.commit()
    flash(_("Bulletin %(number)s published.", number=number), "success")
    return redirect(url_for("bulletins.detail", bulletin_id=bulletin_id))


# ---------------------------------------------------------------- ledger


@bp.route("/plans/<int:plan_id>/ledger.xlsx")
@role_required(Role.OFFICE, Role.LEADER, Role.ADMIN)
def plan_ledger(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    name = f"{plan.doc_number or plan.title}台账.xlsx"
    return _stream(ledger_workbook(plan_id, today()), XLSX_MIMETYPE, name)
