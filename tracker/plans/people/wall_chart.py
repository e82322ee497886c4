"""The 挂图作战 chart (issue 14): a plan's or a leader's tasks grouped by section on a time
axis, with their lights, pace, leaders, persons and milestones — a fixed number of
statements for any number of tasks (the read models it uses are in people/queries.py).

At province scale (issue 13) a chart of up to PAGE_SIZE tasks (a plan's in the reader's
scope, or a leader's) is shown whole; a larger one one section at a time (`?section=<id>`,
the first section holding tasks by default or when the id is not one of those sections, as
on the plan page), a section of more than PAGE_SIZE tasks PAGE_SIZE rows a page. The time
axis is the same on every page: the plan's period (a leader's chart: none) widened to the
due dates of all the chart's tasks, and to the milestones shown."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task
from tracker.plans.people import rules
from tracker.plans.people.models import ResponsiblePerson
from tracker.plans.people.queries import (
    ARCHIVED,
    behind_pace_ids,
    full_tasks,
    leader_task_rows,
    leaders_of,
    list_lights,
    load_leaders,
    names_of,
    persons_of,
)
from tracker.plans.permissions import task_filter
from tracker.plans.services import plan_sections_with_tasks

PAGE_SIZE = (
    100  # rows of a plan's chart on one page (a whole small plan, else a section), as the plan page
)


@dataclass
class WallChart:
    """挂图作战: sections (with their tasks, each once), the time axis and the marks."""

    groups: list  # [(heading, [Task], section id or None)]
    columns: list
    lights: dict[int, str]
    behind: set[int]
    leader_names: dict[int, str]
    in_charge: dict[int, int | None]
    persons: dict[int, dict[int, ResponsiblePerson]]
    due_column: dict[int, int | None]
    milestone_marks: dict[int, dict[int, list]]  # task id → column → milestones
    today_column: int | None
    task_count: int  # every task of the chart in the reader's scope, on any page
    track: dict[int, list] = field(default_factory=dict)  # task id → [(column, [m], due?)]
    menu: list = field(default_factory=list)  # [(section id, heading, tasks)] of a plan
    chosen: int | None = None  # the one section shown (its id) when the chart is paged
    page: int = 1
    pages: int = 1


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
    due_column = {t.id: rules.column_of(columns, t.due_date) for t in tasks}
    return WallChart(
        groups=groups,
        columns=columns,
        lights=list_lights(tasks, today) if lights is None else lights,
        behind=behind_pace_ids(ids, today) if behind is None else behind,
        leader_names=names_of(in_charge.values()),
        in_charge=in_charge,
        persons=persons_of(ids),
        due_column=due_column,
        milestone_marks=marks,
        today_column=today_column,
        task_count=len(tasks),
        track={t.id: _track(marks.get(t.id, {}), due_column[t.id]) for t in tasks},
    )


def _track(marks: dict[int, list], due: int | None) -> list[tuple[int, list, bool]]:
    """A row's marks by column, left to right: (column, its milestones, the due date's?),
    so the row draws one mark group per used column instead of a cell per column."""
    used = sorted({*marks, *([] if due is None else [due])})
    return [(i, marks.get(i, []), i == due) for i in used]


def _heading(section: Section) -> str:
    return f"{section.path or section.label} {section.title}".strip()


def _choose(counts: list[tuple[int, int]], section_id: int | None, page: int):
    """(the section shown or None for the whole chart, page, pages), from the sections'
    (id, tasks) in document order: the module's rule."""
    sizes = dict(counts)
    if sum(sizes.values()) <= PAGE_SIZE:
        return None, 1, 1
    chosen = section_id if section_id in sizes else counts[0][0]
    pages = -(-sizes[chosen] // PAGE_SIZE)
    return chosen, min(max(page, 1), pages), pages


def plan_wall_chart(
    plan: Plan, scope: set[int] | None, today, section_id: int | None = None, page: int = 1
) -> WallChart:
    """A plan's chart, grouped by section in document order; a liaison sees its unit's tasks
    only. Whole when small, else one section (see the module's rule). A fixed number of
    statements for any number of tasks: the sections' counts and due-date span, then the
    sections and the tasks shown (plans.services.plan_sections_with_tasks)."""
    counts = db.session.execute(
        select(Task.section_id, func.count(), func.min(Task.due_date), func.max(Task.due_date))
        .join(Section, Section.id == Task.section_id)
        .where(Task.plan_id == plan.id, Task.status != ARCHIVED, task_filter(scope))
        .group_by(Task.section_id, Section.number)
        .order_by(Section.number)
    ).all()
    chosen_id, page, pages = _choose([(sid, n) for sid, n, _f, _l in counts], section_id, page)
    shown = plan_sections_with_tasks(
        plan,
        scope,
        chosen_id,
        archived=False,
        limit=PAGE_SIZE if chosen_id else None,
        offset=(page - 1) * PAGE_SIZE if chosen_id else 0,
    )
    tasks = [t for _s, ts in shown for t in ts]
    in_charge = leaders_of(tasks, load_leaders())  # of the tasks shown only
    dues = [d for _sid, _n, first, last in counts for d in (first, last) if d]
    start = min(filter(None, (plan.period_start, *dues)), default=None)
    end = max(filter(None, (plan.period_end, *dues)), default=None)
    chart = _chart(
        [(_heading(s), ts, s.id) for s, ts in shown if ts], tasks, in_charge, start, end, today
    )
    by_id = {s.id: s for s, _ts in shown}
    chart.menu = [(sid, _heading(by_id[sid]), n) for sid, n, _first, _last in counts]
    chart.task_count = sum(n for _sid, n, _first, _last in counts)
    if chosen_id:
        chart.chosen, chart.page, chart.pages = chosen_id, page, pages
    return chart


def leader_wall_chart(
    user_id: int, today, section_id: int | None = None, page: int = 1
) -> WallChart:
    """A leader's chart: its tasks grouped by plan and section, in document order; whole when
    small, else one section at a time (the module's rule). A fixed number of statements."""
    rows, lights, behind = leader_task_rows(user_id)
    sections = (
        db.session.execute(
            select(Section.id, Section.number, Section.label, Section.path, Section.title, Plan)
            .join(Plan, Plan.id == Section.plan_id)
            .where(Section.plan_id.in_({r.plan_id for r in rows}))
        ).all()
        if rows
        else []
    )
    by_id = {s.id: s for s in sections}
    by_section: dict[int, list] = defaultdict(list)
    for row in rows:
        by_section[row.section_id].append(row)
    order = sorted(by_section, key=lambda sid: (by_id[sid].Plan.id, by_id[sid].number))
    chosen_id, page, pages = _choose([(s, len(by_section[s])) for s in order], section_id, page)
    if chosen_id:
        shown = sorted(by_section[chosen_id], key=lambda r: r.number)
        shown = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    else:
        shown = rows
    loaded = full_tasks([r.id for r in shown])
    tasks = sorted(loaded.values(), key=lambda t: (t.plan_id, t.section.number, t.number))

    def heading(sid: int) -> str:
        s = by_id[sid]
        return f"{s.Plan.doc_number or s.Plan.title} · {s.path or s.label} {s.title}".strip()

    groups: list = []
    for task in tasks:
        if not groups or groups[-1][2] != task.section_id:
            groups.append((heading(task.section_id), [], task.section_id))
        groups[-1][1].append(task)
    dues = [r.due_date for r in rows if r.due_date]
    chart = _chart(
        groups,
        tasks,
        dict.fromkeys(loaded, user_id),
        min(dues, default=None),
        max(dues, default=None),
        today,
        lights,
        behind,
    )
    chart.menu = [(sid, heading(sid), len(by_section[sid])) for sid in order]
    chart.task_count = len(rows)
    if chosen_id:
        chart.chosen, chart.page, chart.pages = chosen_id, page, pages
    return chart
