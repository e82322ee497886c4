"""Reading and changing plans, tasks and units. Queries load relations explicitly, so a
page costs the same number of statements whatever the number of rows."""

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.audit import AuditEvent
from tracker.calendar.services import load_calendar
from tracker.common.text import contains
from tracker.extensions import db
from tracker.plans.lights import task_lights
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.plans.permissions import task_filter
from tracker.settings import get_setting
from tracker.timeutil import today
from tracker.units.models import Succession, Unit


def _task_options():
    return (
        joinedload(Task.lead_unit),
        selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
    )


def status_counts(scope: set[int] | None) -> dict[int, dict[str, int]]:
    """Tasks per plan and status within a unit scope: {plan_id: {status: n}}."""
    rows = db.session.execute(
        select(Task.plan_id, Task.status, func.count())
        .where(task_filter(scope))
        .group_by(Task.plan_id, Task.status)
    ).all()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TaskStatus, 0))
    for plan_id, status, n in rows:
        counts[plan_id][status] = n
    return counts


def plan_summaries(scope: set[int] | None) -> list[tuple[Plan, dict[str, int], int]]:
    """Plans the scope can see, each with its task counts by status and in total.

    A liaison sees only plans holding at least one task of its units.
    """
    counts = status_counts(scope)
    plans = db.session.scalars(select(Plan).order_by(Plan.issued_on.desc(), Plan.id)).all()
    result = []
    for plan in plans:
        by_status = counts.get(plan.id, dict.fromkeys(TaskStatus, 0))
        total = sum(by_status.values())
        if scope is not None and total == 0:
            continue
        result.append((plan, by_status, total))
    return result


def plan_sections_with_tasks(
    plan: Plan,
    scope: set[int] | None,
    section_id: int | None = None,
    *,
    archived: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Section, list[Task]]]:
    """The plan's sections, each with the tasks of the scope, in document order (two
    statements and the co-units' one, whatever the number of tasks). With `section_id` only
    that section's tasks are loaded (`limit`/`offset` page them) and every other section
    comes with none; `archived=False` leaves archived tasks out (the wall chart)."""
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    query = (
        select(Task)
        .where(Task.plan_id == plan.id, task_filter(scope))
        .options(*_task_options())
        .order_by(Task.number)
    )
    if not archived:
        query = query.where(Task.status != TaskStatus.ARCHIVED.value)
    if section_id is not None:
        query = query.where(Task.section_id == section_id)
    if limit:
        query = query.limit(limit).offset(offset)
    tasks = db.session.scalars(query).unique().all()
    by_section: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_section[task.section_id].append(task)
    return [(s, by_section.get(s.id, [])) for s in sections]


def tasks_in_scope(scope: set[int] | None, limit: int | None = None) -> list[Task]:
    """Tasks of the scope across plans, with plan, section and units loaded."""
    query = (
        select(Task)
        .where(task_filter(scope))
        .options(*_task_options(), joinedload(Task.plan), joinedload(Task.section))
        .order_by(Task.plan_id, Task.number)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query).unique().all())


def load_task(task_id: int) -> Task | None:
    return (
        db.session.scalars(
            select(Task)
            .where(Task.id == task_id)
            .options(*_task_options(), joinedload(Task.plan), joinedload(Task.section))
        )
        .unique()
        .one_or_none()
    )


def task_history(task: Task) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "task", AuditEvent.subject_id == task.id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        ).all()
    )


def lights_for(tasks) -> dict[int, str]:
    """The computed light of each task (green, yellow, red) for a list page: the calendar
    and the warning window are loaded once, whatever the number of tasks."""

    if not tasks:
        return {}
    return task_lights(tasks, today(), load_calendar(), int(get_setting("yellow_working_days")))


UNITS_PAGE = 100  # a page of /units (2,000 units at province scale, issue 13)


def unit_directory_page(q: str = "", page: int = 1, size: int = UNITS_PAGE):
    """One page of the unit directory, in code order: (rows, page, pages, total) with rows as
    unit_directory's. `q` (a part of the name, full name or code) filters in SQL; the total
    is counted there and the counts are read only for the page's units, so the page costs
    the same few statements whatever the number of units."""
    conditions = []
    if q:
        conditions.append(contains(q, Unit.name, Unit.full_name, Unit.code))
    total = db.session.scalar(select(func.count()).select_from(Unit).where(*conditions))
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    units = db.session.scalars(
        select(Unit)
        .options(
            joinedload(Unit.successor),
            joinedload(Unit.category),
            selectinload(Unit.successions).options(
                joinedload(Succession.reorganisation), joinedload(Succession.successor)
            ),
        )
        .where(*conditions)
        .order_by(Unit.code)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    ids = [u.id for u in units]
    lead = dict(
        db.session.execute(
            select(Task.lead_unit_id, func.count())
            .where(Task.lead_unit_id.in_(ids))
            .group_by(Task.lead_unit_id)
        ).all()
    )
    co = dict(
        db.session.execute(
            select(TaskCoUnit.unit_id, func.count())
            .where(TaskCoUnit.unit_id.in_(ids))
            .group_by(TaskCoUnit.unit_id)
        ).all()
    )
    predecessors: dict[int, list[Unit]] = defaultdict(list)
    for unit in db.session.scalars(
        select(Unit).where(Unit.successor_id.in_(ids)).order_by(Unit.code)
    ):
        predecessors[unit.successor_id].append(unit)
    rows = [(u, lead.get(u.id, 0), co.get(u.id, 0), predecessors.get(u.id, [])) for u in units]
    return rows, page, pages, total


def unit_directory() -> list[tuple[Unit, int, int, list[Unit]]]:
    """Every unit with its successor, its lead and co-unit task counts and its predecessors."""
    units = db.session.scalars(
        select(Unit)
        .options(
            joinedload(Unit.successor),
            joinedload(Unit.category),  # issue 14: categories, successors to confirm
            selectinload(Unit.successions).options(
                joinedload(Succession.reorganisation), joinedload(Succession.successor)
            ),
        )
        .order_by(Unit.code)
    ).all()
    lead = dict(
        db.session.execute(
            select(Task.lead_unit_id, func.count()).group_by(Task.lead_unit_id)
        ).all()
    )
    co = dict(
        db.session.execute(
            select(TaskCoUnit.unit_id, func.count()).group_by(TaskCoUnit.unit_id)
        ).all()
    )
    predecessors: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.successor_id:
            predecessors[unit.successor_id].append(unit)
    return [(u, lead.get(u.id, 0), co.get(u.id, 0), predecessors.get(u.id, [])) for u in units]
