"""Evidence routes: upload to a report, download, delete.

Who may:
- upload and delete: the reporting unit's liaison while the report is editable (draft or
  returned);
- download: whoever may read the report (tracker.reports.permissions.can_view_report); for a
  close-out request's evidence, office, leader, admin and the liaisons of the task's lead unit
  (or of the requesting unit).
A liaison asking about another unit's report or file gets 404 (it learns nothing, not even
that it exists); someone who may read it but not change it gets 403.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.accounts.permissions import unit_scope
from tracker.common.http import safe_next
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.evidence import services as evidence
from tracker.reports.evidence.services import EvidenceRejected
from tracker.reports.models import Attachment, ProgressReport
from tracker.reports.permissions import can_view_report, can_write_report
from tracker.reports.rules import may_read_report
from tracker.supervision.models import CloseOutRequest

bp = Blueprint("evidence", __name__)


@bp.app_context_processor
def _evidence_template_values():
    """For templates/reports/_attachments.html: the file picker's filter and the limit."""
    return {
        "evidence_accept": evidence.ACCEPT,
        "evidence_limit": evidence.human_size(evidence.upload_limit()),
    }


@bp.app_template_filter("filesize")
def _filesize(size) -> str:
    return evidence.human_size(int(size or 0))


def _back(task_id: int):
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("pages.task_detail", task_id=task_id))


def _refuse(visible: bool):
    """403 to someone who may see the thing, 404 to someone who may not know it exists."""
    abort(403 if visible else 404)


def _close_out_visible(user, close_out: CloseOutRequest) -> bool:
    scope = unit_scope(user)
    if scope is None:
        return True
    lead_unit_id = db.session.scalar(select(Task.lead_unit_id).where(Task.id == close_out.task_id))
    return may_read_report(scope, close_out.unit_id, lead_unit_id)


@bp.route("/reports/<int:report_id>/attachments", methods=["POST"])
@login_required
def upload(report_id: int):
    report = db.session.get(ProgressReport, report_id) or abort(404)
    if not can_write_report(current_user, report):
        _refuse(can_view_report(current_user, report))
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash(_("Choose a file to upload."), "error")
        return _back(report.task_id)
    try:
        att = evidence.store_upload(upload_file, user=current_user, report=report)
        db.session.commit()
    except EvidenceRejected as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
    except Exception:
        db.session.rollback()
        raise
    else:
        flash(_("“%(name)s” uploaded.", name=att.original_name), "success")
    return _back(report.task_id)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    att = db.session.get(Attachment, attachment_id) or abort(404)
    report, close_out = evidence.attachment_owner(att)
    if report is not None:
        allowed = can_view_report(current_user, report)
    else:
        allowed = close_out is not None and _close_out_visible(current_user, close_out)
    if not allowed:
        abort(404)
    return evidence.send_attachment(att) or abort(404)


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete(attachment_id: int):
    att = db.session.get(Attachment, attachment_id) or abort(404)
    report, close_out = evidence.attachment_owner(att)
    if report is None:
        # Close-out evidence is not deleted here (the close-out request keeps its files).
        visible = close_out is not None and _close_out_visible(current_user, close_out)
        _refuse(visible)
    if not can_write_report(current_user, report):
        _refuse(can_view_report(current_user, report))
    name = att.original_name
    try:
        evidence.delete_attachment(att, user=current_user, report=report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    flash(_("“%(name)s” deleted.", name=name), "success")
    return _back(report.task_id)
