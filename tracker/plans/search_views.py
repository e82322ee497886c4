"""The search box's results (/search) and the task list (/tasks, /tasks/export.xlsx).

Who: every signed-in user; a liaison finds only its units' tasks (task_filter) and the
plans that hold one. Filters live in the URL; a bad value is dropped with a message.
"""

from io import BytesIO

from flask import Blueprint, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.accounts.permissions import current_scope
from tracker.plans import search
from tracker.plans.lights import LIGHT_LABELS
from tracker.plans.models import PLAN_KIND_LABELS, TaskStatus
from tracker.plans.search_rules import ARCHIVED, LIGHTS, SORTS, TaskFilters, parse_filters
from tracker.plans.workbooks import XLSX_MIMETYPE, section_name, task_list_workbook
from tracker.timeutil import today
from tracker.units.forms import unit_menu

bp = Blueprint("search", __name__)

SEARCH_TASKS = 20


def _parsed():
    parsed = parse_filters(request.args)
    for message in parsed.messages:
        flash(message, "warning")
    return parsed.filters


def _context():
    return search.load_context(current_scope(), today(), current_user.unit_id)


@bp.route("/search")
@login_required
def search_page():
    """Tasks, plans and units whose text holds every term of the query."""
    filters = _parsed()
    found = None
    if filters.terms:
        ctx = _context()
        page = search.task_page(TaskFilters(q=filters.q), ctx, page_size=SEARCH_TASKS)
        found = {
            "tasks": page,
            "plans": search.matching_plans(filters.q, ctx.scope),
            "units": search.matching_units(filters.q),
        }
    return render_template("search/results.html", filters=filters, found=found)


@bp.route("/tasks")
@login_required
def task_list():
    """Every task the user may see, filtered, sorted and paginated as the URL says."""
    filters = _parsed()
    ctx = _context()
    page = search.task_page(filters, ctx)
    choices = search.filter_choices(ctx.scope, filters.plan)
    return render_template(
        "search/tasks.html",
        filters=filters,
        page=page,
        choices=choices,
        unit_options=unit_menu(filters.unit),
        kinds=PLAN_KIND_LABELS,
        statuses=[(s.value, s.label) for s in TaskStatus] + [(ARCHIVED, _("Archived"))],
        lights=[(light, LIGHT_LABELS[light]) for light in LIGHTS],
        sorts=SORTS,
        section_name=section_name,
    )


@bp.route("/tasks/export.xlsx")
@login_required
def task_export():
    """The filtered list as an Excel file, in the list's order (at most 10,000 rows)."""
    filters = parse_filters(request.args).filters
    tasks, lights = search.all_tasks(filters, _context())
    return send_file(
        BytesIO(task_list_workbook(tasks, lights)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"{_('Tasks')}-{today().isoformat()}.xlsx",
    )
