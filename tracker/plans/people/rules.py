"""The rules of people (issue 14) as pure functions: no database, no request, no clock.

- Who is in charge of a task (`leader_in_charge`): the leader the task names itself, else
  the one of its section, else of the enclosing sections (nearest first), else of its plan.
- The order of "我分管的" (`leader_order`): red first, then behind pace (慢于序时), then
  yellow, then green; closed tasks last; then by due date (none last), plan and number.
- The weekly leader digest (`digest_week`): sent on a working day, once per ISO week.
- The 挂图作战 time axis (`time_axis`, `column_of`): a plan's span cut into at most
  `MAX_COLUMNS` columns (months, quarters or years), so a mark needs no inline style.
"""

from collections.abc import Iterable, Mapping
from datetime import date

from tracker.plans.lights import RED, YELLOW
from tracker.plans.models import TaskStatus

__all__ = [
    "leader_in_charge",
    "section_chain",
    "leader_order",
    "digest_week",
    "time_axis",
    "column_of",
    "MAX_COLUMNS",
]

CLOSED = TaskStatus.CLOSED.value
MAX_COLUMNS = 16


def leader_in_charge(
    task_leader: int | None, section_leaders: Iterable[int | None], plan_leader: int | None
) -> int | None:
    """The task's own leader, else the first of its sections' (nearest first), else the
    plan's; None when nobody is named anywhere."""
    for candidate in (task_leader, *section_leaders, plan_leader):
        if candidate is not None:
            return candidate
    return None


def section_chain(section_id: int | None, parent_of: Mapping[int, int | None]) -> list[int]:
    """A section and its enclosing sections, nearest first (a loop in the data stops it)."""
    chain: list[int] = []
    while section_id is not None and section_id not in chain:
        chain.append(section_id)
        section_id = parent_of.get(section_id)
    return chain


def leader_order(
    light: str, behind_pace: bool, status: str, due: date | None, plan_id: int, number: int
) -> tuple:
    """Sort key of a task in "我分管的": red, behind pace, yellow, green, closed; then the
    earliest due date first (no due date last), then plan and number."""
    if status == CLOSED:
        rank = 4
    elif light == RED:
        rank = 0
    elif behind_pace:
        rank = 1
    elif light == YELLOW:
        rank = 2
    else:
        rank = 3
    return (rank, due is None, due or date.min, plan_id, number)


def digest_week(today: date, is_workday: bool) -> str | None:
    """The ISO week ("2026-W49") whose leader digest may go out today, or None on a day off.
    The digest's key carries the week, so it goes out once: on the first working day the
    job runs in that week."""
    if not is_workday:
        return None
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def time_axis(start: date, end: date) -> list[tuple[date, date, str]]:
    """Columns (first day, last day, label) covering start..end: months when that fits in
    MAX_COLUMNS, else quarters, else years (several years a column for very long spans)."""
    if end < start:
        start, end = end, start
    months = _months(start, end)
    for step, kind in ((1, "month"), (3, "quarter"), (12, "year")):
        if months <= MAX_COLUMNS * step or kind == "year":
            break
    if kind == "year":
        years = end.year - start.year + 1
        step = 12 * -(-years // MAX_COLUMNS)
        first = date(start.year, 1, 1)
    elif kind == "quarter":
        first = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    else:
        first = date(start.year, start.month, 1)
    columns = []
    while first <= end:
        index = first.year * 12 + first.month - 1 + step
        # a column reaching past the calendar's last day (a due date typed as 9999-12-31)
        # ends on it, and is the last
        nxt = date(index // 12, index % 12 + 1, 1) if index // 12 <= date.max.year else None
        last = date.fromordinal(nxt.toordinal() - 1) if nxt else date.max
        if kind == "month":
            label = f"{first.year}.{first.month}"
        elif kind == "quarter":
            label = f"{first.year}Q{(first.month - 1) // 3 + 1}"
        elif step == 12:
            label = str(first.year)
        else:
            label = f"{first.year}–{last.year}"
        columns.append((first, last, label))
        if nxt is None:
            break
        first = nxt
    return columns


def column_of(columns: list[tuple[date, date, str]], day: date | None) -> int | None:
    """The index of the column holding `day`; a day before the axis goes in the first
    column, after it in the last; None without a day or columns."""
    if day is None or not columns:
        return None
    if day < columns[0][0]:
        return 0
    for index, (first, last, _label) in enumerate(columns):
        if first <= day <= last:
            return index
    return len(columns) - 1
