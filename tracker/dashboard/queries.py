"""The leaders' dashboard: plan progress by light, status and section; last month's unit
ranking with its trend; overdue tasks by unit; reporting punctuality; and the drill-down
plan → section → unit → task.

Each page runs a fixed number of SQL statements whatever the number of rows; nothing here
writes. Rules:
- a task's light is the plan page's (plans.lights.task_lights, with the calendar and
  the `yellow_working_days` setting);
- open work follows reorganisations: a task counts for the end of its unit's successor chain
  (supervision.rules.final_successor); a unit's page lists its tasks and those of the units
  it succeeded, as lead unit or co-unit;
- a "red unit" leads at least one red (overdue) task;
- ranking and trend come from the stored scorecard ledger, for last month (the month before
  today's) and the six months up to it;
- punctuality: the reports a month owes, and whether each is on time, late, missing or not
  yet due, are the one rule of tracker.reports.rules (owes_report, report_standing: late by
  the first submission, missing when never submitted after the due date), as on the
  overview, the review queue, the alerts and the scorecard. A report counts for its unit's
  current successor, like the work.
"""

from collections import defaultdict
from dataclasses import astuple, dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.calendar.rules import report_due_date
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import GREEN, RED, YELLOW, task_lights
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.plans.services import tasks_in_scope
from tracker.reports.facts import owed_inputs
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.rules import (
    LATE,
    MISSING,
    NOT_DUE,
    ON_TIME,
    first_submission,
    local_date,
    report_standing,
)
from tracker.scoring import rules, services
from tracker.settings import DEFAULTS, Setting
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit
from tracker.units.rules import final_successor, predecessor_closure

LIGHTS = (RED, YELLOW, GREEN)  # the order the dashboard lists them: worst first
TREND_MONTHS = 6
PUNCTUALITY_MONTHS = 6


# --- pure helpers -----------------------------------------------------------------------


def months_up_to(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    return services.recent_months(rules.parse_period(month).start, count)


def counts(values, keys=LIGHTS) -> dict[str, int]:
    """{key: how many values are that key}, every key present (0 when none)."""
    result = dict.fromkeys(keys, 0)
    for value in values:
        if value in result:  # an archived task (撤销) is in no column
            result[value] += 1
    return result


STATUSES = tuple(s.value for s in TaskStatus if s is not TaskStatus.ARCHIVED)


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
        return cls(*(sum(column) for column in zip(*map(astuple, tallies), strict=True)))


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

    def lights(self, tasks, today: date) -> dict[int, str]:
        return task_lights(tasks, today, self.calendar, self.warn_days) if tasks else {}


TASK_COLUMNS = ("id", "plan_id", "section_id", "number", "status", "due_date", "closed_at")


def _task_rows(*where):
    """Plain task rows (no ORM objects): what counts and lights need."""
    columns = [getattr(Task, name) for name in TASK_COLUMNS + ("lead_unit_id",)]
    return db.session.execute(
        select(*columns).where(*where).order_by(Task.plan_id, Task.number)
    ).all()


def _units() -> dict[int, Unit]:
    """Every unit by id, in unit-code order."""
    return {u.id: u for u in db.session.scalars(select(Unit).order_by(Unit.code)).all()}


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
    card: services.CardView
    trend: list  # the score of each trend month, None where no scorecard is stored


@dataclass
class Overview:
    today: date
    month: str  # last month: the ranking's and the per-unit punctuality's
    plans: list[PlanProgress]
    ranking: list[RankRow]
    ranking_missing: bool
    trend_months: list[str]
    overdue: list[tuple[Unit, int]]  # red units, most red tasks first
    punctuality: list[tuple[str, date, Punctuality]]  # (month, due date, totals), oldest first
    unit_punctuality: list[tuple[Unit, Punctuality]]  # last month, per unit

    @property
    def totals(self) -> dict[str, int]:
        return {light: sum(p.lights[light] for p in self.plans) for light in LIGHTS}


def _plan_progress(plans_sections, tasks, lights) -> list[PlanProgress]:
    """Counts per plan (by light and status) and per section (by light)."""
    by_section: dict[int, list[str]] = defaultdict(list)
    by_plan: dict[int, list] = defaultdict(list)
    for t in tasks:
        by_section[t.section_id].append(lights[t.id])
        by_plan[t.plan_id].append(t)
    result: dict[int, PlanProgress] = {}
    for plan, section in plans_sections:
        if plan.id not in result:
            own = by_plan.get(plan.id, [])
            result[plan.id] = PlanProgress(
                plan,
                counts(lights[t.id] for t in own),
                counts((t.status for t in own), STATUSES),
                len(own),
            )
        if section is not None:
            own_lights = by_section.get(section.id, [])
            result[plan.id].sections.append(
                SectionProgress(section, counts(own_lights), len(own_lights))
            )
    return list(result.values())


def overview(today: date) -> Overview:
    """Everything the dashboard shows, in a fixed number of statements."""
    plans_sections = db.session.execute(
        select(Plan, Section)
        .outerjoin(Section, Section.plan_id == Plan.id)
        .order_by(Plan.issued_on.desc(), Plan.id, Section.number)
    ).all()
    tasks = _task_rows()
    light_rules = LightRules.load()
    lights = light_rules.lights(tasks, today)
    units = _units()
    successor_of = {u.id: u.successor_id for u in units.values()}

    red: dict[int, int] = defaultdict(int)
    for t in tasks:
        if lights[t.id] == RED:
            red[final_successor(t.lead_unit_id, successor_of)] += 1
    overdue = sorted(
        ((units[uid], n) for uid, n in red.items()), key=lambda row: (-row[1], row[0].code)
    )

    month = rules.last_month(today)
    scores = services.period_scores(rules.parse_period(month), today)
    trend_months = months_up_to(month, TREND_MONTHS)
    trend = services.trends(trend_months)
    ranking = [
        RankRow(card, [trend.get(card.unit.id, {}).get(m) for m in trend_months])
        for card in scores.cards
    ]

    months = months_up_to(month, PUNCTUALITY_MONTHS)
    due_dates, per_month = punctuality(months, today, tasks, successor_of, light_rules)
    monthly = [(m, due_dates[m], Punctuality.total(per_month[m].values())) for m in months]
    unit_rows = sorted(
        ((units[uid], tally) for uid, tally in per_month[month].items()),
        key=lambda row: (-row[1].missing, -row[1].late, row[0].code),
    )
    plans = _plan_progress(plans_sections, tasks, lights)
    missing = month in scores.missing or not scores.cards
    return Overview(
        today, month, plans, ranking, missing, trend_months, overdue, monthly, unit_rows
    )


def punctuality(months, today, tasks, successor_of, light_rules) -> tuple[dict, dict]:
    """({month: due date}, {month: {unit id: Punctuality}}) for the months (three or four
    statements: periods with their reports, assignments and reassignments). A month without a
    stored period gets the due date the calendar and the due-day setting give it."""

    def current(unit_id):
        return final_successor(unit_id, successor_of)

    key = ReportingPeriod.year * 100 + ReportingPeriod.month
    rp, pr = ReportingPeriod, ProgressReport
    submitted_at = db.func.coalesce(pr.first_submitted_at, pr.submitted_at)  # as reports' rules
    rows = db.session.execute(
        select(rp.year, rp.month, rp.due_date, pr.task_id, pr.unit_id, submitted_at)
        .outerjoin(pr, pr.period_id == rp.id)
        .where(key.between(*(int(m.replace("-", "")) for m in (months[0], months[-1]))))
    ).all()
    due_of: dict[str, date] = {}
    submitted: dict[str, dict] = defaultdict(dict)
    for r in rows:
        month = rules.month_key(r.year, r.month)
        due_of[month] = r.due_date
        day, pair = local_date(r[5], LOCAL_TZ), (r.task_id, current(r.unit_id))
        first = first_submission((submitted[month].get(pair), day))
        if first is not None:
            submitted[month][pair] = first
    owed_assignments, changes = owed_inputs(current)  # the owed rule's inputs, reassignments too
    assignments = tuple(rules.Assignment(*a) for a in owed_assignments)

    def fact(t):
        closed_on = local_date(t.closed_at, LOCAL_TZ)
        return rules.TaskFact(t.id, t.status, t.due_date, closed_on, current(t.lead_unit_id))

    facts = tuple(map(fact, tasks))
    result = {}
    for month in months:
        period = rules.parse_period(month)
        due_of[month] = due = due_of.get(month) or report_due_date(
            light_rules.calendar, period.start.year, period.start.month, light_rules.due_day
        )
        month_facts = rules.MonthFacts(period, due, today, assignments, facts, changes=changes)
        expected = rules.expected_reports(month_facts)
        result[month] = tally_punctuality(due, today, expected, submitted.get(month, {}))
    return due_of, result


# --- drill-down -------------------------------------------------------------------------


def plan_progress(plan_id: int, today: date) -> PlanProgress | None:
    """One plan's counts by light and status, and each section's by light; None if unknown."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        return None
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    tasks = _task_rows(Task.plan_id == plan.id)
    lights = LightRules.load().lights(tasks, today)
    pairs = [(plan, s) for s in sections] or [(plan, None)]
    return _plan_progress(pairs, tasks, lights)[0]


@dataclass
class UnitInSection:
    unit: Unit
    lead: dict[str, int]  # the unit's lead tasks in the section, by light
    co: dict[str, int]  # its co-unit tasks there, by light


def section_units(section_id: int, today: date) -> tuple[Section, list[UnitInSection]] | None:
    """The units with tasks in a section (current successors), each with its tasks' lights
    as lead unit and as co-unit, most red first; None if the section is unknown."""
    section = _section(section_id)
    if section is None:
        return None
    tasks = _task_rows(Task.section_id == section.id)
    lights = LightRules.load().lights(tasks, today)
    units = _units()
    successor_of = {u.id: u.successor_id for u in units.values()}
    lead: dict[int, list[str]] = defaultdict(list)
    co: dict[int, list[str]] = defaultdict(list)
    leads = {}
    for t in tasks:
        leads[t.id] = final_successor(t.lead_unit_id, successor_of)
        lead[leads[t.id]].append(lights[t.id])
    seen = set()
    for task_id, unit_id in db.session.execute(
        select(TaskCoUnit.task_id, TaskCoUnit.unit_id)
        .join(Task, Task.id == TaskCoUnit.task_id)
        .where(Task.section_id == section.id)
    ).all():
        unit = final_successor(unit_id, successor_of)
        if unit != leads[task_id] and (task_id, unit) not in seen:
            seen.add((task_id, unit))
            co[unit].append(lights[task_id])
    rows = [
        UnitInSection(units[uid], counts(lead.get(uid, [])), counts(co.get(uid, [])))
        for uid in set(lead) | set(co)
    ]
    rows.sort(key=lambda r: (-r.lead[RED], -r.co[RED], -r.lead[YELLOW], r.unit.code))
    return section, rows


@dataclass
class UnitTask:
    task: Task
    light: str
    role: str  # "lead" or "co"


@dataclass
class UnitPage:
    unit: Unit
    successor: Unit | None  # where its open work went, if it was reorganised
    predecessors: list[Unit]
    section: Section | None
    tasks: list[UnitTask]

    @property
    def lights(self) -> dict[str, int]:
        return counts(row.light for row in self.tasks)


def unit_tasks(unit_id: int, today: date, section_id: int | None = None) -> UnitPage | None:
    """The unit's tasks as lead unit or co-unit (its own and those of the units it
    succeeded), optionally in one section, red first; None if the unit or section is
    unknown."""
    units = _units()
    unit = units.get(unit_id)
    if unit is None:
        return None
    section = None if section_id is None else _section(section_id)
    if section_id is not None and section is None:
        return None
    successor_of = {u.id: u.successor_id for u in units.values()}
    scope = predecessor_closure(unit.id, successor_of)
    tasks = [t for t in tasks_in_scope(scope) if section is None or t.section_id == section.id]
    lights = LightRules.load().lights(tasks, today)
    order = {light: i for i, light in enumerate(LIGHTS)}
    rows = sorted(
        (UnitTask(t, lights[t.id], "lead" if t.lead_unit_id in scope else "co") for t in tasks),
        key=lambda r: (order[r.light], r.task.plan_id, r.task.number),
    )
    successor = units[final_successor(unit.id, successor_of)]
    predecessors = [u for uid, u in units.items() if uid in scope and uid != unit.id]
    return UnitPage(unit, successor if successor is not unit else None, predecessors, section, rows)
