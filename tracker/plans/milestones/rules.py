"""Milestone lights and pace (序时进度) as pure rules: no database, no request, no clock —
`today` is passed in (docs/milestones.md).

A milestone's state is the deadline core of tracker.plans.lights (same warning window, same
working calendar, a due date on a day off moves to the next working day):
- not done: OVERDUE (red) once its due date has passed — a missed milestone is overdue work
  even when the task's own end is years away; DUE_SOON (yellow) within the warning window;
- done: DONE, or DONE_LATE when marked done after its due date. A done milestone no longer
  weighs on the task's light (green), whenever it was done: lateness is history, kept for
  scores, not a light that stays red for the rest of the task;
- the task closed or archived: nothing is late any more (DONE, green).

The task's combined light is the worst of its own deadline light and its milestones' lights.

Pace: the expected percent at a day runs through points (start, 0), each milestone (its
expected percent, or spread evenly: the k-th of n milestones at 100·k/n), the task's due date
(100), linearly between points by calendar days. Without milestones it runs linearly from
the start to the due date. A task is behind pace (慢于序时) when its last reported percent
trails the expected one by more than the margin (setting `pace_margin_points`, default 15).
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date

from flask_babel import lazy_gettext as _l

from tracker.calendar.rules import WorkingCalendar
from tracker.plans.importing.dates import step_of
from tracker.plans.lights import (
    ARCHIVED,
    CLOSED,
    DONE,
    GREEN,
    RED,
    YELLOW,
    deadline_state,
    light_of,
    task_deadline_state,
)
from tracker.plans.models import TaskStatus

__all__ = [
    "BEHIND",
    "ON_PACE",
    "PACE_LABELS",
    "milestone_state",
    "milestone_light",
    "worst_light",
    "combined_light",
    "pace_points",
    "expected_percent",
    "pace_state",
    "behind_pace",
    "phase_milestones",
    "read_milestones_cell",
]

BEHIND, ON_PACE = "behind", "on_pace"
PACE_LABELS = {BEHIND: _l("Behind pace"), ON_PACE: _l("On pace")}
_RANK = {GREEN: 0, YELLOW: 1, RED: 2}
_OPEN = TaskStatus.IN_PROGRESS.value  # a milestone not done runs like an open task's deadline


def milestone_state(
    task_status: str,
    due: date,
    done_on: date | None,
    today: date,
    calendar_or_workdays_left: WorkingCalendar | int,
    warn_days: int = 5,
) -> str:
    """The deadline state of one milestone (see the module's rule)."""
    if done_on is not None:
        return deadline_state(due, done_on, today, 0, warn_days)
    if task_status in (CLOSED, ARCHIVED):
        return DONE
    return task_deadline_state(_OPEN, due, today, calendar_or_workdays_left, warn_days)


def milestone_light(
    task_status: str,
    due: date,
    done_on: date | None,
    today: date,
    calendar_or_workdays_left: WorkingCalendar | int,
    warn_days: int = 5,
) -> str:
    """A milestone's light: green once done (even late), else its deadline light."""
    if done_on is not None:
        return GREEN
    return light_of(
        milestone_state(task_status, due, done_on, today, calendar_or_workdays_left, warn_days)
    )


def worst_light(lights: Iterable[str]) -> str:
    """Red over yellow over green; green for none."""
    return max(lights, key=_RANK.__getitem__, default=GREEN)


def combined_light(task_light: str, milestone_lights: Iterable[str]) -> str:
    """The task's light counting its milestones: the worst of them all."""
    return worst_light([task_light, *milestone_lights])


def pace_points(
    start: date | None,
    due: date | None,
    milestones: Sequence[tuple[date, int | None]],
) -> list[tuple[date, float]]:
    """The (day, expected percent) points of a task, by day: (start, 0) when the start is
    known, each milestone (its own percent, or the k-th of n at 100·k/n), the due date at
    100 when it is after the last milestone. Percents never go down along the days."""
    ordered = sorted(milestones, key=lambda m: m[0])
    n = len(ordered)
    points: list[tuple[date, float]] = []
    if start is not None and (not ordered or start < ordered[0][0]):
        points.append((start, 0.0))
    for k, (day, percent) in enumerate(ordered, start=1):
        points.append((day, float(percent) if percent is not None else 100.0 * k / n))
    if due is not None and (not ordered or due > ordered[-1][0]):
        points.append((due, 100.0))
    high = 0.0
    monotone = []
    for day, percent in points:
        high = max(high, min(percent, 100.0))
        monotone.append((day, high))
    return monotone


def expected_percent(
    start: date | None,
    due: date | None,
    milestones: Sequence[tuple[date, int | None]],
    day: date,
) -> int | None:
    """The percent the task should show on `day` (rounded), or None when nothing says it:
    no milestone and not both a start and a due date. Before the first point 0; after the
    last point its percent; between two points, linear by calendar days (with no start the
    first milestone is a step from 0 on its day)."""
    points = pace_points(start, due, milestones)
    if not milestones and (start is None or due is None or due <= start):
        return None
    if not points:
        return None
    if day < points[0][0]:
        return 0
    previous = points[0]
    for point in points:
        if day < point[0]:
            (d0, p0), (d1, p1) = previous, point
            share = (day - d0).days / (d1 - d0).days
            return round(p0 + (p1 - p0) * share)
        previous = point
    return round(previous[1])


def pace_state(
    task_status: str, expected: int | None, reported: int | None, margin: int = 15
) -> str | None:
    """BEHIND (慢于序时) when the last reported percent trails the expected one by more than
    `margin` points; ON_PACE otherwise; None when there is nothing to judge (a closed or
    archived task, no expected percent, no report yet)."""
    if task_status in (CLOSED, ARCHIVED) or expected is None or reported is None:
        return None
    return BEHIND if expected - reported > margin else ON_PACE


def behind_pace(
    task_status: str,
    start: date | None,
    due: date | None,
    milestones: Sequence[tuple[date, int | None]],
    reported: int | None,
    day: date,
    margin: int = 15,
) -> bool:
    """True when the task is behind pace on `day` (pace_state of expected_percent)."""
    expected = expected_percent(start, due, milestones, day)
    return pace_state(task_status, expected, reported, margin) == BEHIND


def phase_milestones(phases: Sequence[dict], task_due: date | None) -> list[tuple[date, str]]:
    """The milestones a plan's phases give one of its measures: (due date, phrase) of each
    phase ({"phrase", "due_date"}) ending on or before the task's own due date (all of them
    when it has none), by date. A plan with fewer than two phases gives none: one phase is
    the task's own deadline, not a step towards it."""
    found = []
    for phase in phases:
        due = phase.get("due_date")
        if not due or not phase.get("phrase"):
            continue
        due = due if isinstance(due, date) else date.fromisoformat(due)
        if task_due is None or due <= task_due:
            found.append((due, phase["phrase"]))
    return sorted(found) if len(found) >= 2 else []


_PARTS = re.compile(r"[；;\n]+")
_DATED = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[:：，,、]?\s*(.*)$", re.S
)


def read_milestones_cell(text: str) -> tuple[list[dict], list[str]]:
    """The milestones written in one Excel cell (the optional 节点 column), one per part
    between "；" or line breaks: "2021-12-31 出台方案" (a date, then the deliverable) or a
    phrase that opens with a year ("到2021年底，建成…", "2022年全面实施"). Returns the
    milestones ({"due_date", "phrase", "deliverable"}) and the parts that could not be read."""
    found, bad = [], []
    for part in _PARTS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        m = _DATED.match(part)
        if m:
            try:
                due = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                bad.append(part)
                continue
            deliverable = m.group(4).strip() or part
            found.append({"due_date": due.isoformat(), "phrase": None, "deliverable": deliverable})
            continue
        step = step_of(part)
        if step is None:
            bad.append(part)
        else:
            found.append(
                {
                    "due_date": step.due.isoformat(),
                    "phrase": step.phrase,
                    "deliverable": step.deliverable,
                }
            )
    return found, bad
