"""The plan page (/plans/<id>) at any size: a plan of 1,000 tasks is shown section by
section. The counts of every section (by light, and the pending tasks the office can assign)
come from one GROUP BY with the SQL light (plans.light_sql); a plan of up to PAGE_SIZE tasks
(in the reader's scope) shows all its sections open, as before; a larger one shows the
outline of its sections and the tasks of one section, PAGE_SIZE at a time."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.calendar.rules import WorkingCalendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_case, lights_of
from tracker.plans.lights import GREEN, RED, YELLOW
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.plans.permissions import task_filter

PAGE_SIZE = 100  # tasks on one page of the plan page
LIGHTS = (RED, YELLOW, GREEN)


@dataclass
class SectionCounts:
    section: Section
    lights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LIGHTS, 0))

    @property
    def total(self) -> int:
        return sum(self.lights.values())


@dataclass
class PlanPage:
    outline: list[SectionCounts]  # every section with its tasks' lights
    sections: list[tuple[Section, list[Task]]]  # the sections shown open, with their tasks
    lights: dict[int, str]  # the light of each task shown
    total: int  # tasks of the plan in the reader's scope
    pending: int  # of them, not yet assigned
    chosen: Section | None = None  # the one section shown when the plan is paged
    page: int = 1
    pages: int = 1

    @property
    def paged(self) -> bool:
        return self.chosen is not None


def _tasks(*where, limit=None, offset=0) -> list[Task]:
    query = (
        select(Task)
        .where(*where)
        .options(
            joinedload(Task.lead_unit), selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit)
        )
        .order_by(Task.number)
    )
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique().all())


def plan_page(
    plan: Plan,
    scope: set[int] | None,
    today: date,
    calendar: WorkingCalendar,
    warn_days: int,
    section_id: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> PlanPage:
    """What the plan page shows (see the module's rule), in a fixed number of statements."""
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    where = (Task.plan_id == plan.id, task_filter(scope))
    light = light_case(bounds_on(today, calendar, warn_days))
    outline = {s.id: SectionCounts(s) for s in sections}
    pending = 0
    for sid, task_light, status, n in db.session.execute(
        select(Task.section_id, light, Task.status, func.count())
        .where(*where)
        .group_by(Task.section_id, light, Task.status)
    ).all():
        outline[sid].lights[task_light] += n
        pending += n if status == TaskStatus.PENDING.value else 0
    rows = list(outline.values())
    total = sum(r.total for r in rows)
    if total <= page_size:
        by_section: dict[int, list[Task]] = defaultdict(list)
        for task in _tasks(*where) if total else []:
            by_section[task.section_id].append(task)
        shown = [(s, by_section.get(s.id, [])) for s in sections]
        tasks = [t for _s, ts in shown for t in ts]
        lights = lights_of([t.id for t in tasks], bounds_on(today, calendar, warn_days))
        return PlanPage(rows, shown, lights, total, pending)
    chosen = outline.get(section_id) or next(r for r in rows if r.total)
    pages = max(1, -(-chosen.total // page_size))
    page = min(max(page, 1), pages)
    tasks = _tasks(
        *where, Task.section_id == chosen.section.id, limit=page_size, offset=(page - 1) * page_size
    )
    return PlanPage(
        rows,
        [(chosen.section, tasks)],
        lights_of([t.id for t in tasks], bounds_on(today, calendar, warn_days)),
        total,
        pending,
        chosen.section,
        page,
        pages,
    )
