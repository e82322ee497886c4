"""The dashboard's punctuality at province scale (issue 13): the months the dashboard shows,
stored by the alert sweep once final, read back instead of counted.

The figures of a FINISHED month — counted after its due date had passed — are kept per
month and unit (models.PunctualityTally) by `refresh_punctuality`, which the sweep calls
once a run; the dashboard reads them (`dashboard_punctuality`) and counts the other months
live with dashboard/punctuality.py, the one rule of tracker.reports.rules. A month whose
due date is still ahead is never read stale. A stored month takes in what changed since (a
late report) at the next refresh, which recounts a month with reports submitted since it
was stored; `full` recounts all (a withdrawal changes a past month without a report).
tests/scoring/test_dashboard_punctuality.py checks the stored figures equal the rule's."""

from dataclasses import asdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import delete, func, insert, select

from tracker.calendar.services import load_calendar
from tracker.dashboard.models import PunctualityMonth, PunctualityTally
from tracker.dashboard.punctuality import Punctuality, _due_dates, punctuality
from tracker.extensions import db
from tracker.plans.lights import past_due
from tracker.reports.models import ProgressReport, ReportState
from tracker.scoring import rules, standings
from tracker.settings import get_setting
from tracker.supervision.alerts.sweep import swept
from tracker.timeutil import utcnow
from tracker.units.models import Unit

PUNCTUALITY_MONTHS = 6  # the months the dashboard shows, up to last month


class DueRules(NamedTuple):
    """What the months' due dates need (the dashboard passes its LightRules instead)."""

    calendar: object
    due_day: int


TALLY_COLUMNS = ("expected", "on_time", "late", "missing", "not_due")


def shown_months(today: date) -> list[str]:
    """The months the dashboard's punctuality shows: PUNCTUALITY_MONTHS up to last month."""
    last = rules.parse_period(rules.last_month(today)).start
    return standings.recent_months(last, PUNCTUALITY_MONTHS)


def _stored(months) -> dict[str, PunctualityMonth]:
    return {
        row.month: row
        for row in db.session.scalars(
            select(PunctualityMonth).where(PunctualityMonth.month.in_(months))
        )
    }


def final(stored: PunctualityMonth | None, due: date, today: date) -> bool:
    """May the dashboard read this stored month instead of counting it? When it was
    counted after its due date (so nothing is 'not yet due' in it and every owed report
    unfiled then is missing now), against the same due date, and not on a later day."""
    return (
        stored is not None
        and stored.due_date == due
        and past_due(due, stored.computed_on)
        and stored.computed_on <= today
    )


class Shown(NamedTuple):
    """The months the dashboard shows, their due dates and periods, and which of them the
    sweep stored final."""

    months: list[str]
    due_of: dict[str, date]
    period_of: dict[str, int | None]
    ready: list[str]

    @property
    def all_stored(self) -> bool:
        """Every month is read from the table: nothing follows reports until the sweep."""
        return self.ready == self.months


def shown(months, today, light_rules) -> Shown:
    """Which of `months` are stored final (two statements: the periods, the stored months)."""
    due_of, period_of = _due_dates(months, light_rules)
    stored = _stored(months)
    ready = [m for m in months if final(stored.get(m), due_of[m], today)]
    return Shown(list(months), due_of, period_of, ready)


def dashboard_punctuality(
    months, today, successor_of, light_rules, state: Shown | None = None
) -> tuple[dict, dict, dict]:
    """What the dashboard shows of `punctuality`: ({month: due date}, {month: totals},
    {unit id: Punctuality} of the last month). The final stored months come from the table
    — their totals summed by the database, the last month's units as plain rows (two
    statements) — the others are counted live (`punctuality`, not run when all are
    stored). The same figures as `punctuality` for months refreshed since they changed.
    `state`: what `shown` found, if the caller asked it already."""
    state = state or shown(months, today, light_rules)
    due_of, period_of, ready = state.due_of, state.period_of, state.ready
    totals = {m: Punctuality() for m in months}
    last: dict[int, Punctuality] = {}
    tally = PunctualityTally
    columns = [getattr(tally, name) for name in TALLY_COLUMNS]
    if ready:
        for month, *figures in db.session.execute(
            select(tally.month, *map(func.sum, columns))
            .where(tally.month.in_(ready))
            .group_by(tally.month)
        ).all():
            totals[month] = Punctuality(*(int(f or 0) for f in figures))
        if months[-1] in ready:
            last = {
                unit_id: Punctuality(*figures)
                for unit_id, *figures in db.session.execute(
                    select(tally.unit_id, *columns).where(tally.month == months[-1])
                ).all()
            }
    live = [m for m in months if m not in ready]
    if live:
        dates = ({m: due_of[m] for m in live}, {m: period_of[m] for m in live})
        _due, counted = punctuality(live, today, successor_of, light_rules, dates)
        for month in live:
            totals[month] = Punctuality.total(counted[month].values())
        if months[-1] in live:
            last = counted[months[-1]]
    return due_of, totals, last


def _touched_periods(since, now) -> set[int]:
    """The periods with a report submitted at or after `since` and not after `now` (UTC):
    the index on (state, submitted_at) answers it. A submission stamped after `now` (a
    clock ahead, or a generated province dated ahead of the machine) was counted if it
    existed at the last count; it is taken in once `now` passes it, rather than recounting
    its month at every run until then."""
    return set(
        db.session.scalars(
            select(ProgressReport.period_id)
            .where(
                ProgressReport.state.in_([s.value for s in ReportState]),
                ProgressReport.submitted_at >= since,
                ProgressReport.submitted_at <= now,
            )
            .distinct()
        )
    )


def refresh_punctuality(today: date, full: bool = False) -> list[str]:
    """Count and store the punctuality of the months the dashboard shows (the alert sweep
    calls it once a run, inside its transaction; the caller commits). Incremental: a
    month is recounted when it is not stored, was not final when stored, its due date
    moved, or a report of its period was submitted since; `full` recounts them all (a
    withdrawal or a back-dated assignment changes a past month without a submission).
    Returns the months recounted."""
    months = shown_months(today)
    light_rules = DueRules(load_calendar(), int(get_setting("report_due_day")))
    due_of, period_of = _due_dates(months, light_rules)
    stored = _stored(months)
    touched: set[int] = set()
    now = utcnow()
    if stored and not full:
        touched = _touched_periods(min(row.computed_at for row in stored.values()), now)
    dirty = [
        m
        for m in months
        if full
        or not final(stored.get(m), due_of[m], today)
        or (period_of[m] is not None and period_of[m] in touched)
    ]
    if dirty:
        successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
        dates = ({m: due_of[m] for m in dirty}, {m: period_of[m] for m in dirty})
        _due, counted = punctuality(dirty, today, successor_of, light_rules, dates)
        db.session.execute(delete(PunctualityTally).where(PunctualityTally.month.in_(dirty)))
        db.session.execute(delete(PunctualityMonth).where(PunctualityMonth.month.in_(dirty)))
        db.session.execute(
            insert(PunctualityMonth),
            [
                {"month": m, "due_date": due_of[m], "computed_on": today, "computed_at": now}
                for m in dirty
            ],
        )
        rows = [
            {"month": m, "unit_id": unit_id, **asdict(tally)}
            for m in dirty
            for unit_id, tally in counted[m].items()
        ]
        if rows:
            db.session.execute(insert(PunctualityTally), rows)
    old = PunctualityMonth.month < months[0]  # months the dashboard no longer shows
    db.session.execute(delete(PunctualityTally).where(PunctualityTally.month < months[0]))
    db.session.execute(delete(PunctualityMonth).where(old))
    return dirty


def _on_swept(today: date) -> None:
    refresh_punctuality(today)


def connect() -> None:
    """The alert sweep refreshes the stored punctuality once a run (in its transaction)."""
    swept.connect(_on_swept)
