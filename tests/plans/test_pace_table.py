"""The stored pace (task_pace, issue 13) against the one pure rule: after refresh_pace(day),
behind_pace / behind_pace_ids / pace_list read from the table give what rules.expected_percent
and rules.pace_state give over the same data (milestones with and without percents, linear,
no report, a returned newest report, a closed task, a reassigned lead unit), and the writers
(a report submitted or reviewed, a milestone changed, a reassignment) keep one task's row."""

from datetime import date

from sqlalchemy import delete, select, update

from tracker.extensions import db
from tracker.plans import changes
from tracker.plans.milestones import queries, rules, services
from tracker.plans.milestones.models import Milestone, TaskPace
from tracker.plans.milestones.pace import compute_pace, refresh_pace, refresh_pace_daily
from tracker.plans.models import Plan, Task
from tracker.plans.permissions import task_filter
from tracker.reports import services as report_services
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.periods import current_period
from tracker.settings import get_setting, set_setting
from tracker.supervision.workflow.services import load_task_for_update
from tracker.timeutil import today
from tracker.units.models import Unit

DAY = date(2027, 6, 30)
REPORTED = ("submitted", "accepted")


def _period(year: int, month: int) -> ReportingPeriod:
    period = db.session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.year == year, ReportingPeriod.month == month)
    )
    if period is None:
        period = ReportingPeriod(year=year, month=month, due_day=25, due_date=date(year, month, 25))
        db.session.add(period)
        db.session.flush()
    return period


def _report(task_id, unit_id, ym, percent, state="accepted", revision=1):
    db.session.add(
        ProgressReport(
            task_id=task_id,
            unit_id=unit_id,
            period_id=_period(*ym).id,
            revision=revision,
            state=state,
            progress="进展",
            percent=percent,
        )
    )


def _by_rule(day: date) -> dict[int, tuple]:
    """{task id: (expected, reported)} of the tasks behind pace, by the pure rule over every
    row, read the plain way (no SQL aggregate)."""
    margin = int(get_setting("pace_margin_points"))
    tasks = db.session.execute(
        select(Task.id, Task.status, Task.due_date, Task.lead_unit_id, Plan).join(Plan)
    ).all()
    reports = db.session.execute(
        select(ProgressReport, ReportingPeriod.year, ReportingPeriod.month).join(ReportingPeriod)
    ).all()
    behind = {}
    for t in tasks:
        mine = [
            ((y, m, r.revision), r.percent)
            for r, y, m in reports
            if r.task_id == t.id and r.unit_id == t.lead_unit_id and r.state in REPORTED
        ]
        reported = max(mine)[1] if mine else None
        points = [
            (m.due_date, m.expected_percent)
            for m in db.session.scalars(select(Milestone).where(Milestone.task_id == t.id))
        ]
        start = t.Plan.period_start or t.Plan.issued_on
        expected = rules.expected_percent(start, t.due_date, points, day)
        if rules.pace_state(t.status, expected, reported, margin) == rules.BEHIND:
            behind[t.id] = (expected, reported)
    return behind


def _varied(world) -> dict[str, int]:
    """The own plan's tasks open over 2020 → 2030, with varied milestones and reports."""
    ids = world["ids"]
    plan = db.session.get(Plan, ids["own_plan"])
    plan.period_start = date(2020, 1, 1)
    db.session.execute(
        update(Task)
        .where(Task.plan_id == plan.id)
        .values(status="in_progress", due_date=date(2030, 1, 1))
    )
    tasks = db.session.execute(
        select(Task.number, Task.id, Task.lead_unit_id).where(Task.plan_id == plan.id)
    ).all()
    lead = {t.id: t.lead_unit_id for t in tasks}
    by_number = {t.number: t.id for t in tasks}
    for i, task_id in enumerate(by_number[n] for n in sorted(by_number)):
        if i % 5 == 4:
            continue  # no report
        _report(task_id, lead[task_id], (2027, 3), 10 + 7 * i % 90)
        if i % 3 == 0:  # a newer report: accepted, submitted, or returned (not counted)
            state = ("accepted", "submitted", "returned", "draft")[i % 4]
            _report(task_id, lead[task_id], (2027, 5), 5 + 11 * i % 95, state)
        if i % 7 == 1:  # a second revision of the same month wins
            _report(task_id, lead[task_id], (2027, 3), 95, "accepted", revision=2)
        if i % 4 == 2:  # milestones, with a percent or spread evenly
            for k, year in enumerate((2022, 2024, 2026)):
                db.session.add(
                    Milestone(
                        task_id=task_id,
                        due_date=date(year, 6, 30),
                        deliverable=f"节点{k}",
                        expected_percent=(30, None, 90)[k] if i % 8 == 2 else None,
                    )
                )
        if i % 6 == 5:  # a linear task without a due date: nothing to judge
            db.session.execute(update(Task).where(Task.id == task_id).values(due_date=None))
    closed = by_number[3]
    db.session.execute(update(Task).where(Task.id == closed).values(status="closed"))
    db.session.commit()
    return {"closed": closed, "by_number": by_number}


def _stored(scope=None) -> dict[int, tuple]:
    return {i: (p.expected, p.reported) for i, p in queries.behind_pace(scope, DAY).items()}


def test_the_table_gives_what_the_rule_gives(world):
    made = _varied(world)
    refresh_pace(DAY)
    db.session.commit()
    wanted = _by_rule(DAY)
    assert len(wanted) >= 5
    assert _stored() == wanted
    assert queries.behind_pace_ids(None, DAY) == set(wanted)
    assert queries.behind_pace_count(None, DAY) == len(wanted)
    assert db.session.get(TaskPace, made["closed"]) is None  # only open tasks are kept
    with_day = {i: e for i, (e, _r) in wanted.items()}
    assert all(row.computed_on == DAY for row in db.session.scalars(select(TaskPace)))
    # the list: furthest behind first, paged in SQL, the same totals
    with_today = queries.pace_list(None, today(), page=None)
    rows, total = with_today
    assert total == len(wanted)
    gaps = [(p.reported - p.expected, t.id) for t, p in rows]
    assert gaps == sorted(gaps)
    assert {t.id: p.expected for t, p in rows} == with_day
    first, _ = queries.pace_list(None, today(), page=1)
    assert [t.id for t, _p in first] == [t.id for t, _p in rows[: queries.PAGE_SIZE]]
    # a unit scope: only its tasks
    fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    in_scope = set(db.session.scalars(select(Task.id).where(task_filter({fgw}))))
    assert _stored({fgw}) == {i: v for i, v in wanted.items() if i in in_scope}
    assert queries.behind_pace_ids({fgw}, DAY) == set(wanted) & in_scope


def test_a_changed_margin_applies_at_once(world):
    _varied(world)
    refresh_pace(DAY)
    db.session.commit()
    before = len(_stored())
    set_setting("pace_margin_points", 60)
    db.session.commit()
    assert _stored() == _by_rule(DAY)
    assert len(_stored()) < before


def test_a_closed_task_leaves_and_a_reassigned_lead_counts_its_own_reports(world):
    made = _varied(world)
    refresh_pace(DAY)
    db.session.commit()
    task = load_task_for_update(world["ids"]["own_task"])
    kjj = db.session.scalar(select(Unit.id).where(Unit.code == "kjj"))
    _report(task.id, kjj, (2027, 4), 99)  # kjj's report, not the lead's: not counted yet
    db.session.commit()
    office = world["users"]["office"]
    changes.reassign(task, kjj, [], "调整牵头单位", office, today=today())  # refreshes the row
    db.session.commit()
    assert db.session.get(TaskPace, task.id).reported_percent == 99
    other = made["by_number"][4]
    db.session.execute(update(Task).where(Task.id == other).values(status="closed"))
    refresh_pace(DAY)
    db.session.commit()
    assert db.session.get(TaskPace, other) is None
    assert _stored() == _by_rule(DAY)


def test_a_milestone_change_refreshes_its_task(world):
    _varied(world)
    refresh_pace(DAY)
    db.session.commit()
    task = db.session.get(Task, world["ids"]["own_task"])
    services.add_milestone(
        task, due_date=date(2021, 1, 1), deliverable="首个节点", expected_percent=100
    )
    db.session.commit()
    row = db.session.get(TaskPace, task.id)
    assert row.expected_percent == 100 and row.computed_on == today()


def test_a_submitted_report_updates_its_task(world):
    ids, users = world["ids"], world["users"]
    db.session.execute(update(Task).where(Task.id == ids["own_task"]).values(status="in_progress"))
    db.session.commit()
    refresh_pace(today())
    db.session.commit()
    assert db.session.get(TaskPace, ids["own_task"]).reported_percent is None
    period = current_period(today())
    values = {"progress": "进展顺利", "percent": 42, "problems": "", "next_steps": ""}
    report = report_services.save_report(
        users["liaison"], period, ids["own_task"], 0, values, submit=True
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(TaskPace, ids["own_task"]).reported_percent == 42
    report_services.review(users["office"], report, report.version, "return", "补充", None)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(TaskPace, ids["own_task"]).reported_percent is None


def _rows() -> dict[int, tuple]:
    return {
        row.task_id: (row.expected_percent, row.reported_percent)
        for row in db.session.scalars(select(TaskPace))
    }


def test_the_daily_refresh_stays_equal_to_the_rule_across_days(world, count_statements):
    """The sweep's incremental refresh (refresh_pace_daily) over several days, with changes
    in between — through their writers (a report, a milestone) and behind their back (a due
    date moved, a task closed, one reopened): after each day the rows are compute_pace's."""
    made = _varied(world)
    own = world["ids"]["own_task"]
    first = date(2027, 6, 1)
    assert refresh_pace_daily(first) > 0  # no rows yet: every open task written
    db.session.commit()
    assert _rows() == compute_pace(first)
    # the same day again: nothing to write, three statements
    with count_statements() as counter:
        assert refresh_pace_daily(first) == 0
    assert counter.count == 3
    # next day: a report of the lead unit (its writer refreshes the task at once) and a
    # milestone added (likewise); the linear tasks' expected percents move by themselves
    lead = db.session.scalar(select(Task.lead_unit_id).where(Task.id == own))
    _report(own, lead, (2027, 5), 77, "accepted", revision=3)
    db.session.flush()
    refresh_pace(today(), [own])  # what report_services does on acceptance
    services.add_milestone(
        db.session.get(Task, made["by_number"][2]),
        due_date=date(2027, 12, 31),
        deliverable="年底节点",
        expected_percent=80,
    )
    db.session.commit()
    for day in (date(2027, 6, 2), date(2027, 6, 3)):
        refresh_pace_daily(day)
        db.session.commit()
        assert _rows() == compute_pace(day)
    assert _rows()[own][1] == 77
    # a due date moved and a task closed (no writer tells the pace), the closed one reopened
    moved, closed = made["by_number"][5], made["by_number"][6]
    db.session.execute(update(Task).where(Task.id == moved).values(due_date=date(2028, 1, 1)))
    db.session.execute(update(Task).where(Task.id == closed).values(status="closed"))
    db.session.execute(update(Task).where(Task.id == made["closed"]).values(status="in_progress"))
    db.session.commit()
    for day in (date(2027, 6, 10), date(2029, 1, 1), date(2031, 1, 1)):
        refresh_pace_daily(day)
        db.session.commit()
        assert _rows() == compute_pace(day)
    assert closed not in _rows() and made["closed"] in _rows()
    # the full refresh agrees with what the daily one kept
    refresh_pace(date(2031, 1, 1))
    assert _rows() == compute_pace(date(2031, 1, 1))


def test_a_submission_or_acceptance_writes_one_row_equal_to_the_rule(world, count_statements):
    """note_reported: a lead-unit report submitted or accepted is ONE UPDATE of the stored
    row's reported percent when it is the newest counted report; the row is then what
    compute_pace gives. A report older than a counted one, a return, and a task without a
    row go through the full one-task refresh — equal to the rule as well."""
    from tracker.plans.milestones.pace import note_reported

    made = _varied(world)
    ids, users = world["ids"], world["users"]
    own = ids["own_task"]
    db.session.execute(update(Task).where(Task.id == own).values(status="in_progress"))
    db.session.execute(delete(ProgressReport).where(ProgressReport.task_id == own))
    db.session.commit()
    refresh_pace(today())
    db.session.commit()
    period = current_period(today())
    values = {"progress": "进展顺利", "percent": 37, "problems": "", "next_steps": ""}
    report = report_services.save_report(users["liaison"], period, own, 0, values, submit=True)
    db.session.commit()
    db.session.expire_all()
    assert _rows()[own] == compute_pace(today(), [own])[own]
    assert _rows()[own][1] == 37
    # the one-row path: one statement for a newest report
    lead = db.session.scalar(select(Task.lead_unit_id).where(Task.id == own))
    key = (period.year, period.month, report.revision)
    with count_statements() as counter:
        note_reported(own, lead, *key, 37)
    assert counter.count == 1
    # acceptance keeps the row equal to the rule
    office = world["users"]["office"]
    report = db.session.get(ProgressReport, report.id)
    report_services.review(office, report, report.version, "accept", "", "good")
    db.session.commit()
    db.session.expire_all()
    assert _rows() == compute_pace(today())
    # an older month's report accepted behind a newer counted one: the newer one stays
    ordered = [made["by_number"][n] for n in sorted(made["by_number"])]
    other = next(t for t in (ordered[0], ordered[12]) if t != own)  # 2027-03, accepted 2027-05
    other_lead = db.session.scalar(select(Task.lead_unit_id).where(Task.id == other))
    before = _rows()[other]
    _report(other, other_lead, (2027, 4), 1, "accepted")
    db.session.flush()
    note_reported(other, other_lead, 2027, 4, 1, 1)
    db.session.commit()
    assert _rows()[other] == before == compute_pace(today(), [other])[other]
    # a task without a row (just reopened): the full refresh writes it
    db.session.execute(update(Task).where(Task.id == made["closed"]).values(status="in_progress"))
    db.session.flush()
    note_reported(made["closed"], other_lead, 2027, 6, 1, 50)
    db.session.commit()
    assert _rows() == compute_pace(today())
    # a return: the older counted percent comes back
    report = db.session.get(ProgressReport, report.id)
    correction = report_services.start_correction(users["liaison"], report)
    db.session.commit()
    values["percent"] = 88
    resubmitted = report_services.save_report(
        users["liaison"], period, own, correction.version, values, submit=True
    )
    db.session.commit()
    db.session.expire_all()
    assert _rows()[own][1] == 88 == compute_pace(today(), [own])[own][1]
    resubmitted = db.session.get(ProgressReport, resubmitted.id)
    report_services.review(office, resubmitted, resubmitted.version, "return", "补充", None)
    db.session.commit()
    db.session.expire_all()
    assert _rows()[own][1] == 37
    assert _rows() == compute_pace(today())
