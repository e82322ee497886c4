"""The facts a month's scorecard is computed from, loaded in a constant number of statements:
assignments, reports, returns, answers and adjustments as plain values for scoring.rules."""

from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from tracker.audit import AuditEvent
from tracker.calendar.rules import report_due_date
from tracker.calendar.services import load_calendar
from tracker.common.sqldates import beijing_date
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Task, TaskCoUnit, TaskUnitChange
from tracker.reports.facts import owed_inputs, served_by_links
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.rules import first_submission, is_late
from tracker.scoring import rules
from tracker.scoring.models import ScoreAdjustment
from tracker.settings import get_setting
from tracker.supervision.models import Instruction, SupervisionNotice, TaskAssignment
from tracker.supervision.workflow.contest.models import TaskContest
from tracker.timeutil import local_date
from tracker.units.models import Unit
from tracker.units.rules import final_successor


def utc_start(day: date) -> datetime:
    """The UTC moment at which the Beijing day `day` begins (stored times are UTC)."""
    return datetime(day.year, day.month, day.day) - timedelta(hours=8)


def month_facts(
    month: str, today: date, narrow: bool = False
) -> tuple[rules.MonthFacts, set[int], dict[int, str]]:
    """The month's facts, the units to score and each unit's code (for listing ties).

    Set-based (issue 13): the database returns dates (beijing_date) and the month's report
    rows, folded here into each (task, unit)'s first submission and latest revision. With
    `narrow` (the scorecard: services.compute_month) the facts no rule can score are left
    out before they become Python values: only the assignments of tasks with an assignment
    the month has no submission for (the others cannot give 报告未报送; every task with a
    reassignment too), and only the reports that are late, never submitted, rated good or
    on those tasks. The rules then score the same events as from every fact —
    tests/scoring/test_scoring_sql.py compares both card by card — but the narrowed facts
    are not the month's owed pairs: other readers (tests/test_consistency.py) take every
    fact, the default."""
    period = rules.parse_period(month)
    year, mon = period.start.year, period.start.month
    calendar = load_calendar()
    units = db.session.execute(select(Unit.id, Unit.successor_id, Unit.code)).all()
    successor_of = {u.id: u.successor_id for u in units}
    codes = {u.id: u.code for u in units}

    # each unit's current successor, followed once per unit rather than once per row
    current_of = {u: final_successor(u, successor_of) for u in successor_of}

    def current(unit_id):
        found = current_of.get(unit_id)
        return found if found is not None else final_successor(unit_id, successor_of)

    due = db.session.scalar(
        select(ReportingPeriod.due_date).where(
            ReportingPeriod.year == year, ReportingPeriod.month == mon
        )
    ) or report_due_date(calendar, year, mon, int(get_setting("report_due_day")))

    co_units: dict[int, list[int]] = {}
    for task_id, unit_id in db.session.execute(
        select(TaskCoUnit.task_id, TaskCoUnit.unit_id).order_by(
            TaskCoUnit.task_id, TaskCoUnit.position
        )
    ).all():
        co_units.setdefault(task_id, []).append(current(unit_id))
    tasks, lead_of = [], {}
    workday_of: dict[date, date] = {}  # next_workday once per distinct due date
    for task_id, status, due_date, closed_on, lead_unit_id in db.session.execute(
        select(Task.id, Task.status, Task.due_date, beijing_date(Task.closed_at), Task.lead_unit_id)
    ).all():
        lead_of[task_id] = lead = current(lead_unit_id)
        if due_date is not None and due_date not in workday_of:
            workday_of[due_date] = calendar.next_workday(due_date)
        tasks.append(
            rules.TaskFact(
                task_id,
                status,
                workday_of[due_date] if due_date is not None else None,
                closed_on,
                lead,
                tuple(co_units.get(task_id, ())),
            )
        )
    in_month = (
        select(ReportingPeriod.id)
        .where(ReportingPeriod.year == year, ReportingPeriod.month == mon)
        .scalar_subquery()
    )
    submitted = func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    # the owed rule's inputs, loaded where every screen loads them (reassignments included):
    # narrowed to the tasks where a report can be missing — an assignment without a
    # submission of the month by its own unit (a successor's submission is judged in Python),
    # or a reassignment
    open_tasks = None
    if narrow:
        assignment = TaskAssignment.__table__.c
        open_tasks = (
            select(assignment.task_id)
            .where(
                ~exists().where(
                    ProgressReport.task_id == assignment.task_id,
                    ProgressReport.unit_id == assignment.unit_id,
                    ProgressReport.period_id == in_month,
                    submitted.is_not(None),
                )
            )
            .union(select(TaskUnitChange.task_id))
        )
    owed_assignments, changes = owed_inputs(current, task_ids=open_tasks, every_change=True)
    assignments = [rules.Assignment(*a) for a in owed_assignments]
    kept_tasks = {a.task_id for a in assignments}

    # the month's reports as stored, one row per revision, oldest revision first: Python
    # folds a pair's rows into the first submission reports.rules.is_late judges (the
    # earliest, over the revisions, of a revision's first_submitted_at, or its submitted_at
    # if an old row has none — as a Beijing date: rules.first_submission) and the latest
    # revision (its id, state and quality). A report counts for its unit's current
    # successor, like the work: pairs that meet there are folded the same way.
    first_on = beijing_date(submitted)
    narrowed = []
    if narrow:
        # the reports a rule can score, chosen by the database: late, never submitted, rated
        # good, on a task whose assignments were kept — tested on each row, which is the
        # pair's own test when the pair has one revision; every row of a pair with several
        # revisions (the latest and the earliest submission are only known once folded) and
        # of a unit a reorganisation folds into another (its pair is only known in Python).
        # No GROUP BY of the month's pairs joined back to its rows: ~40 % less time on
        # SQLite (issue 13).
        folded = {u for u, c in current_of.items() if c is not None and c != u}
        folded |= {current_of[u] for u in folded}
        other = ProgressReport.__table__.alias("other_revision")
        narrowed = [
            or_(
                ProgressReport.task_id.in_(open_tasks),
                submitted.is_(None),
                first_on > due,
                and_(ProgressReport.state == "accepted", ProgressReport.quality == "good"),
                ProgressReport.revision > 1,
                exists().where(
                    other.c.task_id == ProgressReport.task_id,
                    other.c.unit_id == ProgressReport.unit_id,
                    other.c.period_id == in_month,  # the month's rows alone (PostgreSQL
                    # hashes them: correlated by period it read every later revision)
                    other.c.revision > 1,
                ),
                *([ProgressReport.unit_id.in_(sorted(folded))] if folded else []),
            )
        ]
    report_rows = db.session.execute(
        select(
            ProgressReport.id,
            ProgressReport.task_id,
            ProgressReport.unit_id,
            ProgressReport.revision,
            ProgressReport.state,
            ProgressReport.quality,
            first_on.label("first_on"),
        )
        .where(ProgressReport.period_id == in_month, *narrowed)
        .order_by(ProgressReport.revision)
    ).all()
    latest: dict[tuple[int, int], object] = {}
    first: dict[tuple[int, int], date | None] = {}
    for r in report_rows:
        key = (r.task_id, current(r.unit_id))
        latest[key] = r
        first[key] = first_submission((first.get(key), r.first_on)) if key in first else r.first_on
    # 一报多用: owed pairs a report on another task of their link group answers for
    month_ids = db.session.scalars(
        select(ReportingPeriod.id).where(ReportingPeriod.year == year, ReportingPeriod.month == mon)
    ).all()
    owed_pairs = {(a[0], a[1]) for a in owed_assignments} | set(changes)
    served = {}
    for by_pair in served_by_links(month_ids, owed_pairs, current).values():
        served.update(by_pair)
    reports = [
        rules.ReportFact(r.id, key[0], key[1], first.get(key), r.state, r.quality)
        for key, r in latest.items()
        if not narrow
        or key[0] in kept_tasks
        or first.get(key) is None
        or is_late(first[key], due)
        or (r.state == "accepted" and r.quality == "good")
    ]
    # returns: the audit records of the month's reports returned since the month began —
    # joined in SQL to the returned report's own row (any revision) by the report id the
    # record's detail names, rather than every record's JSON decoded in Python
    returned_id = AuditEvent.detail["report_id"].as_integer()
    returns = [
        rules.ReturnFact(
            r.event_id, r.report_id, r.task_id, current(r.unit_id), local_date(r.occurred_at)
        )
        for r in db.session.execute(
            select(
                AuditEvent.id.label("event_id"),
                AuditEvent.occurred_at,
                ProgressReport.id.label("report_id"),
                ProgressReport.task_id,
                ProgressReport.unit_id,
            )
            .join(ProgressReport, ProgressReport.id == returned_id)
            .where(
                AuditEvent.action == "report.returned",
                AuditEvent.occurred_at >= utc_start(period.start),
                ProgressReport.period_id == in_month,
            )
        ).all()
    ]

    answers = [
        rules.AnswerFact(
            "notice", n.id, n.task_id, current(n.unit_id), n.answer_due, local_date(n.answered_at)
        )
        for n in db.session.execute(
            select(
                SupervisionNotice.id,
                SupervisionNotice.task_id,
                SupervisionNotice.unit_id,
                SupervisionNotice.answer_due,
                SupervisionNotice.answered_at,
            ).where(SupervisionNotice.answer_due.between(period.start, period.end))
        ).all()
    ]
    answers += [
        rules.AnswerFact(
            "instruction",
            i.id,
            i.task_id,
            current(i.answer_unit_id) if i.answer_unit_id else lead_of[i.task_id],
            i.answer_due,
            local_date(i.answered_at),
        )
        for i in db.session.execute(
            select(
                Instruction.id,
                Instruction.task_id,
                Instruction.answer_unit_id,
                Instruction.answer_due,
                Instruction.answered_at,
            ).where(Instruction.answer_due.between(period.start, period.end))
        ).all()
    ]
    adjustments = [
        rules.AdjustmentFact(a.id, a.unit_id, a.amount, a.reason, local_date(a.created_at))
        for a in db.session.execute(
            select(
                ScoreAdjustment.id,
                ScoreAdjustment.unit_id,
                ScoreAdjustment.amount,
                ScoreAdjustment.reason,
                ScoreAdjustment.created_at,
            ).where(ScoreAdjustment.period == period.key)
        ).all()
    ]
    # milestones due in the month (a due date on a day off moves to the next working day,
    # at most a fortnight later: the ones due just before the month are read too)
    milestones = []
    for m in db.session.execute(
        select(
            Milestone.id,
            Milestone.task_id,
            Milestone.unit_id,
            Milestone.due_date,
            Milestone.done_on,
        ).where(Milestone.due_date.between(period.start - timedelta(days=15), period.end))
    ).all():
        due_on = calendar.next_workday(m.due_date)
        if period.start <= due_on <= period.end and m.task_id in lead_of:
            unit_id = current(m.unit_id) if m.unit_id else lead_of[m.task_id]
            milestones.append(rules.MilestoneFact(m.id, m.task_id, unit_id, due_on, m.done_on))
    # contests open at some time up to the month's end: the task's clock stopped
    contests: dict[int, list] = {}
    for c in db.session.execute(
        select(TaskContest.task_id, TaskContest.filed_on, TaskContest.decided_at).where(
            TaskContest.filed_on <= period.end
        )
    ).all():
        contests.setdefault(c.task_id, []).append((c.filed_on, local_date(c.decided_at)))
    facts = rules.MonthFacts(
        period,
        due,
        today,
        tuple(assignments),
        tuple(tasks),
        tuple(reports),
        tuple(returns),
        tuple(answers),
        tuple(adjustments),
        changes,
        tuple(milestones),
        {task_id: tuple(found) for task_id, found in contests.items()},
        served,
    )
    # the units scored: assigned (their current successor) by the month's end — every
    # assignment counts here, one row per unit
    scored = {a.unit_id for a in assignments if a.assigned_on <= period.end}
    if narrow:
        scored |= {
            current(unit_id)
            for unit_id in db.session.scalars(
                # any assignment before the month's end (a DISTINCT over a WHERE reads the table
                # in order: a GROUP BY … HAVING min() walked the unit index, one row lookup each)
                select(TaskAssignment.unit_id)
                .where(TaskAssignment.assigned_at < utc_start(period.end + timedelta(days=1)))
                .distinct()
            )
        }
    return facts, scored, codes
