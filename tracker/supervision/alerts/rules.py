"""Alert decisions (催办 / 预警 / 逾期) as pure functions over plain values: no database, no
request, no clock — `today` is passed in. jobs.py loads the data, calls these and writes.

Rules:
- the sweep creates and escalates alerts only on working days (`sweep_runs_on`); after an
  outage it first replays, in order, each working day missed since the last completed sweep
  (`catch_up_days`), so it reaches the state daily sweeps would have reached;
- a report alert is the report's deadline state (tracker.reports.rules): for each report a
  unit owes (`owes_report`), *due soon* while never submitted and due within `warn_days`
  working days, *missing* once the due day has passed and it was never submitted; a report
  returned for rework is not missing (the return tells the unit at once);
- a task alert is the task's light (tracker.plans.lights): an open task (assigned / in
  progress) is *due soon* when yellow and *overdue* when red; a task not yet assigned
  (待交办) or closed gets no alert;
- a milestone alert is the milestone's light (tracker.plans.milestones.rules): on an open
  task, a milestone not done is *due soon* when yellow and *overdue* when red, whatever the
  task's own due date;
- while a task's assignment is contested its deadline alerts (PAUSED_KINDS) are neither
  created nor escalated (`paused`);
- an acknowledgement, a supervision notice's answer and an instruction's answer are
  *overdue* the day after their due date while still missing;
- escalation (the alert's `level`): an overdue / missing alert still open after
  `urge_after` working days goes to level 2 (催办 to the unit's head and the office), after
  `notice_after` to level 3 (a suggested supervision notice), after `bulletin_after` to
  level 4 (named in the next bulletin). Due-soon alerts stay at level 1.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from tracker.calendar.rules import WorkingCalendar
from tracker.plans.lights import DUE_SOON, OVERDUE, past_due, task_deadline_state
from tracker.plans.models import OPEN_STATUSES
from tracker.reports.rules import report_deadline_state

REPORT_DUE_SOON = "report_due_soon"
REPORT_MISSING = "report_missing"
TASK_DUE_SOON = "task_due_soon"
TASK_OVERDUE = "task_overdue"
ACK_OVERDUE = "ack_overdue"
NOTICE_ANSWER_OVERDUE = "notice_answer_overdue"
INSTRUCTION_ANSWER_OVERDUE = "instruction_answer_overdue"
MILESTONE_DUE_SOON = "milestone_due_soon"
MILESTONE_OVERDUE = "milestone_overdue"

KINDS = (
    REPORT_DUE_SOON,
    REPORT_MISSING,
    TASK_DUE_SOON,
    TASK_OVERDUE,
    ACK_OVERDUE,
    NOTICE_ANSWER_OVERDUE,
    INSTRUCTION_ANSWER_OVERDUE,
    MILESTONE_DUE_SOON,
    MILESTONE_OVERDUE,
)
# kinds that climb the escalation ladder; due-soon reminders stay at level 1
ESCALATING_KINDS = (
    REPORT_MISSING,
    TASK_OVERDUE,
    ACK_OVERDUE,
    NOTICE_ANSWER_OVERDUE,
    INSTRUCTION_ANSWER_OVERDUE,
    MILESTONE_OVERDUE,
)
# kinds whose clock stops while the task's assignment is contested (退回交办): none is
# created, and an open one stays open without climbing the ladder (docs/workflow.md)
PAUSED_KINDS = (TASK_DUE_SOON, TASK_OVERDUE, ACK_OVERDUE, MILESTONE_DUE_SOON, MILESTONE_OVERDUE)

KIND_LABELS = {
    REPORT_DUE_SOON: _l("Report due soon"),
    REPORT_MISSING: _l("Report missing"),
    TASK_DUE_SOON: _l("Task due soon"),
    TASK_OVERDUE: _l("Task overdue"),
    ACK_OVERDUE: _l("Acknowledgement overdue"),
    NOTICE_ANSWER_OVERDUE: _l("Supervision notice answer overdue"),
    INSTRUCTION_ANSWER_OVERDUE: _l("Instruction answer overdue"),
    MILESTONE_DUE_SOON: _l("Milestone due soon"),
    MILESTONE_OVERDUE: _l("Milestone overdue"),
}

LEVEL_REMINDER, LEVEL_URGING, LEVEL_NOTICE, LEVEL_BULLETIN = 1, 2, 3, 4
LEVEL_LABELS = {
    LEVEL_REMINDER: _l("Reminder to the liaison"),
    LEVEL_URGING: _l("Urging to the unit's head and the office"),
    LEVEL_NOTICE: _l("Supervision notice suggested"),
    LEVEL_BULLETIN: _l("To be named in the next bulletin"),
}


def sweep_runs_on(calendar: WorkingCalendar, today: date) -> bool:
    """The sweep creates and escalates alerts on working days only (调休 days included)."""
    return calendar.is_workday(today)


def catch_up_days(calendar: WorkingCalendar, last_sweep: date | None, today: date) -> list[date]:
    """The working days a sweep on `today` must first replay, oldest first: those after the
    last completed sweep and before today, missed while the scheduler was down. Replaying
    them in order gives the alerts, their opening days and so their escalation levels that
    daily sweeps would have given. None (no sweep recorded yet) or a sweep already done
    today or later: nothing to replay."""
    if last_sweep is None or last_sweep >= today:
        return []
    days, day = [], last_sweep + timedelta(days=1)
    while day < today:
        if sweep_runs_on(calendar, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def report_alert_kind(
    first_submitted_on: date | None,
    due_date: date,
    today: date,
    workdays_left: int,
    warn_days: int = 5,
) -> str | None:
    """REPORT_MISSING, REPORT_DUE_SOON or None for one owed report: the alert of its
    deadline state (tracker.reports.rules.report_deadline_state) — missing once overdue,
    due soon within `warn_days` working days, nothing once first submitted (a report
    returned for rework was submitted: it is not missing, and its lateness stays that of
    its first submission)."""
    state = report_deadline_state(first_submitted_on, due_date, today, workdays_left, warn_days)
    return {OVERDUE: REPORT_MISSING, DUE_SOON: REPORT_DUE_SOON}.get(state)


def task_alert_kind(
    status: str, due_date: date | None, today: date, workdays_left: int, warn_days: int = 5
) -> str | None:
    """TASK_OVERDUE, TASK_DUE_SOON or None: the alert of the task's deadline state (its
    light, tracker.plans.lights.task_deadline_state). Only open tasks (assigned / in
    progress) get alerts: a task not yet assigned has a light but nobody to alert.
    `due_date` is the effective due date (a day off already moved to the next working day)."""
    if status not in OPEN_STATUSES:
        return None
    state = task_deadline_state(status, due_date, today, workdays_left, warn_days)
    return {OVERDUE: TASK_OVERDUE, DUE_SOON: TASK_DUE_SOON}.get(state)


def paused(kind: str, contested: bool) -> bool:
    """True when an alert of `kind` waits because its task is contested: the deadline
    alerts of PAUSED_KINDS are neither created nor escalated while a contest is open."""
    return contested and kind in PAUSED_KINDS


def milestone_alert_kind(task_status: str, state: str) -> str | None:
    """MILESTONE_OVERDUE, MILESTONE_DUE_SOON or None: the alert of a milestone's deadline
    state (tracker.plans.milestones.rules.milestone_state, its light rule) on an open task.
    A missed milestone is overdue work even when the task's own end is years away."""
    if task_status not in OPEN_STATUSES:
        return None
    return {OVERDUE: MILESTONE_OVERDUE, DUE_SOON: MILESTONE_DUE_SOON}.get(state)


def answer_overdue(due_date: date | None, answered: bool, today: date) -> bool:
    """An acknowledgement or an answer is overdue from the day after its due date on."""
    return not answered and past_due(due_date, today)


def escalation_level(
    workdays_open: int, urge_after: int, notice_after: int, bulletin_after: int
) -> int:
    """The level an escalating alert has reached after `workdays_open` working days open."""
    if workdays_open >= bulletin_after:
        return LEVEL_BULLETIN
    if workdays_open >= notice_after:
        return LEVEL_NOTICE
    if workdays_open >= urge_after:
        return LEVEL_URGING
    return LEVEL_REMINDER


def escalation_cutoff(calendar: WorkingCalendar, today: date, workdays: int) -> date:
    """The latest opening date from which `workdays` working days have passed by `today`:
    an alert opened on or before it has waited at least that long (workdays_between)."""
    day, counted = today, 0
    while counted < workdays:
        if calendar.is_workday(day):
            counted += 1
        day -= timedelta(days=1)
    return day


def alert_key(kind: str, **parts) -> str:
    """The alert's unique key, e.g. report_missing:task=12:unit=3:period=2026-11."""
    return ":".join([kind, *(f"{name}={value}" for name, value in parts.items())])
