"""The leaders' dashboard (领导驾驶舱) and its drill-down: plan → section → unit → task.

Read-only pages for the office, leaders and the admin; a liaison gets 403. Each chart is
drawn by static/js/dashboard.js — on the dashboard from /dashboard/charts.json (the page
stays small), on the drill-down pages from the JSON embedded in the page — and each has a
table with the same figures beside it, so the page is complete without JavaScript and in
print.
"""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.http import int_arg
from tracker.dashboard import drilldown
from tracker.dashboard import queries as dashboard
from tracker.plans.lights import LIGHT_LABELS
from tracker.plans.models import TaskStatus
from tracker.scoring.standings import number
from tracker.timeutil import today as local_today

bp = Blueprint("dashboard", __name__)

READERS = (Role.OFFICE, Role.LEADER, Role.ADMIN)
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one is "not found", not a DB error
ID = f"int(max={MAX_ID})"
# plans whose sections the dashboard itself lists (with 20 plans of 1,000 tasks the
# sections are on each plan's page instead: the dashboard stays under 200 KB)
SECTION_PLANS = 5


def _light_series(rows, counts_of) -> list[dict]:
    """One stacked series per light (red, yellow, green), for a bar chart."""
    return [
        {
            "name": str(LIGHT_LABELS[light]),
            "color": light,
            "data": [counts_of(row)[light] for row in rows],
        }
        for light in dashboard.LIGHTS
    ]


def _section_chart(progress: dashboard.PlanProgress) -> dict:
    sections = progress.sections
    return {
        "kind": "stacked",
        "categories": [f"{s.section.label} {s.section.title}" for s in sections],
        "series": _light_series(sections, lambda s: s.lights),
    }


def _charts(view: dashboard.Overview) -> dict:
    """The figures of every chart on the dashboard, as the tables beside them show them."""
    charts = {
        "plans": {
            "kind": "stacked",
            "categories": [p.plan.doc_number or p.plan.title for p in view.plans],
            "series": _light_series(view.plans, lambda p: p.lights),
        },
        "overdue": {
            "kind": "bar",
            "categories": [unit.name for unit, _n in view.top_overdue],
            "series": [
                {
                    "name": _("Overdue tasks"),
                    "color": "red",
                    "data": [n for _unit, n in view.top_overdue],
                }
            ],
        },
        "punctuality": {
            "kind": "stacked",
            "vertical": True,
            "categories": [month for month, _d, _t in view.punctuality],
            "series": [
                {
                    "name": _("On time"),
                    "color": "green",
                    "data": [t.on_time for _m, _d, t in view.punctuality],
                },
                {
                    "name": _("Late"),
                    "color": "yellow",
                    "data": [t.late for _m, _d, t in view.punctuality],
                },
                {
                    "name": _("Missing"),
                    "color": "red",
                    "data": [t.missing for _m, _d, t in view.punctuality],
                },
            ],
        },
        "ranking": {
            "kind": "bar",
            "categories": [row.card.unit.name for row in view.ranking],
            "series": [
                {
                    "name": _("Score"),
                    "color": "blue",
                    "data": [number(row.card.score) for row in view.ranking],
                }
            ],
            "min": "dataMin",
        },
    }
    for progress in view.plans[:SECTION_PLANS]:
        charts[f"sections-{progress.plan.id}"] = _section_chart(progress)
    sparks = {
        f"unit-{row.card.unit.id}": {
            "categories": view.trend_months,
            "data": [None if s is None else number(s) for s in row.trend],
        }
        for row in view.ranking
    }
    return {"charts": charts, "sparks": sparks}


@bp.route("/dashboard")
@role_required(*READERS)
def index():
    """The dashboard, its charts' figures embedded (≈19 KB): the page has them already, so
    the browser need not ask /dashboard/charts.json to compute them all again."""
    view = dashboard.overview(local_today())
    return render_template(
        "dashboard/index.html",
        view=view,
        data=_charts(view),
        statuses=[TaskStatus(s) for s in dashboard.STATUSES],
        number=number,
        top=dashboard.TOP,
        section_plans=SECTION_PLANS,
    )


@bp.route("/dashboard/charts.json")
@role_required(*READERS)
def charts():
    """The dashboard's charts as a small JSON: the figures the dashboard embeds, for a
    client that wants them alone (the page no longer fetches them)."""
    response = jsonify(_charts(dashboard.overview(local_today(), with_behind=False)))
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route(f"/dashboard/plans/<{ID}:plan_id>")
@role_required(*READERS)
def plan(plan_id: int):
    progress = dashboard.plan_progress(plan_id, local_today()) or abort(404)
    return render_template(
        "dashboard/plan.html",
        progress=progress,
        statuses=[TaskStatus(s) for s in dashboard.STATUSES],
        data={"charts": {"sections": _section_chart(progress)}},
    )


@bp.route(f"/dashboard/plans/<{ID}:plan_id>/sections/<{ID}:section_id>")
@role_required(*READERS)
def section(plan_id: int, section_id: int):
    found = drilldown.section_units(section_id, local_today())
    if found is None or found[0].plan_id != plan_id:
        abort(404)
    section, rows = found
    chart = {
        "kind": "stacked",
        "categories": [r.unit.name for r in rows],
        "series": _light_series(rows, lambda r: r.lead),
    }
    return render_template(
        "dashboard/section.html", section=section, rows=rows, data={"charts": {"units": chart}}
    )


def _section_arg() -> int | None:
    """?section=<id>: absent or empty means all sections; anything but an id (ASCII digits,
    at most MAX_ID) is a 400."""
    raw = request.args.get("section", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 10 or int(raw) > MAX_ID:
        abort(400)
    return int(raw)


@bp.route(f"/dashboard/units/<{ID}:unit_id>")
@role_required(*READERS)
def unit(unit_id: int):
    page = drilldown.unit_tasks(
        unit_id, local_today(), _section_arg(), int_arg("page") or 1
    ) or abort(404)
    back = (
        url_for("dashboard.section", plan_id=page.section.plan_id, section_id=page.section.id)
        if page.section
        else url_for("dashboard.index")
    )
    return render_template("dashboard/unit.html", page=page, back=back)
