"""The dashboard's drill-down below a plan: a section's units with their lights, and a unit's
tasks (its own and those of the units it succeeded, as lead unit or co-unit), red first and
paged. Split out of dashboard/queries.py, whose rules (lights in SQL, work following
reorganisations) apply here unchanged; nothing here writes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.dashboard.queries import LIGHTS, LightRules, _section, _unit_rows, counts
from tracker.extensions import db
from tracker.plans.light_sql import light_case, light_condition
from tracker.plans.lights import RED, YELLOW
from tracker.plans.models import Section, Task, TaskCoUnit
from tracker.plans.search import unit_condition
from tracker.units.models import Unit
from tracker.units.rules import final_successor, predecessor_closure

UNIT_PAGE = 50  # tasks per page of a unit's dashboard page


@dataclass
class UnitInSection:
    unit: Unit  # a plain row (id, code, name, successor_id)
    lead: dict[str, int]  # the unit's lead tasks in the section, by light
    co: dict[str, int]  # its co-unit tasks there, by light


def section_units(section_id: int, today: date) -> tuple[Section, list[UnitInSection]] | None:
    """The units with tasks in a section (current successors), each with its tasks' lights
    as lead unit and as co-unit, most red first; None if the section is unknown."""
    section = _section(section_id)
    if section is None:
        return None
    light = light_case(LightRules.load().bounds(today))
    tasks = db.session.execute(
        select(Task.id, Task.lead_unit_id, light.label("light")).where(
            Task.section_id == section.id
        )
    ).all()
    lights = {t.id: t.light for t in tasks}
    units = _unit_rows()
    successor_of = {u.id: u.successor_id for u in units.values()}
    lead: dict[int, list[str]] = defaultdict(list)
    co: dict[int, list[str]] = defaultdict(list)
    leads = {}
    for t in tasks:
        leads[t.id] = final_successor(t.lead_unit_id, successor_of)
        lead[leads[t.id]].append(lights[t.id])
    seen = set()
    for task_id, unit_id in db.session.execute(
        select(TaskCoUnit.task_id, TaskCoUnit.unit_id)
        .join(Task, Task.id == TaskCoUnit.task_id)
        .where(Task.section_id == section.id)
    ).all():
        unit = final_successor(unit_id, successor_of)
        if unit != leads[task_id] and (task_id, unit) not in seen:
            seen.add((task_id, unit))
            co[unit].append(lights[task_id])
    rows = [
        UnitInSection(units[uid], counts(lead.get(uid, [])), counts(co.get(uid, [])))
        for uid in set(lead) | set(co)
    ]
    rows.sort(key=lambda r: (-r.lead[RED], -r.co[RED], -r.lead[YELLOW], r.unit.code))
    return section, rows


@dataclass
class UnitTask:
    task: Task
    light: str
    role: str  # "lead" or "co"


@dataclass
class UnitPage:
    unit: Unit  # plain rows (id, code, name, successor_id), as the other unit tables
    successor: Unit | None  # where its open work went, if it was reorganised
    predecessors: list[Unit]
    section: Section | None
    tasks: list[UnitTask]  # all of them, or one page's
    lights: dict[str, int]  # all of the unit's tasks by light
    page: int = 1
    pages: int = 1

    @property
    def total(self) -> int:
        return sum(self.lights.values())


def unit_tasks(
    unit_id: int,
    today: date,
    section_id: int | None = None,
    page: int | None = None,
    size: int = UNIT_PAGE,
) -> UnitPage | None:
    """The unit's tasks as lead unit or co-unit (its own and those of the units it
    succeeded), optionally in one section, red first — all of them, or page `page` of
    `size`; None if the unit or section is unknown. Lights, counts and order in SQL."""
    units = _unit_rows()  # plain rows (id, code, name, successor_id), not 2,000 ORM units
    unit = units.get(unit_id)
    if unit is None:
        return None
    section = None if section_id is None else _section(section_id)
    if section_id is not None and section is None:
        return None
    successor_of = {u.id: u.successor_id for u in units.values()}
    scope = predecessor_closure(unit.id, successor_of)
    where = [unit_condition(scope, "either")]  # id lists from the unit indexes, no scan
    if section is not None:
        where.append(Task.section_id == section.id)
    bounds = LightRules.load().bounds(today)
    light = light_case(bounds)
    lights = dict.fromkeys(LIGHTS, 0)
    counted = db.session.execute(select(light, func.count()).where(*where).group_by(light))
    lights.update((light_name, n) for light_name, n in counted)
    pages = max(1, -(-sum(lights.values()) // size))
    worst_first = case(
        (light_condition(RED, bounds), 0), (light_condition(YELLOW, bounds), 1), else_=2
    )
    query = select(Task.id, light).where(*where).order_by(worst_first, Task.plan_id, Task.number)
    if page is not None:
        page = min(max(page, 1), pages)
        query = query.limit(size).offset((page - 1) * size)
    light_of = dict(db.session.execute(query).all())
    loaded = db.session.scalars(
        select(Task)
        .where(Task.id.in_(light_of))
        .options(
            joinedload(Task.plan),
            joinedload(Task.section),
            joinedload(Task.lead_unit),
            selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
        )
    ).unique()
    by_id = {t.id: t for t in loaded}
    rows = [
        UnitTask(by_id[i], light_of[i], "lead" if by_id[i].lead_unit_id in scope else "co")
        for i in light_of
    ]
    successor = units[final_successor(unit.id, successor_of)]
    predecessors = [u for uid, u in units.items() if uid in scope and uid != unit.id]
    return UnitPage(
        unit,
        successor if successor is not unit else None,
        predecessors,
        section,
        rows,
        lights,
        page or 1,
        pages,
    )
