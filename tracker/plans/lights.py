"""Deadlines and lights (绿灯 / 黄灯 / 红灯) as pure rules over dates and states: no database,
no request, no clock — `today` is passed in. Every screen, alert, export and template asks
here (templates through the `deadline_state` / `task_light` helpers), so a deadline is
judged once.

The one deadline rule, `deadline_state(due, done_on, today, workdays_left, warn_days)`:
- done (`done_on` given): DONE if on or before the due date, DONE_LATE after it;
- not done: OVERDUE (逾期) once the due date has passed; DUE_SOON (预警) when due within
  `warn_days` working days (default 5, setting `yellow_working_days`); else ON_TRACK;
- no due date: ON_TRACK (nothing to be late for).
A due date on a day off moves to the next working day (when a calendar is given).

Lights: OVERDUE and DONE_LATE are red, DUE_SOON is yellow, the rest green.
- a task (`task_deadline_state`): closed is DONE whenever it closed (a closed task is never
  red); a task not yet assigned still has a light (the office sees it run late);
- a report (`report_deadline_state` in tracker.reports.rules): done on its first submission.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from tracker.calendar.rules import WorkingCalendar
from tracker.plans.models import TaskStatus

__all__ = [
    "GREEN",
    "YELLOW",
    "RED",
    "LIGHT_LABELS",
    "ON_TRACK",
    "DUE_SOON",
    "OVERDUE",
    "DONE",
    "DONE_LATE",
    "past_due",
    "deadline_state",
    "light_of",
    "workdays_left",
    "task_deadline_state",
    "task_light",
    "light_differs",
    "task_lights",
]
GREEN, YELLOW, RED = "green", "yellow", "red"

LIGHT_LABELS = {
    GREEN: _l("On track"),
    YELLOW: _l("Due soon"),
    RED: _l("Overdue"),
}

ON_TRACK, DUE_SOON, OVERDUE, DONE, DONE_LATE = (
    "on_track",
    "due_soon",
    "overdue",
    "done",
    "done_late",
)
_LIGHT_OF = {ON_TRACK: GREEN, DONE: GREEN, DUE_SOON: YELLOW, OVERDUE: RED, DONE_LATE: RED}

CLOSED = TaskStatus.CLOSED.value
ARCHIVED = TaskStatus.ARCHIVED.value  # withdrawn (撤销): never runs late


def past_due(due: date | None, day: date) -> bool:
    """A deadline has passed from the day after its due date on (the due day itself is still
    in time); no due date never passes. Also "done late": `past_due(due, done_on)`."""
    return due is not None and day > due


def deadline_state(
    due: date | None,
    done_on: date | None,
    today: date,
    workdays_left: int,
    warn_days: int = 5,
) -> str:
    """The state of one deadline (see the module's rule). `workdays_left` is the number of
    working days from `today` to `due` (WorkingCalendar.workdays_between, or `workdays_left`
    here); it only matters while the deadline is open and not yet passed."""
    if done_on is not None:
        return DONE_LATE if past_due(due, done_on) else DONE
    if due is None:
        return ON_TRACK
    if past_due(due, today):
        return OVERDUE
    if workdays_left <= warn_days:
        return DUE_SOON
    return ON_TRACK


def light_of(state: str) -> str:
    """The light of a deadline state: red for overdue or done late, yellow for due soon."""
    return _LIGHT_OF[state]


def workdays_left(calendar: WorkingCalendar, today: date, due: date, cap: int) -> int:
    """Working days from today to the due date (-1 once it has passed), counted only as far
    as `cap` + 1: a list of tasks due years ahead costs no more than one due next week."""
    if past_due(due, today):
        return -1
    count, day = 0, today
    while day < due and count <= cap:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return count


def task_deadline_state(
    status: str,
    due_date: date | None,
    today: date,
    calendar_or_workdays_left: WorkingCalendar | int,
    warn_days: int = 5,
) -> str:
    """A task's deadline state: DONE once closed, else `deadline_state` of its due date.

    `calendar_or_workdays_left` is either the working calendar (the working days left are
    counted with it, and a due date on a day off moves to the next working day) or the
    number of working days from `today` to the due date, already counted (the due date is
    then the effective one).
    """
    if status in (CLOSED, ARCHIVED):
        return DONE
    if due_date is None:
        return ON_TRACK
    if isinstance(calendar_or_workdays_left, WorkingCalendar):
        calendar = calendar_or_workdays_left
        if past_due(due_date, today) and past_due(calendar.next_workday(due_date), today):
            return OVERDUE  # long overdue: no need to count working days
        due_date = calendar.next_workday(due_date)
        left = workdays_left(calendar, today, due_date, warn_days)
    else:
        left = int(calendar_or_workdays_left)
    return deadline_state(due_date, None, today, left, warn_days)


def task_light(
    status: str,
    due_date: date | None,
    today: date,
    calendar_or_workdays_left: WorkingCalendar | int,
    warn_days: int = 5,
) -> str:
    """The computed light of a task: the light of its `task_deadline_state`."""
    return light_of(
        task_deadline_state(status, due_date, today, calendar_or_workdays_left, warn_days)
    )


def light_differs(status: str, light: str) -> bool:
    """True if the self-reported status and the computed light tell different stories, so
    the list shows both (e.g. status 推进中 / in progress but light red). A task not yet
    assigned, or in progress / assigned, that is yellow or red differs; closed never does."""
    if status in (CLOSED, ARCHIVED):
        return False
    return light in (YELLOW, RED)


def task_lights(tasks, today: date, calendar: WorkingCalendar, warn_days: int = 5) -> dict:
    """{task id: light} for a list of tasks (anything with id, status and due_date), for
    list pages: the view loads the calendar (load_calendar()) and the warning window
    (get_setting("yellow_working_days")) once and passes them in."""
    return {t.id: task_light(t.status, t.due_date, today, calendar, warn_days) for t in tasks}
