"""Reporting punctuality for the dashboard: the reports a month owes, and whether each is
on time, late, missing or not yet due — the one rule of tracker.reports.rules (owes_report,
report_standing: late by the first submission, missing when never submitted after the due
date), as on the overview, the review queue, the alerts and the scorecard. A report counts
for its unit's current successor, like the work.

At province scale the dashboard reads the finished months the alert sweep stored
(dashboard/stored.py) and counts only the others here."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from tracker.calendar.rules import report_due_date
from tracker.extensions import db
from tracker.plans.lights import past_due
from tracker.plans.models import Task, TaskUnitChange
from tracker.reports.facts import owed_inputs
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.rules import (
    LATE,
    MISSING,
    NEVER_OWED,
    NOT_DUE,
    ON_TIME,
    first_submission,
    local_date,
    report_standing,
)
from tracker.scoring import rules
from tracker.supervision.models import TaskAssignment
from tracker.timeutil import LOCAL_TZ, local_day_bounds
from tracker.units.rules import final_successor


@dataclass
class Punctuality:
    """Reports of a month (or of one unit in it): owed, on time, late, missing, not yet due."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_due: int = 0

    @property
    def received(self) -> int:
        return self.on_time + self.late

    @classmethod
    def total(cls, tallies) -> "Punctuality":
        result = cls()
        for tally in tallies:
            _add(result, tally)
        return result


def tally_punctuality(
    due: date, today: date, expected: set, submitted: dict
) -> dict[int, Punctuality]:
    """Per unit, the month's punctuality (see the module's rules). `expected` holds
    (task, unit) pairs owing a report; `submitted` maps (task, unit) to the Beijing date of
    the first submission. A report filed though not owed still counts as on time or late."""
    per_unit: dict[int, Punctuality] = defaultdict(Punctuality)
    for pair in expected | set(submitted):
        tally = per_unit[pair[1]]
        tally.expected += int(pair in expected)
        standing = report_standing(submitted.get(pair), due, today)
        tally.on_time += standing == ON_TIME
        tally.late += standing == LATE
        tally.missing += standing == MISSING
        tally.not_due += standing == NOT_DUE
    return dict(per_unit)


def _due_dates(months, light_rules) -> tuple[dict[str, date], dict[str, int | None]]:
    """({month: due date}, {month: period id or None}) for the months: the stored periods'
    (one statement), else the due date the calendar and the due-day setting give."""
    key = ReportingPeriod.year * 100 + ReportingPeriod.month
    rp = ReportingPeriod
    stored = {
        rules.month_key(r.year, r.month): (r.due_date, r.id)
        for r in db.session.execute(
            select(rp.id, rp.year, rp.month, rp.due_date).where(
                key.between(*(int(m.replace("-", "")) for m in (months[0], months[-1])))
            )
        ).all()
    }
    due_of, period_of = {}, {}
    for month in months:
        start = rules.parse_period(month).start
        due, period_id = stored.get(month) or (
            report_due_date(light_rules.calendar, start.year, start.month, light_rules.due_day),
            None,
        )
        due_of[month], period_of[month] = due, period_id
    return due_of, period_of


def chain_units(successor_of: dict) -> set[int]:
    """The units a reorganisation touched: those with a successor and those succeeding
    another. Every other unit is its own current successor and has no predecessor."""
    return {u for u, s in successor_of.items() if s is not None} | {
        s for s in successor_of.values() if s is not None
    }


def punctuality(months, today, successor_of, light_rules, dates=None) -> tuple[dict, dict]:
    """({month: due date}, {month: {unit id: Punctuality}}) for the months, in a fixed
    number of statements whatever the number of tasks and reports.

    The owed rule is applied in two exact parts: the (task, unit) pairs of units untouched
    by reorganisations and never reassigned are counted by the database (GROUP BY, the
    rule's conditions written in SQL: `_sql_tallies`); the pairs of reorganised units and
    the reassigned pairs — few — go through the rule itself in Python (`_rule_tallies`).
    tests/scoring/test_dashboard_punctuality.py checks the sum equals the rule alone.
    `dates`: the months' (due dates, period ids) when the caller has them already."""
    due_of, period_of = dates or _due_dates(months, light_rules)
    chained = chain_units(successor_of)
    changed = {
        (t, u)
        for t, u in db.session.execute(
            select(TaskUnitChange.task_id, TaskUnitChange.unit_id).distinct()
        ).all()
        if u not in chained
    }
    result: dict[str, dict[int, Punctuality]] = {m: defaultdict(Punctuality) for m in months}
    for month, unit_id, tally in _sql_tallies(months, due_of, period_of, today, chained):
        _add(result[month][unit_id], tally)
    by_rule = _rule_tallies(months, due_of, period_of, today, successor_of, chained, changed)
    for month, per_unit in by_rule.items():
        for unit_id, tally in per_unit.items():
            _add(result[month][unit_id], tally)
    return due_of, {m: dict(per_unit) for m, per_unit in result.items()}


def _add(into: Punctuality, tally: Punctuality) -> None:
    for name in ("expected", "on_time", "late", "missing", "not_due"):
        setattr(into, name, getattr(into, name) + getattr(tally, name))


def _months_table(months, due_of, period_of):
    """The months as a small table (month, end of the due day in UTC, period id)."""
    return union_all(
        *(
            select(
                cast(literal(m), String(7)).label("month"),
                # a typed parameter, not CAST: SQLite's CAST(… AS DATETIME) makes a number
                literal(local_day_bounds(due_of[m])[1], DateTime).label("bound"),
                cast(literal(period_of[m]), Integer).label("period_id"),
            )
            for m in months
        )
    ).cte("dashboard_months")


def _unchanged(task_id, unit_id):
    """No reassignment (改派) names this (task, unit) pair."""
    return ~exists().where(TaskUnitChange.task_id == task_id, TaskUnitChange.unit_id == unit_id)


def _owed(assignment, task, bound):
    """reports.rules.owes_report in SQL: assigned by the end of the due day (Beijing), the
    task neither pending nor withdrawn, and not closed by then."""
    return and_(
        assignment.assigned_at < bound,
        task.status.not_in(NEVER_OWED),
        or_(task.closed_at.is_(None), task.closed_at >= bound),
    )


def _sql_tallies(months, due_of, period_of, today, chained):
    """(month, unit, Punctuality) for the units no reorganisation touched and their pairs
    no reassignment names, counted by the database (two statements): the owed pairs per
    month and unit from the assignments; the filed reports per period and unit from the
    reports (first submission against the end of the due day, owed or not)."""
    m = _months_table(months, due_of, period_of)
    a, t = aliased(TaskAssignment), aliased(Task)
    owed_rows = db.session.execute(
        select(m.c.month, a.unit_id, func.count())
        .select_from(m)
        .join(a, a.assigned_at < m.c.bound)
        .join(t, t.id == a.task_id)
        .where(_owed(a, t, m.c.bound), a.unit_id.not_in(chained), _unchanged(a.task_id, a.unit_id))
        .group_by(m.c.month, a.unit_id)
    ).all()
    pr = ProgressReport
    first_at = func.min(func.coalesce(pr.first_submitted_at, pr.submitted_at))
    filed = (  # each month's reports, by the period index (covering: no table reads)
        select(m.c.month, m.c.bound, pr.task_id, pr.unit_id, first_at.label("first_at"))
        .select_from(m)
        .join(pr, pr.period_id == m.c.period_id)
        .where(pr.unit_id.not_in(chained), _unchanged(pr.task_id, pr.unit_id))
        .group_by(m.c.month, m.c.bound, pr.task_id, pr.unit_id)
        .having(first_at.is_not(None))
        .subquery("filed")
    )
    a2, t2 = aliased(TaskAssignment), aliased(Task)
    owed = (
        select(a2.id)
        .join(t2, t2.id == a2.task_id)
        .where(a2.task_id == filed.c.task_id, a2.unit_id == filed.c.unit_id)
        .where(_owed(a2, t2, filed.c.bound))
        .exists()
    )
    judged = (
        select(
            filed.c.month,
            filed.c.unit_id,
            case((owed, 1), else_=0).label("owed"),
            case((filed.c.first_at < filed.c.bound, 1), else_=0).label("on_time"),
        )
        .cte("judged")
        .prefix_with("MATERIALIZED")  # each pair judged once, not once per use below
    )
    j = judged.c

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    filed_rows = db.session.execute(
        select(
            j.month,
            j.unit_id,
            count(and_(j.owed == 1, j.on_time == 1)),
            count(and_(j.owed == 1, j.on_time == 0)),
            count(and_(j.owed == 0, j.on_time == 1)),
            count(and_(j.owed == 0, j.on_time == 0)),
        )
        .select_from(judged)
        .group_by(j.month, j.unit_id)
    ).all()
    tallies: dict[tuple[str, int], Punctuality] = {}
    owed_filed: dict[tuple[str, int], int] = {}
    for month, unit_id, n in owed_rows:
        tallies[month, unit_id] = Punctuality(expected=n)
    for month, unit_id, owed_on_time, owed_late, on_time, late in filed_rows:
        tally = tallies.setdefault((month, unit_id), Punctuality())
        tally.on_time, tally.late = owed_on_time + on_time, owed_late + late
        owed_filed[month, unit_id] = owed_on_time + owed_late
    for (month, unit_id), tally in tallies.items():
        unfiled = tally.expected - owed_filed.get((month, unit_id), 0)
        overdue = past_due(due_of[month], today)
        tally.missing, tally.not_due = (unfiled, 0) if overdue else (0, unfiled)
        yield month, unit_id, tally


def _rule_tallies(months, due_of, period_of, today, successor_of, chained, changed):
    """{month: {unit: Punctuality}} for the pairs of reorganised units and the reassigned
    pairs, by the rule itself (reports.rules through scoring.rules.expected_reports)."""

    def current(unit_id):
        return final_successor(unit_id, successor_of)

    def mine(task_id, unit_id):  # unit_id: current
        return unit_id in chained or (task_id, unit_id) in changed

    units = chained | {u for _t, u in changed}
    owed_assignments, changes = owed_inputs(current, unit_ids=units)
    assignments = tuple(rules.Assignment(*a) for a in owed_assignments if mine(a[0], a[1]))
    changes = {pair: steps for pair, steps in changes.items() if mine(*pair)}
    task_ids = union(
        select(TaskAssignment.task_id).where(TaskAssignment.unit_id.in_(units)),
        select(TaskUnitChange.task_id).where(TaskUnitChange.unit_id.in_(units)),
    )
    facts = tuple(
        rules.TaskFact(
            t.id, t.status, t.due_date, local_date(t.closed_at, LOCAL_TZ), current(t.lead_unit_id)
        )
        for t in db.session.execute(
            select(Task.id, Task.status, Task.due_date, Task.closed_at, Task.lead_unit_id).where(
                Task.id.in_(task_ids)
            )
        ).all()
    )
    pr = ProgressReport
    submitted: dict[int, dict] = defaultdict(dict)
    for period_id, task_id, unit_id, at in db.session.execute(
        select(
            pr.period_id,
            pr.task_id,
            pr.unit_id,
            func.coalesce(pr.first_submitted_at, pr.submitted_at),  # as reports' rules
        ).where(
            pr.period_id.in_([p for p in period_of.values() if p is not None]),
            pr.unit_id.in_(units),
        )
    ).all():
        pair = (task_id, current(unit_id))
        if mine(*pair):
            first = first_submission((submitted[period_id].get(pair), local_date(at, LOCAL_TZ)))
            if first is not None:
                submitted[period_id][pair] = first
    result = {}
    for month in months:
        due = due_of[month]
        month_facts = rules.MonthFacts(
            rules.parse_period(month), due, today, assignments, facts, changes=changes
        )
        expected = rules.expected_reports(month_facts)
        filed = submitted.get(period_of[month], {}) if period_of[month] is not None else {}
        result[month] = tally_punctuality(due, today, expected, filed)
    return result
