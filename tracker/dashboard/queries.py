"""The leaders' dashboard: plan progress by light, status and section; last month's unit
ranking with its trend; overdue tasks by unit; reporting punctuality; and the drill-down
plan → section → unit → task.

Each page runs a fixed number of SQL statements whatever the number of rows; nothing here
writes. Rules:
- a task's light is the plan page's (plans.lights.task_lights, with the calendar and
  the `yellow_working_days` setting), asked of the database in its SQL form
  (plans.light_sql: counts by GROUP BY over the light CASE), which gives the same answer;
- open work follows reorganisations: a task counts for the end of its unit's successor chain
  (supervision.rules.final_successor); a unit's page lists its tasks and those of the units
  it succeeded, as lead unit or co-unit;
- a "red unit" leads at least one red (overdue) task;
- ranking and trend come from the stored scorecard ledger, for last month (the month before
  today's) and the six months up to it;
- punctuality: see dashboard/punctuality.py (finished months stored by the sweep, the
  others counted live);
- the counts over every task (plans, sections, red units) and the stored punctuality are
  kept by each process while no task, milestone, plan, section or unit is written and the
  sweep stores nothing (dashboard/figures.py): a load then reads a stamp instead;
- unit tables (ranking, red units, punctuality by unit) show the first TOP rows and link to
  the full list (scores, task list, reports overview).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.calendar.services import load_calendar
from tracker.dashboard import figures
from tracker.dashboard.punctuality import Punctuality, punctuality, tally_punctuality
from tracker.dashboard.stored import PUNCTUALITY_MONTHS, dashboard_punctuality, shown
from tracker.extensions import db
from tracker.plans.light_sql import LightBounds, bounds_on, light_case, light_condition
from tracker.plans.lights import GREEN, RED, YELLOW
from tracker.plans.milestones.queries import behind_pace_count
from tracker.plans.models import Plan, Section, Task, TaskStatus
from tracker.scoring import rules, standings
from tracker.scoring.models import Scorecard
from tracker.settings import DEFAULTS, Setting
from tracker.units.models import Unit
from tracker.units.rules import final_successor

LIGHTS = (RED, YELLOW, GREEN)  # the order the dashboard lists them: worst first
TREND_MONTHS = 6
# and the page queries below
__all__ = ["PUNCTUALITY_MONTHS", "Punctuality", "punctuality", "tally_punctuality"]
# rows of a unit table on the dashboard (ranking, red units, punctuality by unit); the rest
# on the page its "more" link opens. 20, not 50: at province scale rows 21-50 were a third
# of the page's bytes (docs/performance-pages-2.md, "Dashboard, third pass")
TOP = 20


# --- pure helpers -----------------------------------------------------------------------


def months_up_to(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    return standings.recent_months(rules.parse_period(month).start, count)


def counts(values, keys=LIGHTS) -> dict[str, int]:
    """{key: how many values are that key}, every key present (0 when none)."""
    result = dict.fromkeys(keys, 0)
    for value in values:
        if value in result:  # an archived task (撤销) is in no column
            result[value] += 1
    return result


STATUSES = tuple(s.value for s in TaskStatus if s is not TaskStatus.ARCHIVED)


# --- shared loading ---------------------------------------------------------------------


def _settings(*keys: str) -> dict:
    """Several settings in one statement, defaults filled in."""
    stored = dict(
        db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all()
    )
    return {k: DEFAULTS[k] if stored.get(k) is None else stored[k] for k in keys}


@dataclass
class LightRules:
    """What a light needs, loaded once a page: the calendar and the warning window."""

    calendar: object
    warn_days: int
    due_day: int

    @classmethod
    def load(cls) -> "LightRules":
        values = _settings("yellow_working_days", "report_due_day")
        return cls(
            load_calendar(), int(values["yellow_working_days"]), int(values["report_due_day"])
        )

    def bounds(self, today: date) -> LightBounds:
        """The lights' due-date boundaries on `today`, for the SQL light."""
        return bounds_on(today, self.calendar, self.warn_days)


def _unit_rows() -> dict[int, object]:
    """Every unit by id, in unit-code order, as plain rows (id, code, name, successor_id):
    what the dashboard's unit tables and the successor chains need, without 2,000 ORM
    objects."""
    rows = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.successor_id).order_by(Unit.code)
    ).all()
    return {row.id: row for row in rows}


def _section(section_id: int) -> Section | None:
    query = select(Section).where(Section.id == section_id).options(joinedload(Section.plan))
    return db.session.scalar(query)


# --- the dashboard ----------------------------------------------------------------------


@dataclass
class SectionProgress:
    section: Section
    lights: dict[str, int]
    total: int


@dataclass
class PlanProgress:
    plan: Plan
    lights: dict[str, int]
    statuses: dict[str, int]
    total: int
    sections: list[SectionProgress] = field(default_factory=list)


@dataclass
class RankRow:
    card: standings.CardView
    trend: list  # the score of each trend month, None where no scorecard is stored


@dataclass
class Overview:
    today: date
    month: str  # last month: the ranking's and the per-unit punctuality's
    plans: list[PlanProgress]
    ranking: list[RankRow]
    ranking_missing: bool
    trend_months: list[str]
    overdue: list[tuple[Unit, int]]  # red units (plain rows: id, code, name), most red first
    punctuality: list[tuple[str, date, Punctuality]]  # (month, due date, totals), oldest first
    unit_punctuality: list[tuple[Unit, Punctuality]]  # last month, per unit (plain rows)
    ranked: int = 0  # units with a scorecard for the month (the ranking shows the first TOP)
    behind: int = 0  # open tasks behind pace (慢于序时): the /tasks?behind=1 filter's count

    @property
    def top_overdue(self) -> list[tuple[Unit, int]]:
        return self.overdue[:TOP]

    @property
    def top_punctuality(self) -> list[tuple[Unit, Punctuality]]:
        return self.unit_punctuality[:TOP]

    @property
    def totals(self) -> dict[str, int]:
        return {light: sum(p.lights[light] for p in self.plans) for light in LIGHTS}


def light_counts(light_rules: LightRules, today: date, *where) -> list:
    """(plan, section, light, status, tasks) rows: the tasks counted by the database, each
    task's light the SQL form of the one rule (plans.light_sql); a few hundred rows whatever
    the number of tasks."""
    light = light_case(light_rules.bounds(today))
    return db.session.execute(
        select(Task.plan_id, Task.section_id, light, Task.status, func.count())
        .where(*where)
        .group_by(Task.plan_id, Task.section_id, light, Task.status)
    ).all()


def _plan_progress(plans_sections, counted) -> list[PlanProgress]:
    """Counts per plan (by light and status) and per section (by light), from the rows of
    `light_counts`."""
    section_lights: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LIGHTS, 0))
    plan_lights: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LIGHTS, 0))
    plan_statuses: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for plan_id, section_id, light, status, n in counted:
        section_lights[section_id][light] += n
        plan_lights[plan_id][light] += n
        if status in STATUSES:  # an archived task (撤销) is in no status column
            plan_statuses[plan_id][status] += n
    result: dict[int, PlanProgress] = {}
    for plan, section in plans_sections:
        if plan.id not in result:
            lights = dict(plan_lights[plan.id])
            result[plan.id] = PlanProgress(
                plan, lights, dict(plan_statuses[plan.id]), sum(lights.values())
            )
        if section is not None:
            lights = dict(section_lights[section.id])
            result[plan.id].sections.append(SectionProgress(section, lights, sum(lights.values())))
    return list(result.values())


def red_units(light_rules: LightRules, today: date, successor_of: dict) -> dict[int, int]:
    """{unit id: red tasks it leads}, counted by the database per stored lead unit and
    added up for each current successor."""
    red: dict[int, int] = defaultdict(int)
    for unit_id, n in db.session.execute(
        select(Task.lead_unit_id, func.count())
        .where(light_condition(RED, light_rules.bounds(today)))
        .group_by(Task.lead_unit_id)
    ).all():
        # most units have no successor: they answer for themselves (no chain to build)
        if successor_of.get(unit_id) is not None:
            unit_id = final_successor(unit_id, successor_of)
        red[unit_id] += n
    return dict(red)


def ranking(month: str, limit: int = TOP) -> tuple[list[RankRow], int, list[str]]:
    """The month's stored ranking, best first, at most `limit` rows with their trend, the
    number of units ranked, and the trend's months (two statements; the columns shown,
    not whole scorecards and units)."""
    card = Scorecard
    rows = db.session.execute(
        select(
            card.unit_id,
            Unit.code,
            Unit.name,
            card.score,
            card.deductions,
            card.credits,
            card.rank,
            func.count().over().label("total"),
        )
        .join(Unit, Unit.id == card.unit_id)
        .where(card.period == month)
        .order_by(card.rank, Unit.code)
        .limit(limit)
    ).all()
    total = rows[0].total if rows else 0
    trend_months = months_up_to(month, TREND_MONTHS)
    trend: dict[int, dict[str, object]] = defaultdict(dict)
    if rows:
        for unit_id, period, score in db.session.execute(
            select(Scorecard.unit_id, Scorecard.period, Scorecard.score).where(
                Scorecard.period.in_(trend_months),
                Scorecard.unit_id.in_([row.unit_id for row in rows]),
            )
        ).all():
            trend[unit_id][period] = score
    ranked = [
        RankRow(
            standings.CardView(
                standings.UnitRef(row.unit_id, row.code, row.name),
                row.score,
                row.deductions,
                row.credits,
                row.rank,
            ),
            [trend[row.unit_id].get(m) for m in trend_months],
        )
        for row in rows
    ]
    return ranked, total, trend_months


class PlanRef(NamedTuple):
    """What the dashboard shows of a plan (plain values, kept between requests)."""

    id: int
    doc_number: str | None
    title: str


class SectionRef(NamedTuple):
    id: int
    plan_id: int
    label: str
    title: str


@dataclass(frozen=True)
class TaskFigures:
    """The dashboard's figures over every task (dashboard.figures keeps them while no task,
    milestone, plan, section or unit is written). Shared between requests: read only."""

    plans: list[PlanProgress]
    overdue: list[tuple[object, int]]  # red units (plain rows), most red first
    units: dict[int, object]  # every unit (plain rows), in unit-code order
    successor_of: dict[int, int | None]
    by_code: dict[int, int]  # unit id → its place in unit-code order


def task_figures(light_rules: LightRules, today: date) -> TaskFigures:
    """Count the dashboard's task figures: plans and sections by light and status, red
    units by current successor (five statements, a few hundred rows)."""
    plans_sections = [
        (PlanRef(*row[:3]), None if row[3] is None else SectionRef(*row[3:]))
        for row in db.session.execute(
            select(
                Plan.id,
                Plan.doc_number,
                Plan.title,
                Section.id,
                Section.plan_id,
                Section.label,
                Section.title,
            )  # fmt: skip
            .outerjoin(Section, Section.plan_id == Plan.id)
            .order_by(Plan.issued_on.desc(), Plan.id, Section.number)
        ).all()
    ]
    units = _unit_rows()
    successor_of = {u.id: u.successor_id for u in units.values()}
    red = red_units(light_rules, today, successor_of)
    # unit-code order is the order of `units`: sort by that position (no attribute reads)
    by_code = {uid: i for i, uid in enumerate(units)}
    overdue = [
        (units[uid], n) for uid, n in sorted(red.items(), key=lambda kv: (-kv[1], by_code[kv[0]]))
    ]
    plans = _plan_progress(plans_sections, light_counts(light_rules, today))
    return TaskFigures(plans, overdue, units, successor_of, by_code)


def overview(today: date, with_behind: bool = True) -> Overview:
    """Everything the dashboard shows, in a fixed number of statements: counts and lights
    by SQL GROUP BY (kept while no task is written: dashboard.figures), tables of units
    bounded to the first TOP rows. `with_behind` False leaves out the behind-pace figure
    (0), which the charts do not draw."""
    light_rules = LightRules.load()
    counted = figures.kept(
        "overview", light_rules.bounds(today), lambda: task_figures(light_rules, today)
    )
    units, successor_of, by_code = counted.units, counted.successor_of, counted.by_code

    month = rules.last_month(today)
    rank_rows, ranked, trend_months = ranking(month)

    months = months_up_to(month, PUNCTUALITY_MONTHS)
    state = shown(months, today, light_rules)

    def count_punctuality():
        due_dates, totals, last = dashboard_punctuality(
            months, today, successor_of, light_rules, state
        )
        monthly = [(m, due_dates[m], totals[m]) for m in months]
        unit_rows = [
            (units[uid], tally)
            for uid, tally in sorted(
                last.items(), key=lambda kv: (-kv[1].missing, -kv[1].late, by_code[kv[0]])
            )
        ]
        return monthly, unit_rows

    if state.all_stored:  # read from the sweep's table: kept until the sweep writes it
        key = (tuple(months), tuple(state.due_of.values()))
        monthly, unit_rows = figures.kept("punctuality", key, count_punctuality)
    else:  # a month still follows reports: counted live
        monthly, unit_rows = count_punctuality()
    missing = not rank_rows
    return Overview(
        today,
        month,
        counted.plans,
        rank_rows,
        missing,
        trend_months,
        counted.overdue,
        monthly,
        unit_rows,
        ranked=ranked,
        # three statements, bounded
        behind=behind_pace_count(None, today) if with_behind else 0,
    )


# --- drill-down -------------------------------------------------------------------------


def plan_progress(plan_id: int, today: date) -> PlanProgress | None:
    """One plan's counts by light and status, and each section's by light; None if unknown."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        return None
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    counted = light_counts(LightRules.load(), today, Task.plan_id == plan.id)
    pairs = [(plan, s) for s in sections] or [(plan, None)]
    return _plan_progress(pairs, counted)[0]
