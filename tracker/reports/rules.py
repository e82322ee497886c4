"""Pure rules for progress reports: readiness, which reports a unit owes, lateness, missing
reports and the report's light. No database, no request, no clock: `today` is passed in.
Every screen (overview, review queue, alerts, dashboard, scorecard) asks here; the inputs
are loaded set-based by tracker.reports.queries.reporting_facts. See docs/reporting.md."""

from datetime import date, datetime

from tracker.plans.lights import deadline_state, light_of, past_due
from tracker.plans.rules import ADDED, REMOVED, answers_for_period
from tracker.timeutil import local_date


def submission_problems(progress: str, percent: int | None) -> list[str]:
    """What keeps a report from being submitted (message keys); empty means ready."""
    problems = []
    if not (progress or "").strip():
        problems.append("progress_missing")
    if percent is None or not 0 <= percent <= 100:
        problems.append("percent_invalid")
    return problems


# --- which reports a unit owes -----------------------------------------------------------


NEVER_OWED = frozenset({"pending", "archived"})


def owes_report(
    task_status: str,
    assigned_on: date | None,
    closed_on: date | None,
    due_date: date,
) -> bool:
    """Does a unit owe a report for a month on a task assigned to it?

    The rule (the one the overview, the review queue, the alerts, the dashboard and the
    scorecard use): a unit owes one report a month on each task assigned to it — as lead
    unit or co-unit, the assignment following reorganisations to the unit's current
    successor — when it was assigned on or before the month's due date (Beijing date) and
    the task was not closed on or before that due date. A task not yet assigned (待交办)
    owes nothing, nor does a task withdrawn (撤销, archived): both are held against no one.
    A task closed by the due date owes nothing for that month: closed tasks leave the
    liaison's month page, so the report could not be filed.
    """
    if task_status in NEVER_OWED or assigned_on is None or assigned_on > due_date:
        return False
    return closed_on is None or closed_on > due_date


def owed_reports(
    assignments,
    tasks: dict[int, tuple[str, date | None]],
    due_date: date,
    month: str | None = None,
    changes=None,
) -> set[tuple[int, int]]:
    """The (task, unit) pairs owing a report for a month due on `due_date`.

    `assignments`: (task id, current unit id, assigned on) for every assignment, units
    already mapped to their current successors; `tasks`: {task id: (status, closed on)}.
    A unit assigned twice (e.g. a predecessor and its successor) owes one report, from the
    earlier assignment.

    Reassignments (改派, docs/intake.md): `changes` is {(task, current unit): ((change,
    "YYYY-MM"), …) oldest first} and `month` the period ("YYYY-MM"). A unit added to or
    removed from the task owes the month only if tracker.plans.rules.answers_for_period says
    it answers for it: a removed unit owes up to the month of the change, an added unit from
    the next month on. Alerts and score entries follow from the owed pairs."""
    if changes and month is None:
        raise ValueError("owed_reports: the month is needed to apply reassignments")
    changes = changes or {}
    owed = set()
    for task_id, unit_id, assigned_on in assignments:
        task = tasks.get(task_id)
        if task is None or not owes_report(task[0], assigned_on, task[1], due_date):
            continue
        unit_changes = changes.get((task_id, unit_id), ())
        if not unit_changes or answers_for_period(unit_id, month, (unit_id,), unit_changes):
            owed.add((task_id, unit_id))
    return owed


def files_for_period(
    task_id: int,
    unit_id: int,
    month: str,
    answers_now: bool,
    owed: set[tuple[int, int]],
    changes,
) -> bool:
    """Whether a unit files the report of `month` ("YYYY-MM") on an open task: the liaison's
    month page lists it and the save accepts it.

    A unit files when it owes the report (`owed`, from owed_reports) — so a unit a
    reassignment (改派) removed this month still files this month's report — or when it
    answers for the task now and no reassignment says it starts later: a unit added this
    month files from next month on (answers_for_period), while a task assigned after the
    due date may still be reported on. `changes` is owed_reports' {(task, unit): …}."""
    if (task_id, unit_id) in owed:
        return True
    if not answers_now:
        return False
    steps = (changes or {}).get((task_id, unit_id), ())
    return not steps or answers_for_period(unit_id, month, (unit_id,), steps)


def dropped_assignments(
    assigned: set[tuple[int, int]],
    removals,
    first_assigned: dict[int, datetime],
) -> list[tuple[int, int, date]]:
    """The assignments a reassignment dropped, as (task, current unit, assigned on).

    A unit removed from an assigned task before it acknowledged loses its assignment row
    (tracker.supervision.workflow.reassign), yet it still owes up to the month of the
    change. `assigned`: the (task, unit) pairs that still have a row; `removals`: {(task,
    unit): ((change, changed at), …) oldest first}; `first_assigned`: {task: when it was
    first assigned}. Such a unit counts as assigned when the task was first assigned or, if
    it was added later, when it was added — provided that was before it was removed (a unit
    removed while the task was still unassigned was never assigned). Times are stored UTC;
    the assignment day is the Beijing date."""
    dropped = []
    for (task_id, unit_id), steps in removals.items():
        first = first_assigned.get(task_id)
        if (task_id, unit_id) in assigned or first is None or steps[-1][0] != REMOVED:
            continue
        added_at = [at for change, at in steps[:-1] if change == ADDED]
        since = max(first, added_at[-1]) if added_at else first
        if since <= steps[-1][1]:
            dropped.append((task_id, unit_id, local_date(since)))
    return dropped


# --- late, missing and the report's light -----------------------------------------------

ON_TIME, LATE, MISSING, NOT_DUE = "on_time", "late", "missing", "not_due"


def first_submission(days) -> date | None:
    """The date of a report's first submission: the earliest first submission of its
    revisions (a correction, a new revision, does not make an on-time report late)."""
    return min((d for d in days if d is not None), default=None)


def is_late(first_submitted_on: date | None, due_date: date) -> bool:
    """A report is late if it was FIRST submitted after the period's due date (Beijing
    date): a report returned and resubmitted after the due date is on time if its first
    submission was. Never the latest `submitted_at`."""
    return first_submitted_on is not None and past_due(due_date, first_submitted_on)


def report_standing(first_submitted_on: date | None, due_date: date, today: date) -> str:
    """Where an owed report stands: ON_TIME or LATE once submitted (by its first
    submission), MISSING if never submitted after the due date, NOT_DUE before it. A report
    returned for rework counts by its first submission: it is not missing."""
    if first_submitted_on is not None:
        return LATE if is_late(first_submitted_on, due_date) else ON_TIME
    return MISSING if past_due(due_date, today) else NOT_DUE


def report_deadline_state(
    first_submitted_on: date | None,
    due_date: date,
    today: date,
    working_days_left: int,
    warn_days: int = 5,
) -> str:
    """The report's deadline state (tracker.plans.lights.deadline_state): done on its first
    submission (DONE, or DONE_LATE after the due date), else OVERDUE after the due date,
    DUE_SOON within `warn_days` working days, ON_TRACK before."""
    return deadline_state(due_date, first_submitted_on, today, working_days_left, warn_days)


def report_light(
    first_submitted_on: date | None,
    due_date: date,
    today: date,
    working_days_left: int,
    warn_days: int = 5,
) -> str:
    """Green: in on time, or not yet due within `warn_days` working days. Yellow: never
    submitted and due within `warn_days` working days. Red: never submitted after the due
    date, or first submitted late."""
    return light_of(
        report_deadline_state(first_submitted_on, due_date, today, working_days_left, warn_days)
    )


def may_read_report(scope: set[int] | None, report_unit_id: int, lead_unit_id: int) -> bool:
    """Who reads a report's details (text, %, return reason, rating, evidence).

    `scope` is the reader's unit scope: None for office, leader and admin (they read all);
    for a liaison its own unit and the units it succeeded. A liaison reads its scope's own
    reports and, when its scope leads the task, every unit's part on that task; a co-unit
    never reads the lead's or another co-unit's report."""
    if scope is None:
        return True
    return report_unit_id in scope or lead_unit_id in scope


# --- linked tasks: one report serves them all (一报多用) ----------------------------------

LINK_COUNTS = frozenset({"submitted", "accepted"})  # the states of a report that serve a group


def link_filings(
    link_group: dict[int, int], filed: dict[tuple[int, int], tuple[date, str]]
) -> dict[tuple[int, int], tuple[date, int]]:
    """{(group, unit): (earliest first submission, its task)} over the reports of ONE period
    that serve a link group: `filed` is {(task, unit): (first submitted on, latest state)}
    and only a report submitted or accepted (LINK_COUNTS) on a linked task counts — a
    draft or a report returned for rework serves no other task (docs/reporting-load.md)."""
    found: dict[tuple[int, int], tuple[date, int]] = {}
    for (task_id, unit_id), (day, state) in sorted(filed.items()):
        group = link_group.get(task_id)
        if group is None or day is None or state not in LINK_COUNTS:
            continue
        key = (group, unit_id)
        if key not in found or (day, task_id) < found[key]:
            found[key] = (day, task_id)
    return found


def answered_by_link(
    task_id: int,
    unit_id: int,
    link_group: dict[int, int],
    filings: dict[tuple[int, int], tuple[date, int]],
) -> tuple[date, int] | None:
    """Whether the unit's report on ANOTHER task of `task_id`'s link group answers for the
    pair (task, unit) this period: (the day it counts as filed, the serving task), or None.

    Only the same unit: a co-unit's report never answers for the lead unit, nor a report of
    unit X on task A for unit Y on task B. `link_group` is {task: group} as linked now;
    `filings` comes from link_filings. The owed set does not change; what changes is
    whether the pair is filed (so not missing, no 提醒, no deduction for a missing report)."""
    group = link_group.get(task_id)
    if group is None:
        return None
    hit = filings.get((group, unit_id))
    if hit is None or hit[1] == task_id:
        return None
    return hit


def linked_filing_day(served_on: date, due_date: date) -> date:
    """The day a pair answered by a link counts as filed: the serving report's first
    submission, but never after the due date — lateness belongs to the serving report
    alone (counted once, on its own task, like the scorecard's late deduction)."""
    return min(served_on, due_date)
