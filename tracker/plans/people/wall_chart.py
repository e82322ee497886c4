"""The 挂图作战 chart (issue 14): a plan's or a leader's tasks grouped by section on a time
axis, with their lights, pace, leaders, persons and milestones — a fixed number of
statements for any number of tasks (the read models it uses are in people/queries.py)."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.plans.people import rules
from tracker.plans.people.models import ResponsiblePerson
from tracker.plans.people.queries import (
    ARCHIVED,
    behind_pace_ids,
    full_tasks,
    leader_task_rows,
    list_lights,
    load_leaders,
    names_of,
    persons_of,
    task_leaders,
)
from tracker.plans.permissions import task_filter


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


def _chart(
    groups, tasks: list[Task], in_charge, start, end, today, lights=None, behind=None
) -> WallChart:
    """`lights` and `behind`, when the caller has them already (the leader's rows), are not
    worked out again."""
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
        lights=list_lights(tasks, today) if lights is None else lights,
        behind=behind_pace_ids(ids, today) if behind is None else behind,
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
    rows, lights, behind = leader_task_rows(user_id)
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
    return _chart(groups, tasks, dict.fromkeys(loaded, user_id), None, None, today, lights, behind)
