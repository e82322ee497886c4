"""The composition layer: pages that gather several features (the home pages, the task
page). Features below never import from here."""

from flask import (
    Blueprint,
    abort,
    render_template,
    request,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import current_scope
from tracker.audit import AuditEvent
from tracker.calendar.services import load_calendar
from tracker.common.http import int_arg
from tracker.extensions import db
from tracker.pages.history import history_page
from tracker.plans import search, services
from tracker.plans.light_sql import bounds_on, light_condition
from tracker.plans.lights import RED
from tracker.plans.milestones.queries import milestone_panel
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.plans.people.queries import leader_page
from tracker.plans.people.views import task_page_people
from tracker.plans.permissions import can_view_task
from tracker.plans.search_rules import TaskFilters
from tracker.reports.load.queries import linked_panel
from tracker.reports.models import ProgressReport, ReportState
from tracker.reports.periods import calendar_warning_years
from tracker.reports.queries import task_reports
from tracker.settings import get_setting
from tracker.supervision.workflow.contest.queries import contest_panel
from tracker.supervision.workflow.queries import task_panel
from tracker.timeutil import today
from tracker.units.labels import answering_units
from tracker.units.models import Unit

bp = Blueprint("pages", __name__)
LEADING_ON_HOME = 10  # the first tasks of 我分管的 on a leader's home page
HOME_TASKS = 25  # a page of a liaison's tasks on its home page (issue 13)


@bp.route("/")
@login_required
def home():
    """Each role starts where its work is."""
    scope = current_scope()
    summaries = services.plan_summaries(scope)
    context = {"summaries": summaries}
    if current_user.has_role(Role.LIAISON):
        # a page of the unit's tasks (the /tasks list's query: count, page, lights of the
        # page only); the whole list is /tasks
        page = search.task_page(
            TaskFilters(page=int_arg("page", 1) or 1),
            search.load_context(scope, today(), current_user.unit_id),
            page_size=HOME_TASKS,
        )
        context.update(tasks=page.tasks, lights=page.lights, task_page=page)
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
    if current_user.has_role(Role.LEADER):
        context["leading"] = leader_page(current_user.id, 1, LEADING_ON_HOME)  # 我分管的
    if current_user.has_role(Role.OFFICE, Role.ADMIN):
        context["warning_years"] = calendar_warning_years(today())
    if current_user.has_role(Role.ADMIN):
        context["user_count"] = db.session.scalar(select(func.count()).select_from(User))
        context["recent_events"] = db.session.scalars(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)
        ).all()
    return render_template("pages/home.html", **context)


def _red_by_plan() -> dict[int, int]:
    """{plan id: its open (assigned or in progress) overdue tasks today}, by the plan
    page's light rule, counted by the database (plans.light_sql: the rule's due-date
    boundaries, found once)."""
    bounds = bounds_on(today(), load_calendar(), int(get_setting("yellow_working_days")))
    return dict(
        db.session.execute(
            select(Task.plan_id, func.count())
            .where(Task.status.in_(OPEN_STATUSES), light_condition(RED, bounds))
            .group_by(Task.plan_id)
        ).all()
    )


def _task_units(task) -> dict[int, tuple[int, str, str | None]]:
    """units.labels.answering_units for the task's own units: from the loaded units when
    none was reorganised (no statement: the common case), else answering_units (2,000
    units' names and successors, one statement)."""
    named = [task.lead_unit, *task.co_units]
    if any(unit.successor_id is not None for unit in named):
        return answering_units([unit.id for unit in named])
    return {unit.id: (unit.id, unit.name, None) for unit in named}


@bp.route("/tasks/<int:task_id>")
@login_required
def task_detail(task_id: int):
    task = services.load_task(task_id)
    if task is None or not can_view_task(current_user, task):
        abort(404)
    # 分管领导 (typed, with the page's leader datalist) and 责任人 (plans/people)
    people = task_page_people(task, current_user)
    return render_template(
        "pages/task.html",
        task=task,
        history=history_page(task, current_user, request.args.get("page", 1, type=int)),
        lights=services.lights_for([task]),
        panel=task_panel(task, current_user),
        contest=contest_panel(task, current_user, today()),  # 退回交办
        reports=task_reports(task, current_user),
        # a reorganised unit shown as its successor, with history (only the task's units)
        units=_task_units(task),
        **people,
        milestones=milestone_panel(task, current_user, today()),  # 节点 and 序时进度
        linked=linked_panel(task, current_user),  # 一报多用: linked tasks (reports/load)
    )


@bp.route("/units")
@login_required
def unit_list():
    q = (request.args.get("q") or "").strip()[:100]
    rows, page, pages, total = services.unit_directory_page(q, int_arg("page", 1) or 1)
    return render_template("units/list.html", rows=rows, q=q, page=page, pages=pages, total=total)
