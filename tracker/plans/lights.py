"""Lights (绿灯 / 黄灯 / 红灯) for tasks and expected reports, as pure rules over dates and
states: no database, no request, no clock — `today` is passed in.

Rules:
- red (逾期): past its due date and not closed / not in;
- yellow (预警): not closed, and due within `warn_days` working days (default 5, setting
  `yellow_working_days`);
- green (正常): everything else — closed, no due date, or due later.
A task due on a day off is due on the next working day (when a calendar is given).
A report's light is `report_light` (tracker.reports.rules), built on the same colours.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from tracker.calendar.rules import WorkingCalendar

__all__ = [
    "GREEN",
    "YELLOW",
    "RED",
    "LIGHT_LABELS",
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

CLOSED = "closed"


def task_light(
    status: str,
    due_date: date | None,
    today: date,
    calendar_or_workdays_left: WorkingCalendar | int,
    warn_days: int = 5,
) -> str:
    """The computed light of a task.

    `calendar_or_workdays_left` is either the working calendar (the working days left are
    counted with it, and a due date on a day off moves to the next working day) or the
    number of working days from `today` to the due date, already counted.
    """
    if status == CLOSED or due_date is None:
        return GREEN
    if isinstance(calendar_or_workdays_left, WorkingCalendar):
        calendar = calendar_or_workdays_left
        if today > due_date and today > calendar.next_workday(due_date):
            return RED  # long overdue: no need to count working days
        due_date = calendar.next_workday(due_date)
        workdays_left = _workdays_left(calendar, today, due_date, warn_days)
    else:
        workdays_left = int(calendar_or_workdays_left)
    if today > due_date:
        return RED
    if workdays_left <= warn_days:
        return YELLOW
    return GREEN


def _workdays_left(calendar: WorkingCalendar, today: date, due_date: date, cap: int) -> int:
    """Working days from today to the due date, counted only as far as `cap` + 1: a list of
    tasks due years ahead costs no more than one due next week."""
    count, day = 0, today
    while day < due_date and count <= cap:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return count


def light_differs(status: str, light: str) -> bool:
    """True if the self-reported status and the computed light tell different stories, so
    the list shows both (e.g. status 推进中 / in progress but light red). A task not yet
    assigned, or in progress / assigned, that is yellow or red differs; closed never does."""
    if status == CLOSED:
        return False
    return light in (YELLOW, RED)


def task_lights(tasks, today: date, calendar: WorkingCalendar, warn_days: int = 5) -> dict:
    """{task id: light} for a list of tasks (anything with id, status and due_date), for
    list pages: the view loads the calendar (load_calendar()) and the warning window
    (get_setting("yellow_working_days")) once and passes them in."""
    return {t.id: task_light(t.status, t.due_date, today, calendar, warn_days) for t in tasks}
