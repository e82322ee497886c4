"""The facts every reporting screen judges by: the plain inputs of tracker.reports.rules
(which reports are owed, first submissions, report states), loaded set-based in a constant
number of statements. The overview, the month page, the alert sweep, the dashboard and the
scorecard all load them here (docs/reporting.md)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import DateTime, Integer, column, func, select, table

from tracker.accounts.permissions import request_successor_map
from tracker.audit import AuditEvent
from tracker.common.sqldates import beijing_date
from tracker.database import among
from tracker.extensions import db
from tracker.kept import keeping, kept
from tracker.plans.models import Task, TaskUnitChange
from tracker.reports import rules
from tracker.reports.load.models import TaskLink
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.permissions import request_memo
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit
from tracker.units.rules import final_successor

# The assignments (交办) a report is owed on. The model lives in supervision (a layer above);
# the reporting rules only read three columns, so they name the table here rather than
# import upward. (Moving TaskAssignment down to plans would remove this.)
_assignment = table(
    "task_assignment",
    column("task_id", Integer),
    column("unit_id", Integer),
    column("assigned_at", DateTime),
)


@dataclass
class ReportingFacts:
    """Plain values for tracker.reports.rules, loaded set-based in a constant number of
    statements whatever the number of tasks (six, one more after a reassignment that
    dropped an assignment and one more when tasks are linked): units' successors, tasks,
    assignments, reassignments, the reports of some periods and the link groups (一报多用:
    a unit's report on one linked task answers for its other tasks, see apply_links).
    Units are mapped to their current successors (open work follows reorganisations; a
    predecessor's report counts for its successor)."""

    successor_of: dict[int, int | None]
    tasks: dict[int, tuple[str, date | None]]  # task id -> (status, closed on)
    assignments: list[tuple[int, int, date | None]]  # (task, current unit, assigned on)
    # period id -> {(task, current unit): first submission date}
    first_submitted: dict[int, dict[tuple[int, int], date]]
    # period id -> {(task, current unit): the state of the unit's report (latest revision;
    # "accepted" if any revision was, as a correction in progress does not undo it)}
    latest_state: dict[int, dict[tuple[int, int], str]]
    # (task, current unit) -> its reassignments ((change, "YYYY-MM"), …), oldest first
    changes: dict[tuple[int, int], tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # linked tasks (一报多用): task -> link group, and period id -> {(task, current unit): the
    # task whose report answers for the pair} (rules.answered_by_link; its day is then in
    # first_submitted, so every screen reading first_submitted follows)
    link_group: dict[int, int] = field(default_factory=dict)
    linked: dict[int, dict[tuple[int, int], int]] = field(default_factory=dict)

    # owed()'s answers, by (due date, month): the facts never change once loaded, and a
    # worker keeps a unit's facts between requests (request_unit_facts), whose late-filing
    # list asks for every earlier month on each card of the deadline surge
    owed_by_month: dict[tuple[date, str], frozenset] = field(
        default_factory=dict, repr=False, compare=False
    )

    def current(self, unit_id: int) -> int:
        return final_successor(unit_id, self.successor_of)

    def owed(self, due_date: date, month: str) -> frozenset[tuple[int, int]]:
        """The (task, unit) pairs owing the report of `month` ("YYYY-MM"), due `due_date`."""
        key = (due_date, month)
        found = self.owed_by_month.get(key)
        if found is None:
            found = self.owed_by_month[key] = frozenset(
                rules.owed_reports(self.assignments, self.tasks, due_date, month, self.changes)
            )
        return found


def owed_inputs(
    current, unit_ids=None, task_ids=None, every_change=False
) -> tuple[list[tuple[int, int, date | None]], dict]:
    """The owed rule's inputs besides the tasks, for every screen that judges reports owed
        (overview, month page, sweep, dashboard, scorecard): the assignments as (task, current
        unit, assigned on) — with those a reassignment dropped (rules.dropped_assignments) — and
        {(task, current unit): ((change, "YYYY-MM"), …)} the reassignments (改派). `current`
        maps a unit to its current successor; `unit_ids`, when given, keeps only the rows of
        those (stored) units and `task_ids` only those tasks — the rule is per (task, unit), so
    the answer for them is the same. With `every_change`, `task_ids` narrows only the
    assignments (the scorecard: its tasks include every task with a reassignment, so the
    filter would only cost the subquery once more).
        Two statements, three after such a drop."""
    # the Beijing date of each assignment from the database (~16,000 rows at province scale:
    # converted one by one in Python they cost the scorecard ~30 ms)
    assignment_rows = select(
        _assignment.c.task_id, _assignment.c.unit_id, beijing_date(_assignment.c.assigned_at)
    )
    change_rows = select(
        TaskUnitChange.task_id,
        TaskUnitChange.unit_id,
        TaskUnitChange.change,
        TaskUnitChange.period,
        TaskUnitChange.changed_at,
    ).order_by(TaskUnitChange.changed_at, TaskUnitChange.id)
    if unit_ids is not None:
        assignment_rows = assignment_rows.where(_assignment.c.unit_id.in_(unit_ids))
        change_rows = change_rows.where(TaskUnitChange.unit_id.in_(unit_ids))
    if task_ids is not None:
        assignment_rows = assignment_rows.where(_assignment.c.task_id.in_(task_ids))
        if not every_change:
            change_rows = change_rows.where(TaskUnitChange.task_id.in_(task_ids))
    assignments = [
        (task_id, current(unit_id), assigned_on)
        for task_id, unit_id, assigned_on in db.session.execute(assignment_rows).all()
    ]
    changes: dict[tuple[int, int], list] = defaultdict(list)
    removals: dict[tuple[int, int], list] = defaultdict(list)
    for c in db.session.execute(change_rows).all():
        key = (c.task_id, current(c.unit_id))
        changes[key].append((c.change, c.period))
        removals[key].append((c.change, c.changed_at))
    assigned = {(task_id, unit_id) for task_id, unit_id, _on in assignments}
    dropped_from = {
        key[0]
        for key, steps in removals.items()
        if key not in assigned and steps[-1][0] == rules.REMOVED
    }
    if dropped_from:
        first = dict(
            db.session.execute(
                select(AuditEvent.subject_id, func.min(AuditEvent.occurred_at))
                .where(
                    AuditEvent.action == "task.assigned",
                    AuditEvent.subject_type == "task",
                    AuditEvent.subject_id.in_(dropped_from),
                )
                .group_by(AuditEvent.subject_id)
            ).all()
        )
        assignments += rules.dropped_assignments(assigned, removals, first)
    return assignments, {key: tuple(steps) for key, steps in changes.items()}


def link_groups(task_ids=None) -> dict[int, int]:
    """{task: its link group} for every linked task; with `task_ids`, the links of the
    groups those tasks are in (all the group's tasks). Every link is read in one statement,
    and kept by the process while no link changes (tracker.kept: the month page and the
    card after each submission ask, twice each)."""
    every = kept(
        "task_links",
        None,
        lambda: dict(db.session.execute(select(TaskLink.task_id, TaskLink.group_id)).all()),
        size=2,
    )
    if task_ids is None:
        return dict(every)
    groups = {every[t] for t in task_ids if t in every}
    return {task: group for task, group in every.items() if group in groups}


def apply_links(first: dict, latest: dict, link_group: dict[int, int], pairs, due_dates) -> dict:
    """Let one report serve its link group: for each period and each (task, unit) of
    `pairs` without a submission of its own, rules.answered_by_link decides whether the
    unit's report on another task of the group answers for it; if so the pair gets that
    report's first submission day, never after the period's due date
    (rules.linked_filing_day), in `first` (changed in place). Returns {period id: {pair:
    serving task}}. `first`/`latest` are ReportingFacts' per-period dicts, `due_dates`
    {period id: due date}."""
    linked: dict[int, dict] = {}
    if not link_group:
        return linked
    candidates = [pair for pair in pairs if pair[0] in link_group]
    for period_id in sorted(set(first) | set(latest)):
        days, states = first.get(period_id, {}), latest.get(period_id, {})
        filed = {pair: (days.get(pair), state) for pair, state in states.items()}
        filings = rules.link_filings(link_group, filed)
        for pair in candidates:
            if days.get(pair) is not None:
                continue
            hit = rules.answered_by_link(*pair, link_group, filings)
            if hit is not None:
                day = rules.linked_filing_day(hit[0], due_dates[period_id])
                first.setdefault(period_id, {})[pair] = day
                linked.setdefault(period_id, {})[pair] = hit[1]
    return linked


def _report_columns():
    submitted = func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    return (
        ProgressReport.period_id,
        ProgressReport.task_id,
        ProgressReport.unit_id,
        ProgressReport.revision,
        ProgressReport.state,
        submitted.label("first_submitted_at"),
    )


def _fold_report(r, current, first: dict, latest: dict, revision: dict) -> None:
    """Fold one report row into `first` (each pair's first submission day over its
    revisions) and `latest` (its latest state; an accepted revision wins)."""
    pair = (r.task_id, current(r.unit_id))
    day = rules.local_date(r.first_submitted_at, LOCAL_TZ)
    first[r.period_id][pair] = rules.first_submission((first[r.period_id].get(pair), day))
    key = (r.period_id, *pair)
    if latest[r.period_id].get(pair) == "accepted" and r.state != "accepted":
        return
    if r.state == "accepted" or key not in revision or r.revision > revision[key]:
        revision[key] = r.revision
        latest[r.period_id][pair] = r.state


def served_by_links(period_ids, pairs, current) -> dict[int, dict[tuple[int, int], date]]:
    """{period: {(task, unit): the day it counts as filed}} for the owed `pairs` that a report
    on another task of their link group answers for (一报多用, rules.answered_by_link) — for
    a reader that builds its own first submissions (the alert sweep). Nothing is loaded when
    no task is linked (one statement); otherwise the linked tasks' reports and the periods'
    due dates (three)."""
    link_group = link_groups()
    pairs = [pair for pair in pairs if pair[0] in link_group]
    if not pairs or not period_ids:
        return {}
    first: dict[int, dict] = defaultdict(dict)
    latest: dict[int, dict] = defaultdict(dict)
    revision: dict[tuple, int] = {}
    rows = select(*_report_columns()).where(
        ProgressReport.period_id.in_(list(period_ids)),
        ProgressReport.task_id.in_(list(link_group)),
    )
    for r in db.session.execute(rows).all():
        _fold_report(r, current, first, latest, revision)
    first = {p: {k: v for k, v in d.items() if v is not None} for p, d in first.items()}
    due_dates = dict(
        db.session.execute(
            select(ReportingPeriod.id, ReportingPeriod.due_date).where(
                ReportingPeriod.id.in_(list(period_ids))
            )
        ).all()
    )
    linked = apply_links(first, dict(latest), link_group, pairs, due_dates)
    return {
        period: {pair: first[period][pair] for pair in served} for period, served in linked.items()
    }


def reporting_facts(period_ids, unit_ids=None) -> ReportingFacts:
    """The inputs of the reporting rules for the given periods (see ReportingFacts).
    `unit_ids` (current units), when given, keeps only what those units and the units they
    succeeded answer for — a page of the overview costs its units' rows, not the
    province's; the answers for those units are the same (`successor_of` then holds only
    the reorganised units, which is enough for `current()`)."""
    if unit_ids is None:
        successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    else:  # the reorganised units only (kept): enough for current(), as in unit_facts
        successor_of = request_successor_map()

    def current(unit_id):
        return final_successor(unit_id, successor_of)

    closure = None
    if unit_ids is not None:
        wanted = set(unit_ids)
        closure = sorted(
            {u for u in wanted if current(u) in wanted}
            | {u for u in successor_of if current(u) in wanted}
        )
    assignments, changes = owed_inputs(current, closure)
    first: dict[int, dict] = defaultdict(dict)
    latest: dict[int, dict] = defaultdict(dict)
    revision: dict[tuple, int] = {}
    period_ids = list(period_ids)
    report_tasks: set[int] = set()
    if period_ids:
        reports = select(*_report_columns()).where(ProgressReport.period_id.in_(period_ids))
        if closure is not None:
            reports = reports.where(ProgressReport.unit_id.in_(closure))
        for r in db.session.execute(reports).all():
            report_tasks.add(r.task_id)
            _fold_report(r, current, first, latest, revision)
    task_rows = select(Task.id, Task.status, Task.closed_at)
    if closure is not None:
        ids = {a[0] for a in assignments} | {k[0] for k in changes} | report_tasks
        task_rows = task_rows.where(among(Task.id, ids or [0], db.session))
    tasks = {
        t.id: (t.status, rules.local_date(t.closed_at, LOCAL_TZ))
        for t in db.session.execute(task_rows).all()
    }
    first = {p: {k: v for k, v in d.items() if v is not None} for p, d in first.items()}
    link_group = link_groups()
    linked = {}
    if link_group and latest:
        due_dates = dict(
            db.session.execute(
                select(ReportingPeriod.id, ReportingPeriod.due_date).where(
                    ReportingPeriod.id.in_(list(latest))
                )
            ).all()
        )
        pairs = {(a[0], a[1]) for a in assignments} | set(changes)
        linked = apply_links(first, latest, link_group, pairs, due_dates)
    return ReportingFacts(
        successor_of, tasks, assignments, first, dict(latest), changes, link_group, linked
    )


def unit_facts(unit_id: int, task_ids=None) -> ReportingFacts:
    """The owed rule's inputs for ONE unit's answers (the liaison's month page, its save and
    submit): only the assignments and reassignments of the unit and the units it succeeded,
    and only their tasks (or `task_ids`, e.g. the one task being saved) — so the cost follows
    the unit's work, not the province's. `owed()` and `changes` are exact for pairs (task,
    the unit's current successor); no period's reports are loaded. Its `successor_of` holds
    only the reorganised units (units.services.moved_units: enough for `current()`). Four
    statements (three when the request already read the units' successors)."""
    successor_of = request_successor_map()

    def current(unit):
        return final_successor(unit, successor_of)

    me = current(unit_id)
    # the unit and those it succeeded (only reorganised units are in successor_of)
    mine = [me, *(u for u in successor_of if u != me and current(u) == me)]
    assignments, changes = owed_inputs(current, mine, None if task_ids is None else list(task_ids))
    ids = {a[0] for a in assignments} | {k[0] for k in changes}
    tasks = {
        t.id: (t.status, rules.local_date(t.closed_at, LOCAL_TZ))
        for t in db.session.execute(
            select(Task.id, Task.status, Task.closed_at).where(Task.id.in_(ids or [0]))
        ).all()
    }
    return ReportingFacts(successor_of, tasks, assignments, {}, {}, changes)


KEPT_UNITS = 512  # units whose work a process keeps (tracker.kept)


def request_unit_facts(unit_id: int, task_ids=None) -> ReportingFacts:
    """unit_facts once a request: a save checks the task twice (may it file an earlier
    month, may it file this task), the month page reads both of its lists from it. Kept by
    the process while no task, assignment, reassignment, link or unit changes
    (tracker.kept): then the unit's whole facts, whatever `task_ids` (the rule is per task
    and unit, so the answers for those tasks are the same); shared, never changed."""
    key = ("unit_facts", unit_id, None if task_ids is None else tuple(sorted(task_ids)))

    def load():
        if keeping():
            return kept("unit_facts", unit_id, lambda: unit_facts(unit_id), size=KEPT_UNITS)
        return unit_facts(unit_id, task_ids)

    return request_memo(key, load)


def units_with_work(period_id: int) -> set[int]:
    """The (stored) units that have an assignment, a reassignment or a report of the period:
    the only ones an overview row can be about. Three DISTINCT statements over indexes; the
    first two kept by the process while no assignment or reassignment changes
    (tracker.kept), the reports of the period read each time."""

    def assigned():
        found = set(db.session.scalars(select(_assignment.c.unit_id).distinct()))
        return frozenset(found | set(db.session.scalars(select(TaskUnitChange.unit_id).distinct())))

    found = set(kept("units_assigned", None, assigned, size=2))
    found |= set(
        db.session.scalars(
            select(ProgressReport.unit_id).where(ProgressReport.period_id == period_id).distinct()
        )
    )
    return found
