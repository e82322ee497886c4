"""Read models of milestones and pace: a constant number of statements whatever the rows.

The reported percent of a task (序时进度 compares it with the expected one) is the lead
unit's newest submitted or accepted progress report. Progress reports live one layer up
(tracker.reports), so this module reads their two tables as lightweight `table()` clauses,
like the search reads its FTS table: the columns are named here, the schema stays there.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from tracker.accounts.models import Role
from tracker.accounts.permissions import unit_scope
from tracker.calendar.rules import WorkingCalendar
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import past_due, task_light
from tracker.plans.milestones import rules
from tracker.plans.milestones.forms import DoneForm, MilestoneForm
from tracker.plans.milestones.models import Milestone, TaskPace
from tracker.plans.milestones.pace import _PERIOD, _REPORT, REPORTED, compute_pace
from tracker.plans.milestones.services import may_mark_done
from tracker.plans.models import OPEN_STATUSES, Plan, Task
from tracker.plans.permissions import task_filter
from tracker.settings import DEFAULTS, Setting, get_setting
from tracker.timeutil import today as local_today


@dataclass(frozen=True)
class Pace:
    """A task's pace on a day: the expected and last reported percents and the verdict
    (rules.BEHIND, rules.ON_PACE or None when there is nothing to judge)."""

    expected: int | None
    reported: int | None
    state: str | None

    @property
    def behind(self) -> bool:
        return self.state == rules.BEHIND


def task_start(plan: Plan) -> date | None:
    """Where a task's pace starts: its plan's period start, else the plan's issue date."""
    return plan.period_start or plan.issued_on


def milestones_by_task(task_ids) -> dict[int, list[Milestone]]:
    """{task id: its milestones by due date} in one statement."""
    found: dict[int, list[Milestone]] = {task_id: [] for task_id in task_ids}
    if not found:
        return found
    rows = db.session.scalars(
        select(Milestone)
        .where(Milestone.task_id.in_(list(found)))
        .order_by(Milestone.due_date, Milestone.id)
    )
    for milestone in rows:
        found[milestone.task_id].append(milestone)
    return found


def milestone_lights(task: Task, milestones, day: date, calendar: WorkingCalendar, warn: int):
    """{milestone id: light} of one task's milestones."""
    return {
        m.id: rules.milestone_light(task.status, m.due_date, m.done_on, day, calendar, warn)
        for m in milestones
    }


def reported_percents(task_ids) -> dict[int, int]:
    """{task id: percent of its lead unit's newest submitted or accepted report}: one
    statement (the newest period, then the newest revision wins)."""
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(_REPORT.c.task_id, _REPORT.c.percent)
        .join(_PERIOD, _PERIOD.c.id == _REPORT.c.period_id)
        .join(Task, and_(Task.id == _REPORT.c.task_id, Task.lead_unit_id == _REPORT.c.unit_id))
        .where(_REPORT.c.task_id.in_(list(task_ids)), _REPORT.c.state.in_(REPORTED))
        .order_by(_PERIOD.c.year, _PERIOD.c.month, _REPORT.c.revision, _REPORT.c.id)
    ).all()
    return {task_id: percent for task_id, percent in rows}  # the last (newest) wins


def pace_of(task: Task, start: date | None, milestones, reported, day: date, margin: int) -> Pace:
    """The pace of one task (rules.expected_percent and rules.pace_state)."""
    points = [(m.due_date, m.expected_percent) for m in milestones]
    expected = rules.expected_percent(start, task.due_date, points, day)
    return Pace(expected, reported, rules.pace_state(task.status, expected, reported, margin))


def pace_for(tasks, day: date) -> dict[int, Pace]:
    """{task id: Pace} for tasks loaded with their plan: three statements (milestones,
    reports, the margin setting) whatever the number of tasks."""
    if not tasks:
        return {}
    ids = [t.id for t in tasks]
    milestones = milestones_by_task(ids)
    percents = reported_percents(ids)
    margin = int(get_setting("pace_margin_points"))
    return {
        t.id: pace_of(t, task_start(t.plan), milestones[t.id], percents.get(t.id), day, margin)
        for t in tasks
    }


def _behind_condition(margin: int):
    """The pace rule's BEHIND (rules.pace_state) in SQL, on the stored pace of open tasks:
    a closed task, no expected percent or no report is never behind."""
    return and_(
        TaskPace.expected_percent.is_not(None),
        TaskPace.reported_percent.is_not(None),
        TaskPace.expected_percent - TaskPace.reported_percent > margin,
        Task.status.in_(OPEN_STATUSES),
    )


def _behind_query(scope: set[int] | None, *columns):
    margin = int(get_setting("pace_margin_points"))
    return (
        select(*columns)
        .select_from(TaskPace)
        .join(Task, Task.id == TaskPace.task_id)
        .where(_behind_condition(margin), task_filter(scope))
    )


def behind_pace(scope: set[int] | None, day: date) -> dict[int, Pace]:
    """{task id: Pace} of the open tasks in a unit scope that are behind pace: read from
    `task_pace` (as of its last refresh, pace.refresh_pace — the daily sweep and each report,
    milestone or lead unit change), the margin applied in SQL. Two statements (the setting,
    the rows) whatever the number of tasks. `day` is the day asked about; the stored
    expected percents are those of their `computed_on` (today once the sweep has run)."""
    rows = db.session.execute(
        _behind_query(scope, TaskPace.task_id, TaskPace.expected_percent, TaskPace.reported_percent)
    ).all()
    return {task_id: Pace(exp, rep, rules.BEHIND) for task_id, exp, rep in rows}


def behind_pace_ids(scope: set[int] | None, day: date, among=None) -> set[int]:
    """The ids of the open tasks in a unit scope behind pace on `day` (the /tasks filter);
    `among`: only of these task ids (the leader's pages)."""
    query = _behind_query(scope, TaskPace.task_id)
    if among is not None:
        query = query.where(TaskPace.task_id.in_(list(among)))
    return set(db.session.scalars(query))


def behind_pace_select(scope: set[int] | None):
    """The ids of the open tasks in a unit scope behind pace, as a subquery (a list filter:
    `Task.id.in_(behind_pace_select(scope))`, no ids carried through Python)."""
    return _behind_query(scope, TaskPace.task_id)


def behind_pace_count(scope: set[int] | None, day: date) -> int:
    """How many open tasks in a unit scope are behind pace: one SQL COUNT (and the setting)."""
    return db.session.scalar(_behind_query(scope, func.count()))


PAGE_SIZE = 50


def _pace_list_on(scope: set[int] | None, day: date, page: int | None):
    """pace_list for a day before today (a past month's list): the pure rule computed on
    that day for all open tasks (pace.compute_pace: three set-based statements, no row
    stored), the newest reported percent as ever."""
    margin = int(get_setting("pace_margin_points"))
    ids = set(db.session.scalars(select(Task.id).where(task_filter(scope)))) if scope else None
    behind = {}
    for task_id, (expected, reported) in compute_pace(day).items():
        if ids is not None and task_id not in ids:
            continue
        if rules.pace_state(OPEN_STATUSES[0], expected, reported, margin) == rules.BEHIND:
            behind[task_id] = Pace(expected, reported, rules.BEHIND)
    ordered = sorted(behind, key=lambda i: (behind[i].reported - behind[i].expected, i))
    if page is not None:
        ordered = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not ordered:
        return [], len(behind)
    tasks = {
        t.id: t
        for t in db.session.scalars(
            select(Task)
            .where(Task.id.in_(ordered))
            .options(joinedload(Task.plan), joinedload(Task.lead_unit))
        )
    }
    return [(tasks[i], behind[i]) for i in ordered], len(behind)


def pace_list(scope: set[int] | None, day: date, page: int | None = 1):
    """The published pace list (序时进度): the tasks behind pace on `day`, furthest behind
    first, as ([(task, pace)], total); `page` None gives them all (the files). Read from
    `task_pace`, ordered, counted and paged in SQL: four statements (the setting twice,
    the count, the page with its tasks) whatever the number of tasks. A day before today (a
    past month) is computed by the rule on that day instead (_pace_list_on)."""
    if day < local_today():
        return _pace_list_on(scope, day, page)
    total = behind_pace_count(scope, day)
    if not total:
        return [], 0
    query = (
        _behind_query(scope, Task, TaskPace.expected_percent, TaskPace.reported_percent)
        .options(joinedload(Task.plan), joinedload(Task.lead_unit))
        .order_by(TaskPace.reported_percent - TaskPace.expected_percent, Task.id)
    )
    if page is not None:
        query = query.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    rows = db.session.execute(query).unique().all()
    return [(task, Pace(exp, rep, rules.BEHIND)) for task, exp, rep in rows], total


def unit_choices(task: Task) -> list[tuple[int, str]]:
    """The units a milestone may name: the lead unit, then the co-units (the task loaded
    with its lead unit and co-units' units: no statement)."""
    return [(task.lead_unit_id, task.lead_unit.name)] + [
        (link.unit_id, link.unit.name) for link in task.co_unit_links
    ]


def settings(*keys: str) -> dict:
    """Several settings in one statement (defaults where none is stored)."""
    stored = dict(
        db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all()
    )
    return {key: DEFAULTS[key] if stored.get(key) is None else stored[key] for key in keys}


def milestones_and_percent(task: Task) -> tuple[list[Milestone], int | None]:
    """One task's milestones by due date and its reported percent, in one statement (the
    task outer-joined to its milestones, the percent as a scalar subquery)."""
    percent = (
        select(_REPORT.c.percent)
        .join(_PERIOD, _PERIOD.c.id == _REPORT.c.period_id)
        .where(
            _REPORT.c.task_id == task.id,
            _REPORT.c.unit_id == task.lead_unit_id,
            _REPORT.c.state.in_(REPORTED),
        )
        .order_by(
            _PERIOD.c.year.desc(),
            _PERIOD.c.month.desc(),
            _REPORT.c.revision.desc(),
            _REPORT.c.id.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Milestone, percent)
        .select_from(Task)
        .outerjoin(Milestone, Milestone.task_id == Task.id)
        .where(Task.id == task.id)
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    return [m for m, _ in rows if m is not None], (rows[0][1] if rows else None)


def milestone_panel(task: Task, user, day: date) -> dict:
    """What the task page shows and offers about milestones and pace (task loaded with its
    plan, lead unit and co-units): the milestones, the reported percent when the pace can
    be judged, the settings, the calendar when there are milestones — at most four
    statements whatever the number of milestones; one for a task without milestones or
    reports."""
    milestones, reported = milestones_and_percent(task)
    points = [(m.due_date, m.expected_percent) for m in milestones]
    expected = rules.expected_percent(task_start(task.plan), task.due_date, points, day)
    keys = ("yellow_working_days", "pace_margin_points") if milestones else ("pace_margin_points",)
    values = settings(*keys) if milestones or reported is not None else DEFAULTS
    lights, states, combined = {}, {}, None
    if milestones:
        calendar, warn = load_calendar(), int(values["yellow_working_days"])
        for m in milestones:
            state = rules.milestone_state(task.status, m.due_date, m.done_on, day, calendar, warn)
            states[m.id] = state
            lights[m.id] = rules.milestone_light(
                task.status, m.due_date, m.done_on, day, calendar, warn
            )
        own = task_light(task.status, task.due_date, day, calendar, warn)
        combined = rules.combined_light(own, lights.values())
    margin = int(values["pace_margin_points"])
    pace = Pace(expected, reported, rules.pace_state(task.status, expected, reported, margin))
    is_office = user.has_role(Role.OFFICE)
    choices = unit_choices(task)
    form = None
    if is_office:
        form = MilestoneForm(formdata=None)
        form.unit_id.choices = choices
    scope = unit_scope(user) if milestones and user.has_role(Role.LIAISON) else None
    return {
        "milestones": milestones,
        "lights": lights,
        "combined_light": combined,  # None: no milestones, the task's own light stands
        "states": states,
        "pace": pace,
        "is_office": is_office,
        "may_mark": {m.id for m in milestones if may_mark_done(user, m, task, scope)},
        "unit_names": dict(choices),
        "form": form,
        "done_form": DoneForm(formdata=None),
    }


@dataclass(frozen=True)
class OverdueMilestone:
    """A missed milestone: its task, the unit that answers for it, its id and due date."""

    task_id: int
    unit_id: int
    milestone_id: int
    due_date: date


def overdue_milestones(
    session: Session, day: date, calendar: WorkingCalendar | None = None
) -> list[OverdueMilestone]:
    """The milestones not done whose deadline has passed on `day` (the light rule: a due
    date on a day off moves to the next working day), of assigned or in-progress tasks, by
    due date. One statement (plus the calendar when none is given). For the alert sweep and
    the scorecard (docs/milestones.md)."""
    calendar = calendar or load_calendar()
    rows = session.execute(
        select(Milestone.task_id, Milestone.unit_id, Milestone.id, Milestone.due_date)
        .add_columns(Task.lead_unit_id)
        .join(Task, Task.id == Milestone.task_id)
        .where(
            Milestone.done_on.is_(None),
            Milestone.due_date < day,
            Task.status.in_(OPEN_STATUSES),
        )
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    return [
        OverdueMilestone(r.task_id, r.unit_id or r.lead_unit_id, r.id, r.due_date)
        for r in rows
        if past_due(calendar.next_workday(r.due_date), day)
    ]
