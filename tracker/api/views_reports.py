"""Progress reports: read (who may, as on the pages); a liaison's token creates, saves and
submits its unit's reports; the office's token accepts or returns them. Writes carry the
report's ETag in If-Match: the forms' version check."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import Role
from tracker.api import schemas
from tracker.api.auth import caller, require_role, token
from tracker.api.blueprints import api_blueprint
from tracker.api.core import keyset, page, report_etag, required_version
from tracker.api.problems import Problem
from tracker.api.scope import report_clause
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.reports import services
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.periods import current_period
from tracker.reports.permissions import can_write_report
from tracker.timeutil import today

bp = api_blueprint("api_reports", "Progress reports (月报): read, write, review")
NEWER_REVISION = _l("A newer revision of this report exists: change that one.")
LOCKED = _l("This report can no longer be changed.")
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "the report's ETag, as last read (428 without it, 412 if it changed)",
}


def _out(report: ProgressReport) -> dict:
    return {
        **{
            k: getattr(report, k)
            for k in (
                "id",
                "task_id",
                "unit_id",
                "revision",
                "state",
                "version",
                "progress",
                "percent",
                "problems",
                "next_steps",
                "unchanged",
                "updated_at",
                "submitted_at",
                "reviewed_at",
                "return_reason",
                "quality",
            )
        },
        "period": report.period.key,
    }


def _with_etag(report: ProgressReport, status: int = 200):
    return _out(report), status, {"ETag": report_etag(report)}


def _readable(report_id: int) -> ProgressReport:
    report = db.session.scalar(
        select(ProgressReport)
        .options(joinedload(ProgressReport.period))
        .where(ProgressReport.id == report_id, report_clause(caller(), token()))
    )
    if report is None:
        raise Problem(404, "not_found")
    return report


@bp.route("/reports")
@bp.arguments(schemas.ReportArgs, location="query")
@bp.response(200, schemas.ReportPage)
def reports(args):
    """The reports the caller may read (reports/permissions.report_filter)."""
    query = select(ProgressReport).options(joinedload(ProgressReport.period))
    query = query.where(report_clause(caller(), token()))
    for name in ("task_id", "unit_id", "state"):
        if args.get(name):
            query = query.where(getattr(ProgressReport, name) == args[name])
    if args.get("period"):
        year, month = (int(x) for x in args["period"].split("-"))
        query = query.join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id).where(
            ReportingPeriod.year == year, ReportingPeriod.month == month
        )
    columns = {"id": ProgressReport.id, "updated_at": ProgressReport.updated_at}
    convert = _stamp if args["sort"].lstrip("-") == "updated_at" else None
    rows = db.session.scalars(
        keyset(query, args["sort"], columns, ProgressReport.id, args, convert)
    ).all()
    name = args["sort"].lstrip("-")

    def key(r):
        return r.updated_at.isoformat() if name == "updated_at" else r.id

    result = page(rows, args["sort"], key, args["limit"])
    result["items"] = [_out(r) for r in result["items"]]
    return result


def _stamp(value: str):
    return datetime.fromisoformat(value)


@bp.route("/reports/<int:report_id>")
@bp.response(200, schemas.ReportOut, headers={"ETag": {"schema": {"type": "string"}}})
def report(report_id):
    """One report; its ETag is its version, for If-Match on the next write."""
    return _with_etag(_readable(report_id))


def _refused(exc: StepRefused, conflict: bool = False):
    return Problem(
        409 if conflict else 422, "conflict" if conflict else "refused", message=exc.message
    )


@bp.route("/reports", methods=["POST"])
@bp.arguments(schemas.ReportCreate)
@bp.response(201, schemas.ReportOut, headers={"ETag": {"schema": {"type": "string"}}})
def create_report(data):
    """A liaison's token starts its unit's report on a task for this month (a draft)."""
    user = require_role(Role.LIAISON)
    period = current_period(today())
    if services.current_report(data["task_id"], user.unit_id, period.id) is not None:
        raise Problem(409, "report_exists")
    values = {k: data[k] for k in ("progress", "percent", "problems", "next_steps")}
    try:
        saved = services.save_report(user, period, data["task_id"], 0, values, submit=False)
    except LookupError as exc:
        raise Problem(404, "not_found") from exc
    except services.VersionConflict as exc:
        raise _refused(exc, conflict=True) from exc
    except StepRefused as exc:
        raise _refused(exc) from exc
    db.session.commit()
    return _with_etag(_readable(saved.id), 201)


def _own_latest(report_id: int) -> ProgressReport:
    """A report the liaison may write: its unit's, still editable, the latest revision."""
    user = require_role(Role.LIAISON)
    report = _readable(report_id)
    if report.unit_id != user.unit_id:
        raise Problem(403, "forbidden")
    latest = services.current_report(report.task_id, report.unit_id, report.period_id)
    if latest.id != report.id:
        raise Problem(409, "conflict", message=NEWER_REVISION)
    return report


@bp.route("/reports/<int:report_id>", methods=["PUT"])
@bp.arguments(schemas.ReportUpdate)
@bp.response(200, schemas.ReportOut, headers={"ETag": {"schema": {"type": "string"}}})
@bp.doc(parameters=[IF_MATCH])
def save_report(data, report_id):
    """Save the unit's report as a draft (If-Match: the ETag read last)."""
    return _write(report_id, data, submit=False)


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@bp.response(200, schemas.ReportOut, headers={"ETag": {"schema": {"type": "string"}}})
@bp.doc(parameters=[IF_MATCH])
def submit_report(report_id):
    """Submit the saved report to the office (If-Match: the ETag read last)."""
    return _write(report_id, None, submit=True)


def _write(report_id: int, data: dict | None, submit: bool):
    report = _own_latest(report_id)
    version = required_version(report)
    if not can_write_report(caller(), report):
        raise Problem(409, "conflict", message=LOCKED)
    values = data or {
        "progress": report.progress,
        "percent": report.percent,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }
    period = report.period
    try:
        saved = services.save_report(
            caller(), period, report.task_id, version, values, submit=submit
        )
    except LookupError as exc:
        raise Problem(404, "not_found") from exc
    except services.VersionConflict as exc:
        raise Problem(412, "precondition_failed") from exc
    except StepRefused as exc:
        raise _refused(exc) from exc
    db.session.commit()
    return _with_etag(_readable(saved.id))


@bp.route("/reports/<int:report_id>/review", methods=["POST"])
@bp.arguments(schemas.ReviewIn)
@bp.response(200, schemas.ReportOut, headers={"ETag": {"schema": {"type": "string"}}})
@bp.doc(parameters=[IF_MATCH])
def review_report(data, report_id):
    """The office accepts a submitted report (with a quality rating) or returns it with a
    reason (If-Match: the ETag read last)."""
    user = require_role(Role.OFFICE)
    report = _readable(report_id)
    version = required_version(report)
    try:
        services.review(user, report, version, data["decision"], data["reason"], data["quality"])
    except services.VersionConflict as exc:
        raise Problem(412, "precondition_failed") from exc
    except StepRefused as exc:
        raise _refused(exc) from exc
    db.session.commit()
    return _with_etag(_readable(report_id))
