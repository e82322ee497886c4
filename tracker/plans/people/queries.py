"""Read models of people: who is in charge of which task, "我分管的" (a leader's tasks, red
and behind pace first) and the 挂图作战 chart. Each costs a fixed number of statements,
whatever the number of tasks: the leader rows, the sections and the tasks' plain rows are
loaded once and the rule (rules.leader_in_charge) runs in Python."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, String, case, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.models import Role, User
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, lights_of
from tracker.plans.milestones import queries as pace
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.plans.people import rules
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.plans.permissions import task_filter
from tracker.settings import get_setting
from tracker.timeutil import today

ARCHIVED = TaskStatus.ARCHIVED.value


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
    in_charge = {}
    for task in tasks:
        chain = rules.section_chain(task.section_id, parent_of)
        in_charge[task.id] = rules.leader_in_charge(
            leaders.of_task.get(task.id),
            [leaders.of_section.get(s) for s in chain],
            leaders.of_plan.get(task.plan_id),
        )
    return tasks, in_charge


def behind_pace_ids(task_ids, day: date) -> set[int]:
    """Those of the tasks that are behind pace (慢于序时) on `day`, by the pace rule
    (tracker.plans.milestones: a bounded read of the reported tasks, constant statements)."""
    ids = set(task_ids)
    return pace.behind_pace_ids(None, day) & ids if ids else set()


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


def leader_page(user_id: int, page: int = 1, per_page: int = 50) -> LeaderPage:
    """One page of "我分管的"."""
    rows, lights, behind = leader_task_rows(user_id)
    start = (page - 1) * per_page
    chosen = rows[start : start + per_page]
    ids = [r.id for r in chosen]
    loaded = full_tasks(ids)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.status != TaskStatus.CLOSED.value:
            counts[lights[row.id]] += 1
    return LeaderPage(
        tasks=[loaded[i] for i in ids if i in loaded],
        lights=lights,
        behind=behind & set(ids),
        persons=persons_of(ids),
        page=page,
        has_next=start + per_page < len(rows),
        total=len(rows),
        counts=dict(counts),
    )


def leader_choices() -> list[tuple[int, str]]:
    """Active leader accounts, for the office's forms."""
    rows = db.session.execute(
        select(User.id, User.display_name)
        .where(User.role == Role.LEADER.value, User.active.is_(True))
        .order_by(User.display_name, User.id)
    ).all()
    return [(r.id, r.display_name) for r in rows]


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
    choices: list[tuple[int, str]] = field(default_factory=list)


def task_people(task: Task, with_choices: bool = False) -> TaskPeople:
    """Who is in charge of this task and who answers for it in each unit, in one statement:
    a UNION of the plan's sections with their leaders, the plan's and the task's own
    leaders (with the leaders' names), the task's responsible persons and, `with_choices`,
    the active leader accounts the office may name (`choices`)."""
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
    parts = [sections, own, persons]
    if with_choices:
        parts.append(
            select(literal("choice"), User.id, no_int, no_int, User.display_name, no_text).where(
                User.role == Role.LEADER.value, User.active.is_(True)
            )
        )
    parent_of, leader_of, names, found, choices = {}, {}, {}, {}, []
    for row in db.session.execute(union_all(*parts)).all():
        if row.kind == "choice":
            choices.append((row.id, row.name))
            continue
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
        choices=sorted(choices, key=lambda c: (c[1], c[0])),
    )


@dataclass
class WallChart:
    """挂图作战: sections (with their tasks, each once), the time axis and the marks."""

    groups: list  # [(heading, [Task])]
    columns: list
    lights: dict[int, str]
    behind: set[int]
    leader_names: dict[int, str]
    in_charge: dict[int, int | None]
    persons: dict[int, dict[int, ResponsiblePerson]]
    due_column: dict[int, int | None]
    milestone_marks: dict[int, dict[int, list]]  # task id → column → milestones
    today_column: int | None
    task_count: int


def _chart(groups, tasks: list[Task], in_charge, start, end, today) -> WallChart:
    ids = [t.id for t in tasks]
    milestones = (
        db.session.scalars(
            select(Milestone)
            .where(Milestone.task_id.in_(ids))
            .order_by(Milestone.due_date, Milestone.id)
        ).all()
        if ids
        else []
    )
    days = [t.due_date for t in tasks if t.due_date] + [m.due_date for m in milestones]
    start = start or (min(days) if days else today)
    end = end or (max(days) if days else today)
    if days:
        start, end = min(start, *days), max(end, *days)
    columns = rules.time_axis(start, end)
    marks: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for milestone in milestones:
        marks[milestone.task_id][rules.column_of(columns, milestone.due_date)].append(milestone)
    today_column = rules.column_of(columns, today) if start <= today <= end else None
    return WallChart(
        groups=groups,
        columns=columns,
        lights=list_lights(tasks, today),
        behind=behind_pace_ids(ids, today),
        leader_names=names_of(in_charge.values()),
        in_charge=in_charge,
        persons=persons_of(ids),
        due_column={t.id: rules.column_of(columns, t.due_date) for t in tasks},
        milestone_marks=marks,
        today_column=today_column,
        task_count=len(tasks),
    )


def plan_wall_chart(plan: Plan, scope: set[int] | None, today) -> WallChart:
    """A plan's chart, grouped by section in document order; a liaison sees its unit's tasks
    only. A fixed number of statements for any number of tasks."""
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    tasks = (
        db.session.scalars(
            select(Task)
            .where(Task.plan_id == plan.id, Task.status != ARCHIVED, task_filter(scope))
            .options(
                joinedload(Task.lead_unit),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
            .order_by(Task.number)
        )
        .unique()
        .all()
    )
    _rows, in_charge = task_leaders([plan.id], load_leaders())
    by_section: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_section[task.section_id].append(task)
    groups = [
        (f"{s.path or s.label} {s.title}".strip(), by_section[s.id])
        for s in sections
        if by_section.get(s.id)
    ]
    return _chart(groups, tasks, in_charge, plan.period_start, plan.period_end, today)


def leader_wall_chart(user_id: int, today) -> WallChart:
    """A leader's chart: its tasks grouped by plan and section, in document order."""
    rows, _lights, _behind = leader_task_rows(user_id)
    loaded = full_tasks([r.id for r in rows])
    tasks = sorted(loaded.values(), key=lambda t: (t.plan_id, t.section.number, t.number))
    groups: list = []
    for task in tasks:
        heading = (
            f"{task.plan.doc_number or task.plan.title} · "
            f"{task.section.path or task.section.label} {task.section.title}"
        ).strip()
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(task)
    return _chart(groups, tasks, dict.fromkeys(loaded, user_id), None, None, today)
