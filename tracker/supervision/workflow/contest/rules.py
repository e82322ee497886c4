"""Contesting an assignment (退回交办) as pure functions (no db, no request, no clock).

- The lead unit's liaison may return (退回) the task, with a reason, while the task is
  assigned or in progress, its unit holds the lead assignment and has not acknowledged it,
  and today is within `contest_working_days` working days after the assignment day
  (on the last day itself is in time).
- A unit returns a task once: a second return by the same unit is refused, whatever the
  office decided (a reassignment to another unit starts a new assignment, which that unit
  may contest in its own window).
- The office decides each open return once: reassign (改派) to another current unit, or
  insist (坚持交办); both need a reason.
- The clock stops while a return is open: the working days in (filed day, decision day]
  are added to the task's due date and to the lead unit's acknowledgement deadline when
  the office insists (docs/workflow.md).
"""

from datetime import date

from tracker.calendar.rules import WorkingCalendar
from tracker.plans.models import OPEN_STATUSES, TaskStatus

REASSIGN = "reassign"
INSIST = "insist"
DECISIONS = (REASSIGN, INSIST)
REASON_MAX = 1000


def contest_deadline(assigned_on: date, window: int, calendar: WorkingCalendar) -> date:
    """The last day the lead unit may return the task: `window` working days after the
    assignment day."""
    return calendar.add_workdays(assigned_on, window)


def check_contest(
    task_status: str,
    has_lead_assignment: bool,
    acknowledged: bool,
    already_filed: bool,
    today: date,
    deadline: date | None,
    reason: str,
) -> str | None:
    """May the lead unit return the task now? None (yes) or an error key."""
    if task_status == TaskStatus.CLOSED.value:
        return "task_closed"
    if task_status not in OPEN_STATUSES:
        return "not_assigned"
    if not has_lead_assignment or deadline is None:
        return "contest_not_assigned"
    if already_filed:
        return "contest_already_filed"
    if acknowledged:
        return "contest_acknowledged"
    if today > deadline:
        return "contest_window_closed"
    if not (reason or "").strip():
        return "contest_reason_required"
    return None


def check_decision(
    outcome: str | None,
    decision: str,
    reason: str,
    new_lead_unit_id: int | None,
    contested_unit_id: int,
) -> str | None:
    """May the office decide this open return this way?"""
    if decision not in DECISIONS:
        return "bad_decision"
    if outcome is not None:
        return "contest_decided"
    if not (reason or "").strip():
        return "contest_reason_required"
    if decision == REASSIGN:
        if new_lead_unit_id is None:
            return "lead_required"
        if new_lead_unit_id == contested_unit_id:
            return "contest_same_unit"
    return None


def paused_working_days(filed_on: date, decided_on: date, calendar: WorkingCalendar) -> int:
    """Working days the task was contested: those in (filed day, decision day]."""
    return max(0, calendar.workdays_between(filed_on, decided_on))


def moved_date(day: date | None, paused: int, calendar: WorkingCalendar) -> date | None:
    """A deadline after a pause of `paused` working days (unchanged without a pause)."""
    if day is None or paused <= 0:
        return day
    return calendar.add_workdays(day, paused)
