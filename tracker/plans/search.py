"""Finding work: the search box and the task list (/tasks), as SQL over the trigram indexes
of migration 0007. Every list costs the same number of statements whatever the number of
rows: a count, the ids of one page (sorted by the database, which keeps only the page), that
page's tasks with their plan, section and lead unit joined, their co-units in one more
statement, the calendar and the warning window once.

A term of three characters or more uses the index: pg_trgm's GIN indexes serve ILIKE on
PostgreSQL, the FTS5 trigram table `task_search` serves MATCH on SQLite. A two-character
term ("孵化") has no trigram of its own: SQLite looks up the indexed trigrams that start with
it (every title and text is indexed with a line break after it, so every pair of characters
starts one), PostgreSQL answers it with ILIKE (a scan). A one-character term is scanned for.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import column, exists, func, or_, select, table, union
from sqlalchemy.orm import defer, joinedload, selectinload

from tracker.calendar.services import load_calendar
from tracker.common.text import like_pattern
from tracker.extensions import db
from tracker.plans.light_sql import light_condition, lights_of  # the light in SQL, once
from tracker.plans.lights import GREEN, RED, YELLOW
from tracker.plans.milestones.queries import behind_pace_select
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.plans.permissions import task_filter
from tracker.plans.search_rules import (
    ARCHIVED,
    PAGE_SIZE,
    TaskFilters,
    fts_phrase,
    has_letter_case,
    light_bounds,
    search_terms,
    trigram_prefix_range,
    uses_trigram_index,
)
from tracker.settings import get_setting
from tracker.units.models import Unit
from tracker.units.rules import predecessor_closure

SEARCH_OBJECTS = (
    "task_search",
    "ix_task_title_trgm",
    "ix_task_text_trgm",
    "ix_plan_title_trgm",
    "ix_plan_doc_number_trgm",
    "ix_unit_name_trgm",
)
_FTS = table("task_search", column("rowid"), column("task_search"))
_VOCAB = table("task_search_vocab", column("term"))
_NO_TRIGRAM = '"\x01\x01\x01"'  # an FTS5 phrase no task text holds
CLOSED = TaskStatus.CLOSED.value
EXPORT_LIMIT = 10000


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic: the search indexes and the FTS5 table (and its shadow tables) live only in
    migration 0007, not in the models; autogenerate leaves them alone."""
    if reflected and compare_to is None and name:
        if name in SEARCH_OBJECTS or name.startswith("task_search_"):
            return False
    return True


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def text_match(term: str, dialect: str, *columns):
    """A condition: `term` is a substring of one of `columns` (case-insensitive)."""
    pattern = like_pattern(term)
    if not has_letter_case(term):
        # nothing to fold (Chinese): a plain substring search is faster than (I)LIKE when
        # the rows are scanned — always on SQLite here, on PostgreSQL for a term too short
        # for a trigram; a longer one takes LIKE, which pg_trgm's index serves
        if dialect == "sqlite":
            return or_(*(func.instr(c, term) > 0 for c in columns))
        if not uses_trigram_index(term):
            return or_(*(func.strpos(c, term) > 0 for c in columns))
        return or_(*(c.like(pattern, escape="\\") for c in columns))
    if dialect == "postgresql":
        return or_(*(c.ilike(pattern, escape="\\") for c in columns))
    return or_(*(c.like(pattern, escape="\\") for c in columns))


def _fts_rowids(query):
    return Task.id.in_(select(_FTS.c.rowid).where(_FTS.c.task_search.op("MATCH")(query)))


def _trigrams_starting(low: str, high: str):
    """SQLite: the indexed trigrams in [low, high) as one FTS5 query ("abc" OR "abd" …),
    or a trigram no task holds when there is none."""
    quoted = func.printf('"%w"', _VOCAB.c.term)
    return (
        select(func.coalesce(func.group_concat(quoted, " OR "), _NO_TRIGRAM))
        .where(_VOCAB.c.term >= low, _VOCAB.c.term < high)
        .scalar_subquery()
    )


def task_text_match(term: str, dialect: str):
    """A task's title or text contains `term` (through the trigram index when it can: on
    SQLite three characters or more directly, two as the trigrams starting with them)."""
    if dialect == "sqlite":
        if uses_trigram_index(term):
            return _fts_rowids(fts_phrase(term))
        prefix_range = trigram_prefix_range(term)
        if prefix_range:
            return _fts_rowids(_trigrams_starting(*prefix_range))
    return text_match(term, dialect, Task.title, Task.text)


def unit_condition(unit_ids: set[int], role: str):
    """The task has one of `unit_ids` as lead unit, co-unit or either (`role`). As id lists
    from the unit indexes: "lead OR EXISTS(co-unit)" would read every task."""
    lead = select(Task.id).where(Task.lead_unit_id.in_(unit_ids))
    co = select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id.in_(unit_ids))
    if role == "lead":
        return Task.lead_unit_id.in_(unit_ids)
    return Task.id.in_(co if role == "co" else union(lead, co))


def own_units(unit_id: int | None) -> set[int]:
    """The user's unit and the units it succeeded: "my unit" on the task list."""
    if unit_id is None:
        return set()
    rows = db.session.execute(select(Unit.id, Unit.successor_id)).all()
    return predecessor_closure(unit_id, {r.id: r.successor_id for r in rows})


def section_and_below(section_id: int) -> set[int]:
    """A section and every section nested in it (one statement)."""
    plan_id = select(Section.plan_id).where(Section.id == section_id).scalar_subquery()
    rows = db.session.execute(
        select(Section.id, Section.parent_id).where(Section.plan_id == plan_id)
    ).all()
    found, changed = {section_id}, True
    while changed:
        changed = False
        for sid, parent in rows:
            if parent in found and sid not in found:
                found.add(sid)
                changed = True
    return found


@dataclass
class Context:
    """What a filtered list needs besides the filters, loaded once per request."""

    scope: set[int] | None
    today: date
    calendar: object
    warn_days: int
    user_unit_id: int | None = None


def load_context(scope: set[int] | None, today: date, user_unit_id: int | None) -> Context:
    return Context(
        scope, today, load_calendar(), int(get_setting("yellow_working_days")), user_unit_id
    )


def task_conditions(f: TaskFilters, ctx: Context) -> list:
    """The WHERE clauses of the task list for these filters and this user."""
    dialect = _dialect()
    where = [task_filter(ctx.scope)]
    where += [task_text_match(term, dialect) for term in search_terms(f.q)]
    if f.status == ARCHIVED:
        where.append(Task.archived_at.is_not(None))
    else:
        where.append(Task.archived_at.is_(None))
        if f.status:
            where.append(Task.status == f.status)
    if f.plan:
        where.append(Task.plan_id == f.plan)
    if f.kind:
        where.append(Plan.kind == f.kind)
    if f.section:
        where.append(Task.section_id.in_(section_and_below(f.section)))
    if f.unit:
        where.append(unit_condition({f.unit}, f.role))
    if f.mine:
        where.append(unit_condition(own_units(ctx.user_unit_id) or {0}, f.role))
    if f.due_from:
        where.append(Task.due_date >= f.due_from)
    if f.due_to:
        where.append(Task.due_date <= f.due_to)
    if f.light or f.overdue:
        bounds = light_bounds(ctx.today, ctx.calendar, ctx.warn_days)
        if f.light:
            where.append(light_condition(f.light, bounds))
        if f.overdue:
            where.append(light_condition(RED, bounds))
    if f.behind:  # 慢于序时: the stored pace (milestones/queries.py), as a subquery
        where.append(Task.id.in_(behind_pace_select(ctx.scope)))
    return where


_LEAD = Unit.__table__.alias("lead_unit_sort")


def _order(f: TaskFilters) -> list:
    direction = (lambda c: c.desc()) if f.desc else (lambda c: c.asc())
    by_number = [Plan.issued_on.desc(), Task.plan_id, Task.number]
    if f.sort == "due":
        if f.only_dated:
            return [direction(Task.due_date), *by_number]
        due = Task.due_date.is_(None)  # tasks without a due date last, either way
        return [due, direction(Task.due_date), *by_number]
    if f.sort == "title":
        return [direction(Task.title), Task.id]
    if f.sort == "lead":
        return [direction(_LEAD.c.name), *by_number]
    if f.sort == "status":
        return [direction(Task.status), *by_number]
    if f.desc:
        return [Plan.issued_on.asc(), Task.plan_id.desc(), Task.number.desc()]
    return by_number


def _load_options():
    """What a row shows: not the task's full text nor its plan's source document (a plan's
    source text can be a whole policy document, joined to every row)."""
    return (
        defer(Task.text, raiseload=True),
        defer(Task.source_excerpt, raiseload=True),
        joinedload(Task.plan).load_only(
            Plan.doc_number, Plan.title, Plan.kind, Plan.issued_on, raiseload=True
        ),
        joinedload(Task.section),
        joinedload(Task.lead_unit),
        selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
    )


@dataclass
class TaskPage:
    tasks: list[Task]
    total: int
    page: int
    pages: int
    lights: dict[int, str]


def _matching(f: TaskFilters, where: list):
    """SELECT task.id of every matching task (joined to its plan: sorts and the source-kind
    filter read it), not yet ordered."""
    query = select(Task.id).join(Plan, Plan.id == Task.plan_id).where(*where)
    if f.sort == "lead":
        query = query.join(_LEAD, _LEAD.c.id == Task.lead_unit_id)
    return query


def _count(f: TaskFilters, where: list) -> int:
    """How many tasks match (the plan is joined only for the source-kind filter)."""
    query = select(func.count()).select_from(Task)
    if f.kind:
        query = query.join(Plan, Plan.id == Task.plan_id)
    return db.session.scalar(query.where(*where))


def _ordered_ids(f: TaskFilters, where: list, limit: int | None = None, offset: int = 0):
    """The ids of matching tasks in the list's order, `limit` of them from `offset`: the
    database keeps only the page while sorting (a top-N sort) instead of handing every
    match to Python."""
    query = _matching(f, where).order_by(*_order(f))
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def _load(ids: list[int]) -> list[Task]:
    """The tasks of `ids`, in that order, with plan, section and units loaded."""
    if not ids:
        return []
    found = db.session.scalars(select(Task).where(Task.id.in_(ids)).options(*_load_options()))
    by_id = {t.id: t for t in found.unique()}
    return [by_id[i] for i in ids if i in by_id]


def task_page(f: TaskFilters, ctx: Context, page_size: int = PAGE_SIZE) -> TaskPage:
    """One page of the filtered, sorted task list with each task's light."""
    where = task_conditions(f, ctx)
    ids, total = [], None
    if f.terms or f.light or f.overdue or f.behind:
        # matching is the cost (text, a light's milestones, the stored pace): read the
        # matches once and count them on the way. Without such a filter a separate COUNT
        # is cheaper: it reads an index, where the window would number every task.
        query = _matching(f, where).add_columns(func.count().over()).order_by(*_order(f))
        rows = db.session.execute(query.limit(page_size).offset((f.page - 1) * page_size)).all()
        ids, total = [r[0] for r in rows], (rows[0][1] if rows else None)
    if total is None:  # no text, or a page past the end (then it is shown the last page)
        total = _count(f, where)
        ids = None
    pages = max(1, -(-total // page_size))
    page = min(f.page, pages)
    if ids is None:
        ids = _ordered_ids(f, where, page_size, (page - 1) * page_size) if total else []
    tasks = _load(ids)
    # the combined light (milestones too), as the light filter chose them: one statement
    lights = lights_of(ids, light_bounds(ctx.today, ctx.calendar, ctx.warn_days))
    return TaskPage(tasks, total, page, pages, lights)


def all_tasks(f: TaskFilters, ctx: Context) -> tuple[list[Task], dict[int, str]]:
    """Every task the filters select, in the list's order (the export), at most 10,000."""
    tasks = _load(_ordered_ids(f, task_conditions(f, ctx), EXPORT_LIMIT))
    return tasks, lights_of(
        [t.id for t in tasks], light_bounds(ctx.today, ctx.calendar, ctx.warn_days)
    )


def matching_plans(q: str, scope: set[int] | None, limit: int = 20) -> list[Plan]:
    """Plans whose title or document number holds every term; a liaison's only those with
    a task of its units."""
    terms = search_terms(q)
    if not terms:
        return []
    dialect = _dialect()
    query = select(Plan).where(
        *(text_match(t, dialect, Plan.title, Plan.doc_number) for t in terms)
    )
    if scope is not None:
        query = query.where(exists().where(Task.plan_id == Plan.id, task_filter(scope)))
    return list(db.session.scalars(query.order_by(Plan.issued_on.desc(), Plan.id).limit(limit)))


def matching_units(q: str, limit: int = 20) -> list[Unit]:
    """Units whose name or full name holds every term (the unit directory is public)."""
    terms = search_terms(q)
    if not terms:
        return []
    dialect = _dialect()
    query = select(Unit).where(*(text_match(t, dialect, Unit.name, Unit.full_name) for t in terms))
    return list(db.session.scalars(query.order_by(Unit.code).limit(limit)))


def filter_choices(scope: set[int] | None, plan_id: int | None) -> dict:
    """The menus of the filter form: plans the user may see and the plan's sections (the
    unit menu: units.forms.unit_menu). Plans as (id, names) rows: the menu needs nothing else."""
    plans = select(Plan.id, Plan.doc_number, Plan.title).order_by(Plan.issued_on.desc(), Plan.id)
    if scope is not None:
        plans = plans.where(exists().where(Task.plan_id == Plan.id, task_filter(scope)))
    sections = []
    if plan_id:
        sections = list(
            db.session.scalars(
                select(Section).where(Section.plan_id == plan_id).order_by(Section.number)
            )
        )
    return {"plans": db.session.execute(plans).all(), "sections": sections}


LIGHTS = (GREEN, YELLOW, RED)
