"""The workflow's decisions as pure functions over plain values (no db, no request, no clock).

Each `check_*` function answers "may this step happen now?" with None (yes) or an error key
(no); services.py turns the key into a translated message. Rules:

- the office assigns (交办) a task once: only a task not yet assigned can be assigned;
- open work follows reorganisations: an assignment goes to the last unit of the successor
  chain; the lead unit's assignment wins when two named units end in the same successor;
- a unit acknowledges (签收) its assignment once, while the task is open; after `ack_due` it
  still may, but late;
  the lead unit's acknowledgement puts an assigned task in progress;
- the lead unit asks for an extension (延期申请) of a task that is assigned or in progress,
  has a due date and no request awaiting a decision; the new date lies after the current due
  date and not in the past;
- the lead unit asks for close-out (办结申请) of a task that is assigned or in progress and
  has no close-out request awaiting a decision; the office confirms (销号) or refuses, and
  decides a pending extension request before it confirms;
- a rejection or refusal always carries a note saying why;
- a leader's instruction (批示) is written on a task that is not closed and answered once.
"""

from datetime import date

from tracker.plans.lights import past_due
from tracker.plans.models import OPEN_STATUSES, TaskStatus
from tracker.units.rules import final_successor

# the task's statuses as plain strings (the rules compare stored values)
ASSIGNED = TaskStatus.ASSIGNED.value
IN_PROGRESS = TaskStatus.IN_PROGRESS.value
CLOSED = TaskStatus.CLOSED.value
PENDING = TaskStatus.PENDING.value

# decisions accepted from the office's forms
EXTENSION_DECISIONS = ("approve", "reject")
CLOSE_OUT_DECISIONS = ("confirm", "refuse")
NEGATIVE_DECISIONS = frozenset({"reject", "refuse"})


def assignment_units(
    lead_unit_id: int, co_unit_ids: list[int], successor_of: dict[int, int | None]
) -> list[tuple[int, bool]]:
    """(unit id, is_lead) for each unit to assign a task to, lead first, without repeats.

    Each named unit is replaced by its final successor; a co-unit that ends in the lead unit
    or in an earlier co-unit is assigned once (the lead's role wins).
    """
    lead = final_successor(lead_unit_id, successor_of)
    result = [(lead, True)]
    seen = {lead}
    for unit_id in co_unit_ids:
        unit = final_successor(unit_id, successor_of)
        if unit not in seen:
            seen.add(unit)
            result.append((unit, False))
    return result


def check_assign(task_status: str) -> str | None:
    if task_status == CLOSED:
        return "task_closed"
    if task_status != PENDING:
        return "already_assigned"
    return None


def check_acknowledge(
    task_status: str, has_assignment: bool, already_acknowledged: bool
) -> str | None:
    if task_status == CLOSED:
        return "task_closed"
    if not has_assignment:
        return "not_assigned_to_unit"
    if already_acknowledged:
        return "already_acknowledged"
    return None


def is_late(today: date, due: date | None) -> bool:
    """A step done after its due day is late (on the due day itself is on time)."""
    return past_due(due, today)


def status_after_acknowledgement(task_status: str, is_lead: bool) -> str | None:
    """The task's new status when a unit acknowledges, or None if it does not change."""
    if is_lead and task_status == ASSIGNED:
        return IN_PROGRESS
    return None


def check_open_task(task_status: str) -> str | None:
    """Extensions and close-out need a task that has been assigned and is not closed."""
    if task_status == CLOSED:
        return "task_closed"
    if task_status not in OPEN_STATUSES:
        return "not_assigned"
    return None


def check_extension_request(
    task_status: str,
    current_due: date | None,
    requested_due: date,
    today: date,
    has_pending: bool,
) -> str | None:
    """May the lead unit ask to move the task's due date to `requested_due`?"""
    error = check_open_task(task_status)
    if error:
        return error
    if has_pending:
        return "extension_pending"
    if current_due is None:
        return "no_due_date"
    if requested_due < today:
        return "date_in_past"
    if requested_due <= current_due:
        return "date_not_later"
    return None


def check_close_out_request(task_status: str, has_pending: bool) -> str | None:
    error = check_open_task(task_status)
    if error:
        return error
    if has_pending:
        return "close_out_pending"
    return None


def check_decision(
    request_state: str, decision: str, note: str, allowed: tuple[str, ...]
) -> str | None:
    """May the office decide a request this way? Only pending requests are decided, and a
    rejection or refusal says why."""
    if decision not in allowed:
        return "bad_decision"
    if request_state != "pending":
        return "already_decided"
    if decision in NEGATIVE_DECISIONS and not (note or "").strip():
        return "note_required"
    return None


def check_close_out_confirm(task_status: str, extension_pending: bool) -> str | None:
    """Confirming close-out (销号) needs an open task and no extension request left
    undecided (a closed task would keep a request nobody can decide any more)."""
    error = check_open_task(task_status)
    if error:
        return error
    if extension_pending:
        return "decide_extension_first"
    return None


def check_instruction(task_status: str) -> str | None:
    return "task_closed" if task_status == CLOSED else None


def check_answer(already_answered: bool) -> str | None:
    return "already_answered" if already_answered else None


def ack_overdue(ack_due: date, acknowledged: bool, today: date) -> bool:
    """An assignment not acknowledged after its due day (shown to the office)."""
    return not acknowledged and past_due(ack_due, today)
