"""Scoring as pure functions over plain facts: no database, no request, no clock.

A unit starts every month at 100 (`BASE`). Each event of the month becomes a score entry
under one rule; the amount comes from the rule set in force for the month. The rules:

- report_missing — a report owed for the month was never submitted, and its due date has
  passed (tracker.reports.rules.report_standing; event: the task; date: the due date);
- report_late — a report first submitted after the due date (reports.rules.is_late; event:
  the report);
- report_returned — each time the office returned one of the month's reports (event: the
  audit record of the return);
- task_overdue_lead / task_overdue_co — a task past its due date and not closed on the last
  day of the month (or today, for the month in progress), once per month, for the lead unit
  and for each co-unit (event: the task);
- milestone_overdue — a milestone (节点) of a task not done by its due date (a day off moves
  it to the next working day), counted once, in the month of that date once it has passed,
  for the unit that answers for it — even when the task's own end is years away; a
  milestone done late stays counted there (event: the milestone);
- while a task's assignment is contested (退回交办, its clock stopped) it gives no overdue
  entry: no task_overdue_* for a month judged on a day it is contested, no milestone_overdue
  for a milestone whose deadline passed while it was contested;
- notice_unanswered / instruction_unanswered — a supervision notice or a leader's
  instruction not answered by its answer date, counted in the month of that date once it
  has passed (an answer due on the 31st is counted from the 1st of the next month);
- task_closed_on_time — a task closed in the month on or before its due date (lead unit);
- report_good — a report of the month accepted with the rating 好;
- manual_adjustment — the office's adjustment with its written reason (its own amount).

A report is owed by a unit for a month by the one rule of tracker.reports.rules.owes_report:
the unit (its current successor) was assigned the task on or before the month's due date
(Beijing date) and the task was not closed by then.

score = 100 + the sum of the entries, always. A quarter or a year adds up its months'
entries (so a task overdue all quarter is counted three times).

Ranking: higher score first; on equal scores, the smaller total deduction; then the larger
total credit. Units equal on all three share a rank (1, 2, 2, 4) and are listed by unit code.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from tracker.reports.rules import MISSING, is_late, owed_reports, report_standing
from tracker.scoring.periods import Period as Period
from tracker.scoring.periods import last_month as last_month
from tracker.scoring.periods import month_key as month_key
from tracker.scoring.periods import parse_period as parse_period
from tracker.scoring.periods import period_for as period_for
from tracker.scoring.periods import previous_period as previous_period

BASE = Decimal(100)

REPORT_MISSING = "report_missing"
REPORT_LATE = "report_late"
REPORT_RETURNED = "report_returned"
TASK_OVERDUE_LEAD = "task_overdue_lead"
TASK_OVERDUE_CO = "task_overdue_co"
NOTICE_UNANSWERED = "notice_unanswered"
INSTRUCTION_UNANSWERED = "instruction_unanswered"
MILESTONE_OVERDUE = "milestone_overdue"
TASK_CLOSED_ON_TIME = "task_closed_on_time"
REPORT_GOOD = "report_good"
MANUAL_ADJUSTMENT = "manual_adjustment"

DEDUCTION_RULES = (
    REPORT_MISSING,
    REPORT_LATE,
    REPORT_RETURNED,
    TASK_OVERDUE_LEAD,
    TASK_OVERDUE_CO,
    NOTICE_UNANSWERED,
    INSTRUCTION_UNANSWERED,
    MILESTONE_OVERDUE,
)
CREDIT_RULES = (TASK_CLOSED_ON_TIME, REPORT_GOOD)
RULES = DEDUCTION_RULES + CREDIT_RULES  # the rules with an amount in a rule set

RULE_LABELS = {
    REPORT_MISSING: _l("Report missing"),
    REPORT_LATE: _l("Report late"),
    REPORT_RETURNED: _l("Report returned"),
    TASK_OVERDUE_LEAD: _l("Task overdue (lead unit)"),
    TASK_OVERDUE_CO: _l("Task overdue (co-unit)"),
    NOTICE_UNANSWERED: _l("Supervision notice not answered on time"),
    INSTRUCTION_UNANSWERED: _l("Instruction not answered on time"),
    MILESTONE_OVERDUE: _l("Milestone missed"),
    TASK_CLOSED_ON_TIME: _l("Task closed on time"),
    REPORT_GOOD: _l("Report rated good"),
    MANUAL_ADJUSTMENT: _l("Adjustment by the office"),
}

MAX_AMOUNT = Decimal(100)


def rule_label(code: str) -> str:
    label = RULE_LABELS.get(code)
    return str(label) if label is not None else code


# --- facts and events -------------------------------------------------------------------
# The facts and events made by the thousand (a month's tasks, assignments, reports, events and
# entries: ~130,000 at province scale) are named tuples: immutable like the frozen dataclasses
# of the rest, and built ~6x faster (issue 13: ~0.13 s of a month's scorecard).


class Assignment(NamedTuple):
    task_id: int
    unit_id: int
    assigned_on: date


class TaskFact(NamedTuple):
    """A task with its units already mapped to their current successors."""

    task_id: int
    status: str
    due_date: date | None
    closed_on: date | None
    lead_unit_id: int
    co_unit_ids: tuple[int, ...] = ()


class ReportFact(NamedTuple):
    """The month's report of one unit on one task: its latest revision, and the date of its
    first submission (None if never submitted)."""

    report_id: int
    task_id: int
    unit_id: int
    first_submitted_on: date | None
    state: str
    quality: str | None = None


@dataclass(frozen=True)
class ReturnFact:
    event_id: int
    report_id: int
    task_id: int
    unit_id: int
    returned_on: date


@dataclass(frozen=True)
class AnswerFact:
    """A notice or instruction that a unit must answer by `answer_due`."""

    kind: str  # "notice" or "instruction"
    id: int
    task_id: int
    unit_id: int
    answer_due: date
    answered_on: date | None


@dataclass(frozen=True)
class MilestoneFact:
    """A milestone: the unit that answers for it (current successor), its effective due
    date (a day off already moved to the next working day) and the day it was done."""

    milestone_id: int
    task_id: int
    unit_id: int
    due_date: date
    done_on: date | None


@dataclass(frozen=True)
class AdjustmentFact:
    id: int
    unit_id: int
    amount: Decimal
    reason: str
    created_on: date


@dataclass(frozen=True)
class MonthFacts:
    """Everything the month's score depends on. `today` is the day of computing."""

    period: Period
    due_date: date
    today: date
    assignments: tuple[Assignment, ...] = ()
    tasks: tuple[TaskFact, ...] = ()
    reports: tuple[ReportFact, ...] = ()
    returns: tuple[ReturnFact, ...] = ()
    answers: tuple[AnswerFact, ...] = ()
    adjustments: tuple[AdjustmentFact, ...] = ()
    # (task, unit) -> its reassignments ((change, "YYYY-MM"), …): reports.rules.owed_reports
    changes: dict = field(default_factory=dict)
    milestones: tuple[MilestoneFact, ...] = ()
    # task id -> its contests ((filed on, decided on or None), …): the clock stopped
    contests: dict = field(default_factory=dict)
    # (task, unit) -> the day a report on another task of its link group counts as filed
    # for it (一报多用, reports.rules.answered_by_link): not missing
    served: dict = field(default_factory=dict)

    @property
    def as_of(self) -> date:
        """The day the month is judged on: its last day, or today while it runs."""
        return min(self.today, self.period.end)


class Event(NamedTuple):
    rule: str
    unit_id: int
    event_type: str  # report, task, notice, instruction, audit, adjustment
    event_id: int
    event_date: date | None
    task_id: int | None = None
    report_id: int | None = None
    note: str = ""
    amount: Decimal | None = None  # only manual adjustments carry their own


class Entry(NamedTuple):
    rule: str
    unit_id: int
    amount: Decimal
    event: Event


@dataclass
class Card:
    unit_id: int
    score: Decimal
    deductions: Decimal
    credits: Decimal
    entries: list[Entry] = field(default_factory=list)
    rank: int = 0


def expected_reports(facts: MonthFacts) -> set[tuple[int, int]]:
    """(task, unit) pairs that owe a report for the month: reports.rules.owed_reports, the
    one rule every screen uses (reassignments included)."""
    tasks = {t.task_id: (t.status, t.closed_on) for t in facts.tasks}
    assignments = ((a.task_id, a.unit_id, a.assigned_on) for a in facts.assignments)
    return owed_reports(assignments, tasks, facts.due_date, facts.period.key, facts.changes)


def contested_on(contests, day: date) -> bool:
    """True when one of a task's contests ((filed on, decided on or None), …) was open on
    `day`: from its filing day until the day before its decision."""
    return any(filed <= day and (decided is None or day < decided) for filed, decided in contests)


def milestone_missed(m: MilestoneFact, task: TaskFact | None, today: date) -> bool:
    """A milestone is missed once today is after its due date and it was not done by then,
    on a task that was assigned and not closed by the due date nor withdrawn (撤销)."""
    if task is None or task.status in ("pending", "archived") or today <= m.due_date:
        return False
    if task.closed_on is not None and task.closed_on <= m.due_date:
        return False
    return m.done_on is None or m.done_on > m.due_date


def milestone_events(facts: MonthFacts) -> list[Event]:
    """MILESTONE_OVERDUE: each milestone missed with its due date in the month, once."""
    tasks = {t.task_id: t for t in facts.tasks}
    events = []
    for m in sorted(facts.milestones, key=lambda m: (m.due_date, m.milestone_id)):
        if not facts.period.start <= m.due_date <= facts.period.end:
            continue
        paused = contested_on(
            facts.contests.get(m.task_id, ()), date.fromordinal(m.due_date.toordinal() + 1)
        )
        if milestone_missed(m, tasks.get(m.task_id), facts.today) and not paused:
            events.append(
                Event(
                    MILESTONE_OVERDUE, m.unit_id, "milestone", m.milestone_id, m.due_date, m.task_id
                )
            )
    return events


def month_events(facts: MonthFacts) -> list[Event]:
    """Every event of the month that the rules score, in a fixed order."""
    events: list[Event] = []
    start, as_of, due = facts.period.start, facts.as_of, facts.due_date
    reports = {(r.task_id, r.unit_id): r for r in facts.reports}
    for task_id, unit_id in sorted(expected_reports(facts)):
        report = reports.get((task_id, unit_id))
        first_on = report.first_submitted_on if report else None
        if first_on is None:
            first_on = facts.served.get((task_id, unit_id))
        if report_standing(first_on, due, facts.today) == MISSING:
            events.append(Event(REPORT_MISSING, unit_id, "task", task_id, due, task_id))
    for r in sorted(facts.reports, key=lambda r: r.report_id):
        if is_late(r.first_submitted_on, due):
            events.append(
                Event(
                    REPORT_LATE,
                    r.unit_id,
                    "report",
                    r.report_id,
                    r.first_submitted_on,
                    r.task_id,
                    r.report_id,
                )
            )
        if r.state == "accepted" and r.quality == "good":
            events.append(
                Event(REPORT_GOOD, r.unit_id, "report", r.report_id, None, r.task_id, r.report_id)
            )
    for ret in sorted(facts.returns, key=lambda x: x.event_id):
        events.append(
            Event(
                REPORT_RETURNED,
                ret.unit_id,
                "audit",
                ret.event_id,
                ret.returned_on,
                ret.task_id,
                ret.report_id,
            )
        )
    for t in sorted(facts.tasks, key=lambda t: t.task_id):
        if t.status == "pending" or t.due_date is None:
            continue
        closed_by_then = t.closed_on is not None and t.closed_on <= as_of
        paused = contested_on(facts.contests.get(t.task_id, ()), as_of)
        if as_of > t.due_date and not closed_by_then and not paused:
            events.append(
                Event(TASK_OVERDUE_LEAD, t.lead_unit_id, "task", t.task_id, t.due_date, t.task_id)
            )
            for unit_id in dict.fromkeys(t.co_unit_ids):
                if unit_id != t.lead_unit_id:
                    events.append(
                        Event(TASK_OVERDUE_CO, unit_id, "task", t.task_id, t.due_date, t.task_id)
                    )
        if t.closed_on is not None and start <= t.closed_on <= as_of and t.closed_on <= t.due_date:
            events.append(
                Event(
                    TASK_CLOSED_ON_TIME, t.lead_unit_id, "task", t.task_id, t.closed_on, t.task_id
                )
            )
    events += milestone_events(facts)
    for a in sorted(facts.answers, key=lambda a: (a.kind, a.id)):
        if not start <= a.answer_due <= facts.period.end or facts.today <= a.answer_due:
            continue
        if a.answered_on is None or a.answered_on > a.answer_due:
            rule = NOTICE_UNANSWERED if a.kind == "notice" else INSTRUCTION_UNANSWERED
            events.append(Event(rule, a.unit_id, a.kind, a.id, a.answer_due, a.task_id))
    for adj in sorted(facts.adjustments, key=lambda a: a.id):
        events.append(
            Event(
                MANUAL_ADJUSTMENT,
                adj.unit_id,
                "adjustment",
                adj.id,
                adj.created_on,
                note=adj.reason,
                amount=adj.amount,
            )
        )
    return events


def score_entries(events: list[Event], amounts: dict[str, Decimal]) -> list[Entry]:
    """Each event with its amount under the rule set; events worth nothing are left out."""
    entries = []
    for event in events:
        amount = event.amount if event.amount is not None else amounts.get(event.rule, Decimal(0))
        if amount != 0:
            entries.append(Entry(event.rule, event.unit_id, Decimal(amount), event))
    return entries


def scorecards(
    unit_ids, entries: list[Entry], order_key: dict[int, str] | None = None
) -> list[Card]:
    """One card per unit (units without entries score 100), ranked by the stated rule."""
    by_unit: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_unit[entry.unit_id].append(entry)
    cards = []
    for unit_id in set(unit_ids) | set(by_unit):
        own = by_unit.get(unit_id, [])
        deductions = sum((e.amount for e in own if e.amount < 0), Decimal(0))
        credits = sum((e.amount for e in own if e.amount > 0), Decimal(0))
        cards.append(Card(unit_id, BASE + deductions + credits, deductions, credits, own))
    return rank(cards, order_key or {})


def rank(cards: list[Card], order_key: dict[int, str]) -> list[Card]:
    """Sort and number the cards: score, then smaller deduction, then larger credit; full
    ties share a rank and are listed by `order_key` (the unit code), then unit id."""

    def merit(card: Card):
        return (-card.score, -card.deductions, -card.credits)

    ordered = sorted(cards, key=lambda c: (*merit(c), order_key.get(c.unit_id, ""), c.unit_id))
    previous = None
    for position, card in enumerate(ordered, start=1):
        if previous is None or merit(card) != merit(previous):
            card.rank = position
        else:
            card.rank = previous.rank
        previous = card
    return ordered


def parse_amount(text: str) -> Decimal:
    """An amount typed by the office: a number with at most two decimals, |x| ≤ 100."""
    from decimal import InvalidOperation

    try:
        value = Decimal(str(text).strip().replace("＋", "+").replace("－", "-"))
    except (InvalidOperation, ValueError):
        raise ValueError(text) from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return value


def check_rule_amounts(amounts: dict[str, Decimal]) -> list[str]:
    """Rule codes whose amount has the wrong sign: deductions ≤ 0, credits ≥ 0."""
    wrong = [code for code in DEDUCTION_RULES if amounts.get(code, Decimal(0)) > 0]
    wrong += [code for code in CREDIT_RULES if amounts.get(code, Decimal(0)) < 0]
    return wrong
