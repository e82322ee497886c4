"""The facts every reporting screen judges by: the plain inputs of tracker.reports.rules
(which reports are owed, first submissions, report states), loaded set-based in a constant
number of statements. The overview, the month page, the alert sweep, the dashboard and the
scorecard all load them here (docs/reporting.md)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import DateTime, Integer, column, func, select, table

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Task, TaskUnitChange
from tracker.reports import rules
from tracker.reports.models import ProgressReport
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
    statements whatever the number of tasks (five, six after a reassignment that dropped an
    assignment): units' successors, tasks, assignments, reassignments and the reports of
    some periods. Units are mapped to their current successors (open work follows
    reorganisations; a predecessor's report counts for its successor)."""

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

    def current(self, unit_id: int) -> int:
        return final_successor(unit_id, self.successor_of)

    def owed(self, due_date: date, month: str) -> set[tuple[int, int]]:
        """The (task, unit) pairs owing the report of `month` ("YYYY-MM"), due `due_date`."""
        return rules.owed_reports(self.assignments, self.tasks, due_date, month, self.changes)


def owed_inputs(current) -> tuple[list[tuple[int, int, date | None]], dict]:
    """The owed rule's inputs besides the tasks, for every screen that judges reports owed
    (overview, month page, sweep, dashboard, scorecard): the assignments as (task, current
    unit, assigned on) — with those a reassignment dropped (rules.dropped_assignments) — and
    {(task, current unit): ((change, "YYYY-MM"), …)} the reassignments (改派). `current`
    maps a unit to its current successor. Two statements, three after such a drop."""
    assignments = [
        (a.task_id, current(a.unit_id), rules.local_date(a.assigned_at, LOCAL_TZ))
        for a in db.session.execute(
            select(_assignment.c.task_id, _assignment.c.unit_id, _assignment.c.assigned_at)
        ).all()
    ]
    changes: dict[tuple[int, int], list] = defaultdict(list)
    removals: dict[tuple[int, int], list] = defaultdict(list)
    for c in db.session.execute(
        select(
            TaskUnitChange.task_id,
            TaskUnitChange.unit_id,
            TaskUnitChange.change,
            TaskUnitChange.period,
            TaskUnitChange.changed_at,
        ).order_by(TaskUnitChange.changed_at, TaskUnitChange.id)
    ).all():
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


def reporting_facts(period_ids) -> ReportingFacts:
    """The inputs of the reporting rules for the given periods (see ReportingFacts)."""
    successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())

    def current(unit_id):
        return final_successor(unit_id, successor_of)

    tasks = {
        t.id: (t.status, rules.local_date(t.closed_at, LOCAL_TZ))
        for t in db.session.execute(select(Task.id, Task.status, Task.closed_at)).all()
    }
    assignments, changes = owed_inputs(current)
    first: dict[int, dict] = defaultdict(dict)
    latest: dict[int, dict] = defaultdict(dict)
    revision: dict[tuple, int] = {}
    period_ids = list(period_ids)
    if period_ids:
        submitted = db.func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
        for r in db.session.execute(
            select(
                ProgressReport.period_id,
                ProgressReport.task_id,
                ProgressReport.unit_id,
                ProgressReport.revision,
                ProgressReport.state,
                submitted.label("first_submitted_at"),
            ).where(ProgressReport.period_id.in_(period_ids))
        ).all():
            pair = (r.task_id, current(r.unit_id))
            day = rules.local_date(r.first_submitted_at, LOCAL_TZ)
            first[r.period_id][pair] = rules.first_submission((first[r.period_id].get(pair), day))
            key = (r.period_id, *pair)
            if latest[r.period_id].get(pair) == "accepted" and r.state != "accepted":
                continue
            if r.state == "accepted" or key not in revision or r.revision > revision[key]:
                revision[key] = r.revision
                latest[r.period_id][pair] = r.state
    return ReportingFacts(
        successor_of,
        tasks,
        assignments,
        {p: {k: v for k, v in d.items() if v is not None} for p, d in first.items()},
        dict(latest),
        changes,
    )
