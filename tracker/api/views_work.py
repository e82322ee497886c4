"""Read-only resources of the work itself: units, plans, sections, tasks (with lights and
percentages)."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import Role
from tracker.accounts.permissions import unit_scope
from tracker.api import schemas
from tracker.api.auth import caller, token
from tracker.api.blueprints import api_blueprint
from tracker.api.core import keyset, page
from tracker.api.problems import Problem
from tracker.api.scope import may_view_task, task_clause
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_case
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.public.queries import accepted_percents
from tracker.reports.rules import may_read_report
from tracker.settings import get_setting
from tracker.timeutil import today
from tracker.units.models import Unit

bp = api_blueprint("api_work", "Units, plans, sections and tasks (read)")

_DATE = date.fromisoformat


def _limited_plans():
    """Plans a caller sees: all for office, leader and admin; else those with a task it
    sees (a liaison, or a token limited to units or plans)."""
    return Plan.id.in_(select(Task.plan_id).where(task_clause(caller(), token())))


def _needs_plan_limit() -> bool:
    user, tok = caller(), token()
    return user.has_role(Role.LIAISON) or bool(tok.unit_ids or tok.plan_ids)


# ---------------------------------------------------------------- units


@bp.route("/units")
@bp.arguments(schemas.UnitArgs, location="query")
@bp.response(200, schemas.UnitPage)
def units(args):
    """Units (责任单位). Every caller sees the directory of units."""
    query = select(Unit)
    if args.get("current"):
        query = query.where(Unit.successor_id.is_(None))
    columns = {"id": Unit.id, "code": Unit.code, "name": Unit.name}
    rows = db.session.scalars(keyset(query, args["sort"], columns, Unit.id, args)).all()
    return page(rows, args["sort"], lambda u: getattr(u, args["sort"].lstrip("-")), args["limit"])


@bp.route("/units/<int:unit_id>")
@bp.response(200, schemas.UnitOut)
def unit(unit_id):
    return db.session.get(Unit, unit_id) or _missing()


# ---------------------------------------------------------------- plans


def _plan_out(plan: Plan) -> dict:
    return {
        **{k: getattr(plan, k) for k in ("id", "key", "doc_number", "title", "issuer", "kind")},
        **{k: getattr(plan, k) for k in ("issued_on", "period_start", "period_end")},
        "archived": plan.archived_at is not None,
    }


@bp.route("/plans")
@bp.arguments(schemas.PlanArgs, location="query")
@bp.response(200, schemas.PlanPage)
def plans(args):
    """Plans (规划文件 / 方案): a liaison sees those with tasks of its unit."""
    query = select(Plan)
    if _needs_plan_limit():
        query = query.where(_limited_plans())
    if args.get("kind"):
        query = query.where(Plan.kind == args["kind"])
    if "archived" in args:
        query = query.where(
            Plan.archived_at.is_not(None) if args["archived"] else Plan.archived_at.is_(None)
        )
    columns = {
        "id": Plan.id,
        "title": Plan.title,
        "issued_on": func.coalesce(Plan.issued_on, _DATE("1900-01-01")),
    }
    convert = _DATE if args["sort"].lstrip("-") == "issued_on" else None
    rows = db.session.scalars(keyset(query, args["sort"], columns, Plan.id, args, convert)).all()
    result = page(rows, args["sort"], _plan_key(args["sort"]), args["limit"])
    result["items"] = [_plan_out(p) for p in result["items"]]
    return result


def _plan_key(sort: str):
    name = sort.lstrip("-")
    if name == "issued_on":
        return lambda p: (p.issued_on or _DATE("1900-01-01")).isoformat()
    return lambda p: getattr(p, name)


@bp.route("/plans/<int:plan_id>")
@bp.response(200, schemas.PlanOut)
def plan(plan_id):
    query = select(Plan).where(Plan.id == plan_id)
    if _needs_plan_limit():
        query = query.where(_limited_plans())
    found = db.session.scalar(query)
    return _plan_out(found) if found else _missing()


# ---------------------------------------------------------------- sections


@bp.route("/sections")
@bp.arguments(schemas.SectionArgs, location="query")
@bp.response(200, schemas.SectionPage)
def sections(args):
    """Sections (部分 / 工程) of the plans the caller sees."""
    query = select(Section)
    if _needs_plan_limit():
        query = query.where(Section.plan_id.in_(select(Plan.id).where(_limited_plans())))
    if args.get("plan_id"):
        query = query.where(Section.plan_id == args["plan_id"])
    columns = {"id": Section.id, "number": Section.number}
    rows = db.session.scalars(keyset(query, args["sort"], columns, Section.id, args)).all()
    return page(rows, args["sort"], lambda s: getattr(s, args["sort"].lstrip("-")), args["limit"])


# ---------------------------------------------------------------- tasks


def _task_select():
    """SELECT each task with its combined light, as the task list shows it
    (plans.light_sql: the rule's due-date boundaries, found once; milestones included), so
    the light costs no statement and no Python loop of its own."""
    bounds = bounds_on(today(), load_calendar(), int(get_setting("yellow_working_days")))
    return select(Task, light_case(bounds)).options(selectinload(Task.co_unit_links))


def _tasks_out(rows) -> list[dict]:
    """The tasks, given as (task, light) rows, with their light and percent. The percent
    comes from the lead unit's report: a caller who may not read that report (a co-unit's
    liaison) gets null."""
    percents = accepted_percents([t for t, _light in rows])
    scope = unit_scope(caller())
    return [
        {
            **{
                k: getattr(t, k) for k in ("id", "plan_id", "section_id", "number", "title", "text")
            },
            **{k: getattr(t, k) for k in ("lead_unit_id", "due_date", "status", "closed_at")},
            "co_unit_ids": [link.unit_id for link in t.co_unit_links],
            "light": light,
            "percent": percents[t.id]
            if may_read_report(scope, t.lead_unit_id, t.lead_unit_id)
            else None,
        }
        for t, light in rows
    ]


@bp.route("/tasks")
@bp.arguments(schemas.TaskArgs, location="query")
@bp.response(200, schemas.TaskPage)
def tasks(args):
    """Tasks (任务) the caller may see, with their light (green / yellow / red) and percent."""
    query = _task_select().where(task_clause(caller(), token()))
    for name in ("plan_id", "section_id", "lead_unit_id", "status"):
        if args.get(name):
            query = query.where(getattr(Task, name) == args[name])
    if args.get("unit_id"):
        unit_id = args["unit_id"]
        co = select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id == unit_id)
        query = query.where((Task.lead_unit_id == unit_id) | Task.id.in_(co))
    if args.get("due_before"):
        query = query.where(Task.due_date <= args["due_before"])
    if args.get("due_after"):
        query = query.where(Task.due_date >= args["due_after"])
    far = _DATE("9999-12-31")
    columns = {
        "id": Task.id,
        "number": Task.number,
        "due_date": func.coalesce(Task.due_date, far),
    }
    convert = _DATE if args["sort"].lstrip("-") == "due_date" else None
    rows = db.session.execute(keyset(query, args["sort"], columns, Task.id, args, convert)).all()
    light_of = {t.id: light for t, light in rows}
    name = args["sort"].lstrip("-")

    def key(t):
        return (t.due_date or far).isoformat() if name == "due_date" else getattr(t, name)

    result = page([t for t, _light in rows], args["sort"], key, args["limit"])
    result["items"] = _tasks_out([(t, light_of[t.id]) for t in result["items"]])
    return result


@bp.route("/tasks/<int:task_id>")
@bp.response(200, schemas.TaskOut)
def task(task_id):
    found = db.session.execute(_task_select().where(Task.id == task_id)).first()
    if found is None or not may_view_task(caller(), token(), found[0]):
        return _missing()
    return _tasks_out([tuple(found)])[0]


def _missing():
    raise Problem(404, "not_found")
