"""Read models of people: who is in charge of which task and "我分管的" (a leader's tasks, red
and behind pace first; the 挂图作战 chart is in wall_chart.py). Each costs a fixed number of
statements, whatever the number of tasks. "我分管的" is selected, counted, ordered and paged
by the database (`leader_page`: the rule rules.leader_in_charge resolved over the few
sections in Python, then written as a WHERE clause; the order rules.leader_order as an
ORDER BY); the chart's full list (`leader_task_rows`) applies the rule to plain rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role, User
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_case, lights_of
from tracker.plans.lights import RED, YELLOW
from tracker.plans.milestones import queries as pace
from tracker.plans.models import Section, Task, TaskCoUnit, TaskStatus
from tracker.plans.people import rules
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.settings import get_setting
from tracker.timeutil import today

ARCHIVED = TaskStatus.ARCHIVED.value
CLOSED = TaskStatus.CLOSED.value


@dataclass
class Leaders:
    """The named leaders, by what they are named for."""

    of_plan: dict[int, int] = field(default_factory=dict)
    of_section: dict[int, int] = field(default_factory=dict)
    of_task: dict[int, int] = field(default_factory=dict)
    plans_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


def load_leaders() -> Leaders:
    """Every named leader (one statement): {plan/section/task id: user id}, and for each
    leader the plans where it is named for something."""
    rows = db.session.execute(
        select(
            LeaderInCharge.plan_id,
            LeaderInCharge.section_id,
            LeaderInCharge.task_id,
            LeaderInCharge.user_id,
            func.coalesce(LeaderInCharge.plan_id, Section.plan_id, Task.plan_id),
        )
        .outerjoin(Section, Section.id == LeaderInCharge.section_id)
        .outerjoin(Task, Task.id == LeaderInCharge.task_id)
    ).all()
    leaders = Leaders()
    for plan_id, section_id, task_id, user_id, home in rows:
        if plan_id is not None:
            leaders.of_plan[plan_id] = user_id
        elif section_id is not None:
            leaders.of_section[section_id] = user_id
        elif task_id is not None:
            leaders.of_task[task_id] = user_id
        leaders.plans_of[user_id].add(home)
    return leaders


def task_leaders(plan_ids, leaders: Leaders) -> tuple[list, dict[int, int | None]]:
    """The plain rows (id, plan_id, section_id, number, status, due_date) of the plans'
    tasks that are not archived, and {task id: its leader in charge or None}. Two
    statements."""
    if not plan_ids:
        return [], {}
    parent_of = dict(
        db.session.execute(
            select(Section.id, Section.parent_id).where(Section.plan_id.in_(plan_ids))
        ).all()
    )
    tasks = db.session.execute(
        select(
            Task.id, Task.plan_id, Task.section_id, Task.number, Task.status, Task.due_date
        ).where(Task.plan_id.in_(plan_ids), Task.status != ARCHIVED)
    ).all()
    return tasks, _in_charge(tasks, leaders, parent_of)


def leaders_of(tasks, leaders: Leaders) -> dict[int, int | None]:
    """{task id: its leader in charge or None} of some tasks (anything with id, plan_id and
    section_id: a chart page's): one statement (their plans' sections)."""
    plan_ids = {t.plan_id for t in tasks}
    if not plan_ids:
        return {}
    parent_of = dict(
        db.session.execute(
            select(Section.id, Section.parent_id).where(Section.plan_id.in_(plan_ids))
        ).all()
    )
    return _in_charge(tasks, leaders, parent_of)


def _in_charge(tasks, leaders: Leaders, parent_of: dict) -> dict[int, int | None]:
    in_charge = {}
    for task in tasks:
        chain = rules.section_chain(task.section_id, parent_of)
        in_charge[task.id] = rules.leader_in_charge(
            leaders.of_task.get(task.id),
            [leaders.of_section.get(s) for s in chain],
            leaders.of_plan.get(task.plan_id),
        )
    return in_charge


MAX_LISTED_IDS = 5000  # ids bound into one statement (SQLite and psycopg cap parameters)


def behind_pace_ids(task_ids, day: date) -> set[int]:
    """Those of the tasks that are behind pace (慢于序时) on `day`, by the pace rule
    (tracker.plans.milestones: a bounded read of the reported tasks, constant statements)."""
    ids = set(task_ids)
    if not ids:
        return set()
    if len(ids) > MAX_LISTED_IDS:  # beyond what a statement may bind: filter here instead
        return pace.behind_pace_ids(None, day) & ids
    return pace.behind_pace_ids(None, day, among=ids)


def list_lights(rows, day: date) -> dict[int, str]:
    """{task id: combined light} for rows with an id: the one SQL light of plans/light_sql.py
    (the task's deadline, and its milestones: red when one is missed, yellow when one is due
    soon), so these pages colour a task as every list does. Two statements."""
    if not rows:
        return {}
    bounds = bounds_on(day, load_calendar(), int(get_setting("yellow_working_days")))
    return lights_of([row.id for row in rows], bounds)


def leader_task_rows(user_id: int) -> tuple[list, dict[int, str]]:
    """The leader's tasks (plain rows) in the order of "我分管的", with their lights and the
    ids of those behind pace."""
    leaders = load_leaders()
    plan_ids = sorted(leaders.plans_of.get(user_id, ()))
    tasks, in_charge = task_leaders(plan_ids, leaders)
    mine = [t for t in tasks if in_charge.get(t.id) == user_id]
    day = today()
    lights = list_lights(mine, day)
    behind = behind_pace_ids([t.id for t in mine], day)
    mine.sort(
        key=lambda t: rules.leader_order(
            lights[t.id], t.id in behind, t.status, t.due_date, t.plan_id, t.number
        )
    )
    return mine, lights, behind


@dataclass
class LeaderPage:
    tasks: list
    lights: dict[int, str]
    behind: set[int]
    persons: dict[int, dict[int, ResponsiblePerson]]
    page: int
    has_next: bool
    total: int
    counts: dict[str, int]


def full_tasks(task_ids) -> dict[int, Task]:
    """Tasks with plan, section, lead unit and co-units loaded (three statements)."""
    if not task_ids:
        return {}
    rows = (
        db.session.scalars(
            select(Task)
            .where(Task.id.in_(task_ids))
            .options(
                joinedload(Task.plan),
                joinedload(Task.section),
                joinedload(Task.lead_unit),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
        )
        .unique()
        .all()
    )
    return {t.id: t for t in rows}


def persons_of(task_ids) -> dict[int, dict[int, ResponsiblePerson]]:
    """{task id: {unit id: responsible person}} (one statement)."""
    found: dict[int, dict[int, ResponsiblePerson]] = defaultdict(dict)
    if task_ids:
        for person in db.session.scalars(
            select(ResponsiblePerson).where(ResponsiblePerson.task_id.in_(task_ids))
        ):
            found[person.task_id][person.unit_id] = person
    return found


def leader_condition(user_id: int, leaders: Leaders):
    """A WHERE clause: the task is the leader's in charge (rules.leader_in_charge) — it
    names the leader itself, or names nobody and its nearest section naming a leader, else
    its plan, names this one — or None when the leader is in charge of nothing. The
    sections' part is resolved here, by the rule, over the few sections of the leader's
    plans (one statement); the tasks are then selected by the database."""
    plan_ids = sorted(leaders.plans_of.get(user_id, ()))
    if not plan_ids:
        return None
    sections = db.session.execute(
        select(Section.id, Section.parent_id, Section.plan_id).where(Section.plan_id.in_(plan_ids))
    ).all()
    parent_of = {s.id: s.parent_id for s in sections}
    mine_sections = [
        s.id
        for s in sections
        if rules.leader_in_charge(
            None,
            [leaders.of_section.get(c) for c in rules.section_chain(s.id, parent_of)],
            leaders.of_plan.get(s.plan_id),
        )
        == user_id
    ]
    mine_plans = [p for p in plan_ids if leaders.of_plan.get(p) == user_id]  # no section
    own = select(LeaderInCharge.id).where(LeaderInCharge.task_id == Task.id)
    return and_(
        Task.plan_id.in_(plan_ids),
        Task.status != ARCHIVED,
        or_(
            own.where(LeaderInCharge.user_id == user_id).exists(),
            and_(
                ~own.exists(),
                or_(
                    Task.section_id.in_(mine_sections),
                    and_(Task.section_id.is_(None), Task.plan_id.in_(mine_plans)),
                ),
            ),
        ),
    )


def leader_rank(light, behind_ids):
    """rules.leader_order's first key in SQL: 0 red, 1 behind pace, 2 yellow, 3 green, 4
    closed (`light` the SQL light, `behind_ids` the leader's tasks behind pace)."""
    return case(
        (Task.status == CLOSED, 4),
        (light == RED, 0),
        (Task.id.in_(sorted(behind_ids)), 1),
        (light == YELLOW, 2),
        else_=3,
    )


def leader_page(user_id: int, page: int = 1, per_page: int = 50) -> LeaderPage:
    """One page of "我分管的", paged by the database: the leader's tasks selected in SQL
    (`leader_condition`), counted by light with a GROUP BY over the SQL light, ordered by
    rules.leader_order written in SQL (`leader_rank`, then due date, plan, number) with
    LIMIT/OFFSET — a fixed number of statements and only the page's tasks loaded.
    tests/people/test_leader_page_sql.py checks it against the rule on varied data."""
    condition = leader_condition(user_id, load_leaders())
    if condition is None:
        return LeaderPage([], {}, set(), {}, page, False, 0, {})
    day = today()
    bounds = bounds_on(day, load_calendar(), int(get_setting("yellow_working_days")))
    light = light_case(bounds)
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for name, status, n in db.session.execute(
        select(light, Task.status, func.count()).where(condition).group_by(light, Task.status)
    ).all():
        total += n
        if status != CLOSED:
            counts[name] += n
    everyone_behind = pace.behind_pace_ids(None, day) if total else set()
    behind = (  # the leader's ids (one column) met in Python, not thousands of parameters
        set(db.session.scalars(select(Task.id).where(condition))) & everyone_behind
        if everyone_behind
        else set()
    )
    start = (page - 1) * per_page
    rows = db.session.execute(
        select(Task.id, light)
        .where(condition)
        .order_by(
            leader_rank(light, behind),
            Task.due_date.is_(None),
            Task.due_date,
            Task.plan_id,
            Task.number,
        )
        .limit(per_page)
        .offset(start)
    ).all()
    lights = dict(rows)
    ids = list(lights)
    loaded = full_tasks(ids)
    return LeaderPage(
        tasks=[loaded[i] for i in ids if i in loaded],
        lights=lights,
        behind=behind & set(ids),
        persons=persons_of(ids),
        page=page,
        has_next=start + per_page < total,
        total=total,
        counts=dict(counts),
    )


def leader_rows() -> list:
    """Active leader accounts (id, display name, username), in name order: one statement,
    for the menus and the typed leader field (people/forms.LeaderField)."""
    return db.session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.role == Role.LEADER.value, User.active.is_(True))
        .order_by(User.display_name, User.id)
    ).all()


def names_of(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


@dataclass(frozen=True)
class Person:
    """A responsible person as the task page shows it."""

    name: str
    phone: str | None


@dataclass
class TaskPeople:
    """The task page's people: the leader in charge and where it comes from, the persons."""

    leader_id: int | None
    leader_name: str | None
    source: str | None  # "task", "section" or "plan"
    own_leader_id: int | None
    persons: dict[int, Person]


def task_people(task: Task) -> TaskPeople:
    """Who is in charge of this task and who answers for it in each unit, in one statement:
    a UNION of the plan's sections with their leaders, the plan's and the task's own
    leaders (with the leaders' names) and the task's responsible persons."""
    no_int, no_text = literal(None, type_=Integer), literal(None, type_=String)
    sections = (
        select(
            literal("section").label("kind"),
            Section.id.label("id"),
            Section.parent_id.label("parent_id"),
            LeaderInCharge.user_id.label("user_id"),
            User.display_name.label("name"),
            no_text.label("phone"),
        )
        .outerjoin(LeaderInCharge, LeaderInCharge.section_id == Section.id)
        .outerjoin(User, User.id == LeaderInCharge.user_id)
        .where(Section.plan_id == task.plan_id)
    )
    own = (
        select(
            case((LeaderInCharge.task_id.is_not(None), "task"), else_="plan"),
            func.coalesce(LeaderInCharge.task_id, LeaderInCharge.plan_id),
            no_int,
            LeaderInCharge.user_id,
            User.display_name,
            no_text,
        )
        .join(User, User.id == LeaderInCharge.user_id)
        .where(or_(LeaderInCharge.plan_id == task.plan_id, LeaderInCharge.task_id == task.id))
    )
    persons = select(
        literal("person"),
        ResponsiblePerson.unit_id,
        no_int,
        no_int,
        ResponsiblePerson.name,
        ResponsiblePerson.phone,
    ).where(ResponsiblePerson.task_id == task.id)
    parent_of, leader_of, names, found = {}, {}, {}, {}
    for row in db.session.execute(union_all(sections, own, persons)).all():
        if row.kind == "person":
            found[row.id] = Person(row.name, row.phone)
            continue
        if row.kind == "section":
            parent_of[row.id] = row.parent_id
        if row.user_id is not None:
            leader_of[(row.kind, row.id)] = row.user_id
            names[row.user_id] = row.name
    chain = rules.section_chain(task.section_id, parent_of)
    candidates = [
        ("task", leader_of.get(("task", task.id))),
        *[("section", leader_of.get(("section", s))) for s in chain],
        ("plan", leader_of.get(("plan", task.plan_id))),
    ]
    leader_id = rules.leader_in_charge(
        candidates[0][1], [c[1] for c in candidates[1:-1]], candidates[-1][1]
    )
    source = next((kind for kind, who in candidates if who is not None), None)
    return TaskPeople(
        leader_id=leader_id,
        leader_name=names.get(leader_id),
        source=source,
        own_leader_id=candidates[0][1],
        persons=found,
    )
