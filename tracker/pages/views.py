"""The composition layer: pages that gather several features (the home pages, the task
page). Features below never import from here."""

from flask import (
    Blueprint,
    abort,
    render_template,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import current_scope
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.pages.history import readable_history
from tracker.plans import services
from tracker.plans.lights import RED
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.plans.permissions import can_view_task
from tracker.reports.models import ProgressReport, ReportState
from tracker.reports.periods import calendar_warning_years
from tracker.reports.queries import task_reports
from tracker.supervision.workflow.queries import task_panel
from tracker.timeutil import today
from tracker.units.labels import answering_units
from tracker.units.models import Unit

bp = Blueprint("pages", __name__)


@bp.route("/")
@login_required
def home():
    """Each role starts where its work is."""
    scope = current_scope()
    summaries = services.plan_summaries(scope)
    context = {"summaries": summaries}
    if current_user.has_role(Role.LIAISON):
        context["tasks"] = services.tasks_in_scope(scope)
        context["lights"] = services.lights_for(context["tasks"])
        context["unit"] = (
            db.session.get(Unit, current_user.unit_id) if current_user.unit_id else None
        )

        # the unit is told: reports the office returned and that still await a resubmission
        context["returned_count"] = db.session.scalar(
            select(func.count())
            .select_from(ProgressReport)
            .where(
                ProgressReport.unit_id == current_user.unit_id,
                ProgressReport.state == ReportState.RETURNED.value,
            )
        )
    if current_user.has_role(Role.LEADER, Role.OFFICE):
        context["red_by_plan"] = _red_by_plan()
    if current_user.has_role(Role.OFFICE, Role.ADMIN):
        context["warning_years"] = calendar_warning_years(today())
    if current_user.has_role(Role.ADMIN):
        context["user_count"] = db.session.scalar(select(func.count()).select_from(User))
        context["recent_events"] = db.session.scalars(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)
        ).all()
    return render_template("pages/home.html", **context)


def _red_by_plan() -> dict[int, int]:
    """{plan id: its overdue (red) tasks today}, by the plan page's light rule. Two statements
    (the tasks' plain rows, the calendar and its setting are loaded once)."""
    rows = db.session.execute(
        select(Task.id, Task.plan_id, Task.status, Task.due_date).where(
            Task.status.in_(OPEN_STATUSES)
        )
    ).all()
    lights = services.lights_for(rows)
    red: dict[int, int] = {}
    for row in rows:
        if lights[row.id] == RED:
            red[row.plan_id] = red.get(row.plan_id, 0) + 1
    return red


@bp.route("/tasks/<int:task_id>")
@login_required
def task_detail(task_id: int):
    task = services.load_task(task_id)
    if task is None or not can_view_task(current_user, task):
        abort(404)

    return render_template(
        "pages/task.html",
        task=task,
        history=readable_history(services.task_history(task), task, current_user),
        lights=services.lights_for([task]),
        panel=task_panel(task, current_user),
        reports=task_reports(task, current_user),
        units=answering_units(),  # a reorganised unit shown as its successor, with history
    )


@bp.route("/units")
@login_required
def unit_list():
    return render_template("units/list.html", rows=services.unit_directory())
