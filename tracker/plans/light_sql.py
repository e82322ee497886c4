"""A task's light as SQL: the one expression lists, counts and the dashboard use.

The rule itself is `tracker.plans.lights.task_light` (pure, per task). On a given day it
reduces to two due-date boundaries (`search_rules.light_bounds`, found with task_light
itself): an open task due on or before `last_red` is red, on or before `last_yellow`
yellow, later green; a closed or withdrawn (撤销) task, or one without a due date, is green.

The light lists show is the task's COMBINED light (`milestones.rules.combined_light`): the
worst of that deadline light and its milestones' lights. A milestone not done of an open task
is judged like an open task's deadline, so the same two boundaries serve: an EXISTS over the
task's undone milestones due on or before `last_red` makes it red, on or before
`last_yellow` yellow (a done milestone, however late, and every milestone of a closed or
withdrawn task are green). So a list can filter, count and group tasks by light in the database, and
tests/plans/test_light_sql.py checks the SQL and Python answers agree, task by task.
"""

from datetime import date

from sqlalchemy import and_, case, literal, not_, or_, select

from tracker.calendar.rules import WorkingCalendar
from tracker.extensions import db
from tracker.plans.lights import ARCHIVED, CLOSED, GREEN, RED, YELLOW
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Task, TaskStatus
from tracker.plans.search_rules import LightBounds, light_bounds

__all__ = ["LightBounds", "bounds_on", "light_case", "light_condition", "lights_of"]


def bounds_on(today: date, calendar: WorkingCalendar, warn_days: int) -> LightBounds:
    """The boundaries of the lights on `today` (computed once a request)."""
    return light_bounds(today, calendar, warn_days)


# the statuses whose light follows the due date: every status but closed and withdrawn
# (as task_deadline_state); written as IN (…) so the (status, due_date) index serves it
OPEN = tuple(s.value for s in TaskStatus if s.value not in (CLOSED, ARCHIVED))


def _closed(task=Task):
    return task.status.in_((CLOSED, ARCHIVED))


def _open(task=Task):
    return task.status.in_(OPEN)


def _milestone_due_by(last: date, task=Task):
    """The task has a milestone not done, due on or before `last`. Written as
    `id IN (undone milestones due by then)`, not a correlated EXISTS: the database finds
    those milestones once (SQLite's list subquery, PostgreSQL's hashed subplan) instead of
    probing once per task — half the dashboard's counting time over 20,000 tasks (issue 13).
    milestone.task_id is NOT NULL, so IN is exactly EXISTS here."""
    return task.id.in_(
        select(Milestone.task_id).where(Milestone.done_on.is_(None), Milestone.due_date <= last)
    )


def _due_by(last: date, task=Task):
    """The task's own due date is on or before `last` (false, not NULL, without one)."""
    return and_(task.due_date.is_not(None), task.due_date <= last)


def _red(bounds: LightBounds, task=Task):
    return or_(_due_by(bounds.last_red, task), _milestone_due_by(bounds.last_red, task))


def _red_or_yellow(bounds: LightBounds, task=Task):
    return or_(_due_by(bounds.last_yellow, task), _milestone_due_by(bounds.last_yellow, task))


def light_case(bounds: LightBounds, task=Task):
    """CASE … END giving 'red', 'yellow' or 'green' for each task row, its combined light
    (`task` may be an alias of the task table)."""
    return case(
        (_closed(task), literal(GREEN)),
        (_red(bounds, task), literal(RED)),
        (_red_or_yellow(bounds, task), literal(YELLOW)),
        else_=literal(GREEN),
    )


def light_condition(light: str, bounds: LightBounds, task=Task):
    """A WHERE clause: the task has this combined light (same rule as `light_case`; the
    status IN (…) lets the (status, due_date) index serve it)."""
    if light == RED:
        return and_(_open(task), _red(bounds, task))
    if light == YELLOW:
        return and_(_open(task), not_(_red(bounds, task)), _red_or_yellow(bounds, task))
    return or_(not_(_open(task)), not_(_red_or_yellow(bounds, task)))


def lights_of(task_ids, bounds: LightBounds) -> dict[int, str]:
    """{task id: combined light} of the tasks a page shows, in one statement (the same
    expression the filters and counts use, so a row is coloured as it was filtered)."""
    ids = list(task_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Task.id, light_case(bounds)).where(Task.id.in_(ids))).all()
    )
