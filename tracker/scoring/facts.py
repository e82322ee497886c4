"""The facts a month's scorecard is computed from, loaded in a constant number of statements:
assignments, reports, returns, answers and adjustments as plain values for scoring.rules."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from tracker.audit import AuditEvent
from tracker.calendar.rules import report_due_date
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Task, TaskCoUnit
from tracker.reports.facts import owed_inputs, served_by_links
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.rules import first_submission
from tracker.scoring import rules
from tracker.scoring.models import ScoreAdjustment
from tracker.settings import get_setting
from tracker.supervision.models import Instruction, SupervisionNotice
from tracker.supervision.workflow.contest.models import TaskContest
from tracker.timeutil import local_date
from tracker.units.models import Unit
from tracker.units.rules import final_successor


def utc_start(day: date) -> datetime:
    """The UTC moment at which the Beijing day `day` begins (stored times are UTC)."""
    return datetime(day.year, day.month, day.day) - timedelta(hours=8)


def month_facts(month: str, today: date) -> tuple[rules.MonthFacts, set[int], dict[int, str]]:
    """The month's facts, the units to score and each unit's code (for listing ties)."""
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
    for t in db.session.execute(
        select(Task.id, Task.status, Task.due_date, Task.closed_at, Task.lead_unit_id)
    ).all():
        lead_of[t.id] = current(t.lead_unit_id)
        tasks.append(
            rules.TaskFact(
                t.id,
                t.status,
                calendar.next_workday(t.due_date) if t.due_date else None,
                local_date(t.closed_at),
                lead_of[t.id],
                tuple(co_units.get(t.id, ())),
            )
        )
    # the owed rule's inputs, loaded where every screen loads them (reassignments included)
    owed_assignments, changes = owed_inputs(current)
    assignments = [rules.Assignment(*a) for a in owed_assignments]

    # the first submission is the one reports.rules.is_late judges (a revision's own
    # first_submitted_at, or its submitted_at if an old row has none); a report counts for
    # its unit's current successor, like the work
    submitted = db.func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    report_rows = db.session.execute(
        select(
            ProgressReport.id,
            ProgressReport.task_id,
            ProgressReport.unit_id,
            ProgressReport.revision,
            ProgressReport.state,
            ProgressReport.quality,
            submitted.label("first_submitted_at"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .where(ReportingPeriod.year == year, ReportingPeriod.month == mon)
        .order_by(ProgressReport.revision)
    ).all()
    latest: dict[tuple[int, int], object] = {}
    first: dict[tuple[int, int], date | None] = {}
    for r in report_rows:
        key = (r.task_id, current(r.unit_id))
        latest[key] = r
        first[key] = first_submission((first.get(key), local_date(r.first_submitted_at)))
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
    ]
    report_units = {r.id: (r.task_id, current(r.unit_id)) for r in report_rows}
    returns = []
    for event in db.session.execute(
        select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.detail).where(
            AuditEvent.action == "report.returned",
            AuditEvent.occurred_at >= utc_start(period.start),
        )
    ).all():
        report_id = (event.detail or {}).get("report_id")
        if report_id in report_units:
            task_id, unit_id = report_units[report_id]
            returns.append(
                rules.ReturnFact(
                    event.id, report_id, task_id, unit_id, local_date(event.occurred_at)
                )
            )

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
    scored = {a.unit_id for a in assignments if a.assigned_on <= period.end}
    return facts, scored, codes
