"""Pure rules of intake: default deadlines, section numbering, what may be deleted, and what
moves with a reassignment (改派). No db, no request, no clock: `today` is passed in.

Reassignment rule (docs/intake.md):
- reports already filed stay with the unit that filed them;
- a unit removed from a task still owes the report of the reporting period in which the
  office reassigned the task; a unit added owes from the next period on;
- alerts and score entries follow the same rule: they are raised for, and charged to, the
  units that owed the report or answered for the task in that period (answers_for_period).
"""

import re
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.calendar.rules import WorkingCalendar

KINDS = ("policy_document", "meeting", "instruction", "assigned_from_above", "proposal", "other")
DEADLINE_UNITS = ("working_days", "days", "months")
LEAD, CO = "lead", "co"
ADDED, REMOVED = "added", "removed"

# --------------------------------------------------------------------- default deadlines


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def default_due(
    kind: str, start: date, deadlines: dict, calendar: WorkingCalendar
) -> tuple[date | None, tuple[int, str] | None]:
    """The default due date of a new item of `kind` entered on `start`, and the rule used
    ((amount, unit) or None when the kind has no default).

    Working days count the official calendar; a deadline in days or months that falls on a
    day off moves to the next working day.
    """
    rule = deadlines.get(kind)
    if not rule:
        return None, None
    amount, unit = int(rule[0]), rule[1]
    if unit == "working_days":
        due = calendar.add_workdays(start, amount)
    elif unit == "months":
        due = calendar.next_workday(add_months(start, amount))
    else:
        due = calendar.next_workday(date.fromordinal(start.toordinal() + amount))
    return due, (amount, unit)


def deadline_problem(amount, unit) -> str | None:
    """Why an admin's default deadline is refused (None: fine): 1–365 days or working
    days, or 1–24 months."""
    if unit not in DEADLINE_UNITS:
        return "bad_deadline_unit"
    limit = 24 if unit == "months" else 365
    if not isinstance(amount, int) or not 1 <= amount <= limit:
        return "bad_deadline_amount"
    return None


# --------------------------------------------------------------------- section numbering

_LABEL_TRIM = re.compile(r"^[\s　]+|[\s　、．.,，:：]+$")


def clean_label(label: str) -> str:
    """The document's own numbering without its trailing punctuation, full-width brackets
    made half-width: "一、" → "一", "（二）" → "(二)", "3." → "3", "第一部分" stays."""
    text = (label or "").replace("（", "(").replace("）", ")")
    return _LABEL_TRIM.sub("", text)


def section_path(parent_path: str | None, label: str) -> str:
    """The display number of a section: its parents' labels and its own, e.g. 三(二)3."""
    return f"{parent_path or ''}{clean_label(label)}"


# --------------------------------------------------------------------- deleting and archiving


def may_delete_task(status: str, has_subtasks: bool, has_merged: bool) -> bool:
    """A task may be deleted only while it has no history: never assigned (so no report,
    alert, acknowledgement or score entry can exist), no sub-tasks, nothing merged into it.
    Anything else is archived (撤销) with a reason."""
    return status == "pending" and not has_subtasks and not has_merged


def may_delete_plan(task_statuses: Iterable[str]) -> bool:
    """A plan may be deleted only if none of its tasks was ever assigned."""
    return all(status == "pending" for status in task_statuses)


# --------------------------------------------------------------------- reassignment


def period_of(day: date) -> str:
    """The reporting period ("YYYY-MM") a day falls in: its calendar month."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class UnitChange:
    unit_id: int
    role: str  # LEAD | CO
    change: str  # ADDED | REMOVED


def unit_changes(
    old_lead: int, old_co: Sequence[int], new_lead: int, new_co: Sequence[int]
) -> list[UnitChange]:
    """The units a reassignment adds and removes, with the role each had or gets.

    A unit moving between lead and co-unit is removed in its old role and added in the new
    one, so the timeline says so; its reports are unaffected (it owes them either way).
    """
    old = {old_lead: LEAD, **{u: CO for u in old_co if u != old_lead}}
    new = {new_lead: LEAD, **{u: CO for u in new_co if u != new_lead}}
    changes = [UnitChange(u, role, REMOVED) for u, role in old.items() if new.get(u) != role]
    changes += [UnitChange(u, role, ADDED) for u, role in new.items() if old.get(u) != role]
    return changes


def reassignment_problem(
    old_lead: int, old_co: Sequence[int], new_lead: int | None, new_co: Sequence[int], reason: str
) -> str | None:
    """Why a reassignment is refused (None: fine)."""
    if new_lead is None:
        return "lead_required"
    if new_lead in new_co:
        return "lead_in_co_units"
    if len(set(new_co)) != len(new_co):
        return "duplicate_co_unit"
    if new_lead == old_lead and list(new_co) == list(old_co):
        return "nothing_changed"
    if not (reason or "").strip():
        return "reason_required"
    return None


def answers_for_period(
    unit_id: int, period: str, current_units: Iterable[int], changes: Sequence[tuple[str, str]]
) -> bool:
    """Whether `unit_id` answers for a task in `period` ("YYYY-MM"): owes its report, gets its
    alerts and score entries. (Whether the task owes a report that month at all is
    tracker.reports.rules.owes_report.)

    `changes` are the unit's (change, period) pairs for the task, oldest first. A change made
    in period P takes effect from the period after P: a removed unit owes P, an added unit
    does not. Before its first change a unit owed iff that change removed it (it was there from
    the start); with no change it owes iff it answers for the task now.
    """
    if changes:
        owed = changes[0][0] == REMOVED
    else:
        return unit_id in set(current_units)
    for change, changed_in in changes:
        if changed_in < period:
            owed = change == ADDED
    return owed


# --------------------------------------------------------------------- split and merge


def roll_up(children: Sequence[tuple[str, bool]]) -> dict:
    """The parent's view of its sub-tasks: how many, how many closed, how many archived.

    `children` are (status, archived) pairs; archived sub-tasks count for nothing.
    """
    live = [status for status, archived in children if not archived]
    closed = sum(1 for status in live if status == "closed")
    return {
        "total": len(live),
        "closed": closed,
        "open": len(live) - closed,
        "percent": round(100 * closed / len(live)) if live else 0,
        "archived": len(children) - len(live),
    }


def merge_problem(
    task_id: int, target_id: int | None, task_archived: bool, target_archived: bool
) -> str | None:
    """Why merging `task_id` into `target_id` is refused (None: fine)."""
    if target_id is None:
        return "target_required"
    if target_id == task_id:
        return "merge_into_itself"
    if task_archived or target_archived:
        return "archived"
    return None


def split_problem(parts: Sequence[tuple[str, int | None]]) -> str | None:
    """Why a split into (title, lead unit) parts is refused (None: fine): at least one part,
    each with a title and a lead unit."""
    if not parts:
        return "split_needs_parts"
    if any(not (title or "").strip() or unit is None for title, unit in parts):
        return "split_part_incomplete"
    return None
