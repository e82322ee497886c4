"""Writing one day's sweep (issue 13: incremental): compare the wanted alerts with the open
ones and write only the difference — new alerts inserted, alerts whose condition came
back reopened, alerts whose condition is gone resolved — then raise levels.

Report alerts of periods older than last month are settled apart (`settle_old_periods`):
one UPDATE in SQL resolves those whose condition is gone, without loading them.

Statements: one SELECT of the open alerts' keys in scope, one INSERT … ON CONFLICT (key) DO
NOTHING per 1,000 *new* keys (none on a day nothing changed), at most one UPDATE to
reopen, one to resolve and one to escalate. The unique `key` keeps it
exactly-once even if two sweeps ran at once.
"""

from sqlalchemy import and_, case, exists, func, or_, select, update

from tracker.database import dialect_insert
from tracker.extensions import db
from tracker.plans.models import OPEN_STATUSES, Task
from tracker.reports.models import ProgressReport
from tracker.supervision.alerts import rules
from tracker.supervision.models import Alert
from tracker.supervision.workflow.contest.queries import open_contest_task_ids
from tracker.timeutil import utcnow
from tracker.units.rules import final_successor

INSERT_CHUNK = 1000
COLUMNS = ("task_id", "unit_id", "period_id", "subject_type", "subject_id", "due_date")


def record_alerts(wanted: dict[str, dict], today, result, scope) -> None:
    """Insert, reopen and resolve so that, among the alerts matching `scope` (a WHERE
    clause: what the wanted sources judge), exactly the `wanted` ones are open."""
    now = utcnow()
    open_ids = dict(
        db.session.execute(
            select(Alert.key, Alert.id).where(Alert.resolved_at.is_(None), scope)
        ).all()
    )
    # a multi-row INSERT takes its columns from the first row: every row names them all
    blank = dict.fromkeys(COLUMNS)
    rows = [
        {
            **blank,
            **row,
            "level": rules.LEVEL_REMINDER,
            "swept_on": today,
            "created_at": now,
            "detail": {},
        }
        for key, row in wanted.items()
        if key not in open_ids
    ]
    inserted_keys = set()
    for start in range(0, len(rows), INSERT_CHUNK):
        inserted = db.session.execute(
            dialect_insert(Alert, db.session)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Alert.id, Alert.kind, Alert.key)
        ).all()
        for alert_id, kind, key in inserted:
            result.created[kind] += 1
            result.created_ids.append(alert_id)
            inserted_keys.add(key)

    # wanted, not open and not new: it exists, resolved — its condition came back (e.g. a
    # report returned after the due day): the same alert is reopened
    reopen = [row["key"] for row in rows if row["key"] not in inserted_keys]
    if reopen:
        result.reopened += db.session.execute(
            update(Alert)
            .where(Alert.key.in_(reopen), Alert.resolved_at.is_not(None))
            .values(resolved_at=None, level=rules.LEVEL_REMINDER, swept_on=today)
            .execution_options(synchronize_session=False)
        ).rowcount
    gone = [alert_id for key, alert_id in open_ids.items() if key not in wanted]
    if gone:
        result.resolved += db.session.execute(
            update(Alert)
            .where(Alert.id.in_(gone), Alert.resolved_at.is_(None))
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount


def settle_old_periods(recent_ids, successor_of: dict, result) -> None:
    """Resolve the open report alerts of periods older than last month whose condition is
    gone: a report of the unit (or of a unit it succeeded) was first submitted, or the task
    is no longer open; a due-soon reminder there is past its due date. Nothing else can
    change them once their period is no longer this month's or last month's (they were
    judged in full then), so they are never re-judged one by one: one SELECT of the few
    reports filed by predecessors, one UPDATE."""
    old = and_(
        Alert.resolved_at.is_(None),
        Alert.period_id.is_not(None),
        Alert.period_id.not_in(list(recent_ids) or [-1]),
    )
    filed = func.coalesce(ProgressReport.first_submitted_at, ProgressReport.submitted_at)
    same_pair = and_(
        ProgressReport.task_id == Alert.task_id, ProgressReport.period_id == Alert.period_id
    )
    # a report filed by a unit since merged or renamed counts for its successor
    renamed = [u for u, s in successor_of.items() if s is not None]
    by_predecessor = []
    if renamed:
        by_predecessor = [
            alert_id
            for alert_id, alert_unit, report_unit in db.session.execute(
                select(Alert.id, Alert.unit_id, ProgressReport.unit_id)
                .join(ProgressReport, same_pair)
                .where(old, filed.is_not(None), ProgressReport.unit_id.in_(renamed))
            )
            if final_successor(report_unit, successor_of) == alert_unit
        ]
    gone = or_(
        Alert.kind != rules.REPORT_MISSING,
        Alert.task_id.not_in(select(Task.id).where(Task.status.in_(OPEN_STATUSES))),
        exists().where(same_pair, filed.is_not(None), ProgressReport.unit_id == Alert.unit_id),
        Alert.id.in_(by_predecessor or [-1]),
    )
    result.resolved += db.session.execute(
        update(Alert)
        .where(old, gone)
        .values(resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def not_paused():
    """WHERE clause: the alert is not one of rules.PAUSED_KINDS on a task whose assignment
    is contested now (contest.queries.open_contest_task_ids, as a subquery): while a
    contest is open such an alert is neither created, resolved nor escalated."""
    return or_(
        Alert.kind.not_in(rules.PAUSED_KINDS),
        Alert.task_id.is_(None),
        Alert.task_id.not_in(open_contest_task_ids()),
    )


def escalate(calendar, today, settings: dict, result) -> None:
    """Raise the level of open escalating alerts by the working days they have been open:
    each to the highest level whose cut-off it reached, if higher than its own — one
    UPDATE (one pass over the open alerts) for the three levels. The deadline alerts of a
    contested task wait at their level (`not_paused`)."""
    cutoffs = [
        (level, rules.escalation_cutoff(calendar, today, settings[setting]))
        for level, setting in (
            (rules.LEVEL_BULLETIN, "escalate_bulletin_after"),
            (rules.LEVEL_NOTICE, "escalate_notice_after"),
            (rules.LEVEL_URGING, "escalate_urge_after"),
        )
    ]
    reached = case(
        *((Alert.swept_on <= cutoff, level) for level, cutoff in cutoffs), else_=Alert.level
    )
    escalated = db.session.execute(
        update(Alert)
        .where(
            Alert.resolved_at.is_(None),
            # the top level cannot rise: the index ix_alert_open_level reads only the others
            Alert.level < rules.LEVEL_BULLETIN,
            Alert.kind.in_(rules.ESCALATING_KINDS),
            Alert.swept_on <= max(cutoff for _level, cutoff in cutoffs),
            Alert.level < reached,
            not_paused(),
        )
        .values(level=reached)
        .returning(Alert.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    result.escalated_ids = sorted(set(result.escalated_ids) | set(escalated))
