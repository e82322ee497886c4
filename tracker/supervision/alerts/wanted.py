"""The alerts that should be open on a day ("wanted"), by key: a constant number of SELECTs.

Each kind of alert comes from one source function `(ctx) -> iterable of rows`, listed in
`SOURCES`; a new kind of alert is one more source function added there (milestones are).
While a task's assignment is contested, its alerts of rules.PAUSED_KINDS are left out
(and `in_scope` keeps its open ones out of reach, so they stay open as they are).
A row is a dict with `key`, `kind` and the alert's columns (`task_id`, `unit_id`,
`period_id`, `subject_type`, `subject_id`, `due_date`).

Reports (issue 13, incremental): the owed reports of this month's and last month's periods
are judged in full here. An older period was judged in full while it was one of those two;
after that its alerts can only go away, so record.settle_old_periods resolves them in SQL
(report first submitted, task no longer open) and a sweep never reloads 36 months.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_, select

from tracker.extensions import db
from tracker.plans.light_sql import bounds_on
from tracker.plans.lights import workdays_left
from tracker.plans.milestones import rules as milestone_rules
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import OPEN_STATUSES, Task, TaskUnitChange
from tracker.reports import rules as report_rules
from tracker.reports.facts import ReportingFacts, owed_inputs, served_by_links
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.periods import period_month, previous_month
from tracker.supervision.alerts import rules
from tracker.supervision.alerts.record import not_paused
from tracker.supervision.models import Alert, Instruction, SupervisionNotice, TaskAssignment
from tracker.supervision.workflow.contest.queries import contested_task_ids
from tracker.timeutil import local_date
from tracker.units.rules import final_successor
from tracker.units.services import successor_map


@dataclass
class Context:
    """What every source reads: the day, the calendar, the settings, and the open tasks
    (id -> (status, due date, lead unit as it is now)), loaded once per day swept."""

    today: date
    calendar: object
    settings: dict
    successor_of: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    recent: list = field(default_factory=list)  # this month's and last month's periods
    closed_at: dict = field(default_factory=dict)  # open task id -> closed at (reopened)
    contested: set = field(default_factory=set)  # tasks with an open contest: clock stopped
    bounds: object = None  # the lights' due-date boundaries today (plans.light_sql.bounds_on)

    _current: dict = field(default_factory=dict)

    @property
    def warn(self) -> int:
        return self.settings["yellow_working_days"]

    def current(self, unit_id: int) -> int:
        """The unit's final successor (units.rules.final_successor), followed once per unit
        rather than once per row."""
        found = self._current.get(unit_id)
        if found is None:
            found = self._current[unit_id] = final_successor(unit_id, self.successor_of)
        return found


def _row(kind: str, key_parts: dict, **values) -> dict:
    return {"key": rules.alert_key(kind, **key_parts), "kind": kind, **values}


def load_context(today: date, calendar, settings: dict) -> Context:
    """The open tasks with their current lead unit (after reorganisations: the lead of
    `workflow.rules.assignment_units`, its final successor), and the recent periods."""
    ctx = Context(today, calendar, settings, successor_map(), recent=recent_periods(today))
    ctx.bounds = bounds_on(today, calendar, settings["yellow_working_days"])
    for task in db.session.execute(
        select(Task.id, Task.status, Task.due_date, Task.lead_unit_id, Task.closed_at).where(
            Task.status.in_(OPEN_STATUSES)
        )
    ):
        ctx.tasks[task.id] = (task.status, task.due_date, ctx.current(task.lead_unit_id))
        if task.closed_at is not None:
            ctx.closed_at[task.id] = task.closed_at
    ctx.contested = contested_task_ids()
    return ctx


def task_alerts(ctx: Context):
    """Open tasks due soon or overdue (their light), to the lead unit as it is now.

    Only the tasks whose light is not green are judged: those due on or before the lights'
    yellow boundary (`ctx.bounds.last_yellow`, plans.light_sql.bounds_on — the boundary the
    SQL light uses, found with the light rule itself); a task due later is green and gets
    no alert. The rule (rules.task_alert_kind) then decides each of them, as before
    (tests/supervision/test_sweep_sql.py checks the answer equals judging every task)."""
    last_yellow = ctx.bounds.last_yellow
    for task_id, (status, due_date, lead) in ctx.tasks.items():
        if due_date is None or due_date > last_yellow:
            continue
        due = ctx.calendar.next_workday(due_date)
        left = workdays_left(ctx.calendar, ctx.today, due, ctx.warn)
        kind = rules.task_alert_kind(status, due, ctx.today, left, ctx.warn)
        if kind:
            yield _row(
                kind,
                {"task": task_id, "due": due.isoformat()},
                task_id=task_id,
                unit_id=lead,
                subject_type="task",
                subject_id=task_id,
                due_date=due,
            )


def recent_periods(today: date) -> list:
    """This month's and last month's reporting periods (id, year, month, due date)."""
    year, month = period_month(today)
    prev = previous_month(year, month)
    return db.session.execute(
        select(
            ReportingPeriod.id,
            ReportingPeriod.year,
            ReportingPeriod.month,
            ReportingPeriod.due_date,
        ).where(
            or_(
                and_(ReportingPeriod.year == year, ReportingPeriod.month == month),
                and_(ReportingPeriod.year == prev[0], ReportingPeriod.month == prev[1]),
            )
        )
    ).all()


def in_scope(recent_ids):
    """The alerts the wanted sources judge in full: every alert but the report alerts of
    older periods (those are settled by `settle_old_periods`) and the paused kinds of
    contested tasks (their clock stopped: an open one stays open, none is added)."""
    return and_(
        or_(Alert.period_id.is_(None), Alert.period_id.in_(list(recent_ids) or [-1])),
        not_paused(),
    )


MAX_LISTED = 5000  # candidate tasks given to SQL as a list up to this many, else a subquery


def candidate_tasks(period_ids: list[int]):
    """SELECT of the open tasks that may owe a report never submitted in one of the periods:
    those with an assignment whose unit filed no report in one of them, and those with a
    reassignment (改派: an assignment it dropped is owed without a row). Every other open
    task has, for each of its assignments, a report of that very unit in each period, so
    each of its owed (task, unit) pairs was submitted and none can alert — leaving it out
    changes no answer, as the owed rule is per (task, unit) (reports.facts.owed_inputs).
    This keeps the rule's Python work to the few thousand tasks still owing, not the tens
    of thousands of assignments (issue 13)."""
    submitted = func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    unfiled = [
        ~exists().where(
            ProgressReport.task_id == TaskAssignment.task_id,
            ProgressReport.unit_id == TaskAssignment.unit_id,
            ProgressReport.period_id == period_id,
            submitted.is_not(None),
        )
        for period_id in period_ids
    ]
    open_ids = select(Task.id).where(Task.status.in_(OPEN_STATUSES))
    owing = select(TaskAssignment.task_id).where(
        TaskAssignment.task_id.in_(open_ids), or_(*unfiled)
    )
    reassigned = select(TaskUnitChange.task_id).where(TaskUnitChange.task_id.in_(open_ids))
    return owing.union(reassigned)


def _recent_facts(period_ids: list[int], ctx: Context, task_ids=None) -> ReportingFacts:
    """The reporting facts the report alerts need, for the open tasks only (the owed rule is
    per (task, unit): for them the answer is the one all tasks give), and of those only
    `task_ids` when given (a list or a SELECT, `candidate_tasks`): the assignments and
    reassignments, and each pair's first submission in the periods — the earliest of its
    revisions, taken in SQL (reports.rules.first_submission over the revisions of one
    unit; over a unit and its predecessors here). Lighter than
    reports.facts.reporting_facts, which also loads every task and the latest states."""

    current = ctx.current
    if task_ids is None:
        task_ids = select(Task.id).where(Task.status.in_(OPEN_STATUSES))
    assignments, changes = owed_inputs(current, task_ids=task_ids)
    tasks = {}  # {task: (status, closed on)} of the tasks assigned (the Beijing date, once)
    for task_id in {a[0] for a in assignments} | {pair[0] for pair in changes}:
        if task_id in ctx.tasks:
            tasks[task_id] = (ctx.tasks[task_id][0], local_date(ctx.closed_at.get(task_id)))
    submitted = func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    first: dict[int, dict] = defaultdict(dict)
    for period_id, task_id, unit_id, earliest in db.session.execute(
        select(
            ProgressReport.period_id,
            ProgressReport.task_id,
            ProgressReport.unit_id,
            func.min(submitted),
        )
        .where(
            ProgressReport.period_id.in_(period_ids),
            ProgressReport.task_id.in_(task_ids),
            submitted.is_not(None),
        )
        .group_by(ProgressReport.period_id, ProgressReport.task_id, ProgressReport.unit_id)
    ):
        pair = (task_id, current(unit_id))
        first[period_id][pair] = report_rules.first_submission(
            (first[period_id].get(pair), local_date(earliest))
        )
    # 一报多用: a report on another task of a link group answers for the pair
    owed_pairs = {(a[0], a[1]) for a in assignments} | set(changes)
    for period_id, served in served_by_links(period_ids, owed_pairs, current).items():
        for pair, day in served.items():
            first[period_id].setdefault(pair, day)
    return ReportingFacts(ctx.successor_of, tasks, assignments, dict(first), {}, changes)


def report_alerts(ctx: Context, prefilter: bool = True):
    """Owed reports never submitted, due soon or missing, on tasks still open, for this
    month's and last month's periods.

    A period whose report, never submitted, would not alert today (not yet due within the
    warning window: rules.report_alert_kind of no submission) is not judged at all — no
    pair of it can alert. The others are judged by the owed rule over the open tasks that
    may still owe a report (`candidate_tasks`, in SQL; `prefilter=False` judges every open
    task — the reference the tests compare with)."""
    live = []
    for period in ctx.recent:
        left = workdays_left(ctx.calendar, ctx.today, period.due_date, ctx.warn)
        if rules.report_alert_kind(None, period.due_date, ctx.today, left, ctx.warn):
            live.append((period, left))
    if not live:
        return
    period_ids = [period.id for period, _left in live]
    task_ids = None
    if prefilter:  # read once, then given as a list to the three statements that use it
        task_ids = db.session.scalars(candidate_tasks(period_ids)).all()
        if len(task_ids) > MAX_LISTED:  # too long for one statement's parameters
            task_ids = candidate_tasks(period_ids)
    facts = _recent_facts(period_ids, ctx, task_ids)
    for period, left in live:
        label = f"{period.year:04d}-{period.month:02d}"
        first = facts.first_submitted.get(period.id, {})
        for task_id, unit_id in sorted(facts.owed(period.due_date, label)):
            if task_id not in ctx.tasks:
                continue
            first_on = first.get((task_id, unit_id))
            kind = rules.report_alert_kind(first_on, period.due_date, ctx.today, left, ctx.warn)
            if kind:
                yield _row(
                    kind,
                    {"task": task_id, "unit": unit_id, "period": label},
                    task_id=task_id,
                    unit_id=unit_id,
                    period_id=period.id,
                    subject_type="report",
                    subject_id=None,
                    due_date=period.due_date,
                )


def ack_alerts(ctx: Context):
    """Assignments not acknowledged by their due date, on open tasks."""
    for a in db.session.execute(
        select(
            TaskAssignment.id,
            TaskAssignment.task_id,
            TaskAssignment.unit_id,
            TaskAssignment.ack_due,
        ).where(
            TaskAssignment.acknowledged_at.is_(None),
            TaskAssignment.ack_due < ctx.today,
            TaskAssignment.task_id.in_(select(Task.id).where(Task.status.in_(OPEN_STATUSES))),
        )
    ):
        if rules.answer_overdue(a.ack_due, False, ctx.today):
            yield _row(
                rules.ACK_OVERDUE,
                {"task": a.task_id, "unit": a.unit_id, "due": a.ack_due.isoformat()},
                task_id=a.task_id,
                unit_id=a.unit_id,
                subject_type="assignment",
                subject_id=a.id,
                due_date=a.ack_due,
            )


def notice_alerts(ctx: Context):
    """Issued supervision notices not answered by their due date."""
    for n in db.session.execute(
        select(
            SupervisionNotice.id,
            SupervisionNotice.task_id,
            SupervisionNotice.unit_id,
            SupervisionNotice.answer_due,
        ).where(
            SupervisionNotice.state == "issued",
            SupervisionNotice.answered_at.is_(None),
            SupervisionNotice.answer_due < ctx.today,
        )
    ):
        yield _row(
            rules.NOTICE_ANSWER_OVERDUE,
            {"notice": n.id, "due": n.answer_due.isoformat()},
            task_id=n.task_id,
            unit_id=n.unit_id,
            subject_type="supervision_notice",
            subject_id=n.id,
            due_date=n.answer_due,
        )


def instruction_alerts(ctx: Context):
    """Leaders' instructions not answered by their due date: to the unit named to answer,
    else the task's lead unit (as it is now, for an open task)."""
    for i in db.session.execute(
        select(
            Instruction.id,
            Instruction.task_id,
            Instruction.answer_due,
            Instruction.answer_unit_id,
            Task.lead_unit_id,
        )
        .join(Task, Task.id == Instruction.task_id)
        .where(Instruction.answered_at.is_(None), Instruction.answer_due < ctx.today)
    ):
        lead_now = ctx.tasks.get(i.task_id, (None, None, None))[2]
        yield _row(
            rules.INSTRUCTION_ANSWER_OVERDUE,
            {"instruction": i.id, "due": i.answer_due.isoformat()},
            task_id=i.task_id,
            unit_id=i.answer_unit_id or lead_now or i.lead_unit_id,
            subject_type="instruction",
            subject_id=i.id,
            due_date=i.answer_due,
        )


def milestone_alerts(ctx: Context):
    """Milestones not done of open tasks, due soon or missed (their light:
    plans.milestones.rules.milestone_state, the sweep's calendar), keyed by milestone and
    due date, to the unit that answers for it (its co-unit, else the task's lead unit) as
    it is now. One statement: the milestones not done up to a horizon past the warning
    window. Marking one done (or closing / archiving the task) ends the want, so the next
    sweep resolves its alert."""
    horizon = ctx.today + timedelta(days=3 * ctx.warn + 30)  # beyond N working days
    for m in db.session.execute(
        select(Milestone.id, Milestone.task_id, Milestone.unit_id, Milestone.due_date).where(
            Milestone.done_on.is_(None),
            Milestone.due_date <= horizon,
            Milestone.task_id.in_(select(Task.id).where(Task.status.in_(OPEN_STATUSES))),
        )
    ):
        task = ctx.tasks.get(m.task_id)
        if task is None:
            continue
        status, _due, lead = task
        due = ctx.calendar.next_workday(m.due_date)
        left = workdays_left(ctx.calendar, ctx.today, due, ctx.warn)
        state = milestone_rules.milestone_state(status, due, None, ctx.today, left, ctx.warn)
        kind = rules.milestone_alert_kind(status, state)
        if kind:
            yield _row(
                kind,
                {"milestone": m.id, "due": due.isoformat()},
                task_id=m.task_id,
                unit_id=ctx.current(m.unit_id) if m.unit_id else lead,
                subject_type="milestone",
                subject_id=m.id,
                due_date=due,
            )


# Every source of wanted alerts, in order; add a new kind of alert here.
SOURCES = [
    task_alerts,
    report_alerts,
    ack_alerts,
    notice_alerts,
    instruction_alerts,
    milestone_alerts,
]


def wanted_alerts(today: date, calendar, settings: dict) -> tuple[dict[str, dict], Context]:
    """Every alert in scope (`in_scope`) that should be open on `today`, by key (a constant
    number of SELECTs), and the context it was judged in."""
    ctx = load_context(today, calendar, settings)
    out: dict[str, dict] = {}
    for source in SOURCES:
        for row in source(ctx):
            if not rules.paused(row["kind"], row["task_id"] in ctx.contested):
                out[row["key"]] = row
    return out, ctx
