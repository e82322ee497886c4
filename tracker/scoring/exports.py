"""Excel exports: a plan's task ledger (台账), a period's scorecard and a
bulletin's figures; and the Chinese wording that the official files share.

The files are official Chinese documents whatever the reader's UI language, so their
headers and fixed words are Chinese here, not translated (a rule code unknown here falls
back to its translated label). Every sheet: the header row first and frozen, set column
widths, plain values (numbers as numbers, dates as dates), no formulas — text that begins
with "=" is stored as text. The files are written by tracker.scoring.xlsx, row by row
straight into the zip (issue 13: openpyxl took seconds for a year's scorecard): no
openpyxl and no lxml in a web worker (issue 13: worker crashes; docs/deployment.md).
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import GREEN, RED, YELLOW, task_lights
from tracker.plans.milestones.models import Milestone
from tracker.plans.milestones.rules import combined_light, milestone_light
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.plans.people import rules as people_rules
from tracker.plans.people.models import ResponsiblePerson
from tracker.plans.people.queries import load_leaders, names_of
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.scoring import rules, standings
from tracker.scoring.models import Scorecard, ScoreEntry
from tracker.scoring.standings import number
from tracker.scoring.xlsx import Workbook
from tracker.settings import get_setting
from tracker.units.labels import answering_units, unit_label
from tracker.units.rules import successor_chain
from tracker.units.services import successor_map

RULE_NAMES = {
    rules.REPORT_MISSING: "进展报告未报送",
    rules.REPORT_LATE: "进展报告迟报",
    rules.REPORT_RETURNED: "进展报告被退回",
    rules.TASK_OVERDUE_LEAD: "牵头任务逾期",
    rules.TASK_OVERDUE_CO: "配合任务逾期",
    rules.NOTICE_UNANSWERED: "督办单未按期反馈",
    rules.INSTRUCTION_UNANSWERED: "领导批示未按期反馈",
    rules.TASK_CLOSED_ON_TIME: "任务按期办结",
    rules.REPORT_GOOD: "进展报告质量好",
    rules.MANUAL_ADJUSTMENT: "专班办公室调整",
}
EVENT_NAMES = {
    "report": "进展报告",
    "task": "任务",
    "notice": "督办单",
    "instruction": "领导批示",
    "audit": "退回记录",
    "adjustment": "手工调整",
}
STATUS_NAMES = {
    "pending": "待交办",
    "assigned": "已交办",
    "in_progress": "推进中",
    "closed": "已办结",
}
LIGHT_NAMES = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
LIGHT_FILLS = {GREEN: "C6EFCE", YELLOW: "FFEB9C", RED: "FFC7CE"}
QUARTERS = "一二三四"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rule_name(code: str) -> str:
    if code in RULE_NAMES:
        return RULE_NAMES[code]
    return rules.rule_label(code)


def chinese_date(day: date) -> str:
    """2026年11月23日, as official documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_label(period: rules.Period) -> str:
    """2026年10月, 2026年第四季度, 2026年."""
    if period.kind == "month":
        return f"{period.start.year}年{period.start.month}月"
    if period.kind == "quarter":
        return f"{period.start.year}年第{QUARTERS[(period.start.month - 1) // 3]}季度"
    return f"{period.start.year}年"


def fmt(value) -> str:
    """A score as people write it: 95, 97.5, -2."""
    value = number(value)
    return str(value)


# ---------------------------------------------------------------- workbook helpers

HEADER_FILL_COLOR = "DDE3EA"


def _workbook() -> Workbook:
    """A new streaming workbook (tracker.scoring.xlsx, on XlsxWriter): rows go to the file as
    they come, never held as cells (a year's scorecard of 2,000 units is 400,000 rows); the
    same rows make the same bytes, so the download equals the CLI's file."""
    return Workbook(HEADER_FILL_COLOR, fills=LIGHT_FILLS.values())


RANKING_COLUMNS = [("名次", 8), ("单位", 24), ("得分", 10), ("扣分", 10), ("加分", 10)]


# ---------------------------------------------------------------- scorecard


def scorecard_workbook(scores) -> bytes:
    """Sheets 排名 (rank, unit, score, deductions, credits) and 明细 (each score entry: unit,
    rule, amount, event type, event id, event date, note), in ranking order. `scores` is the
    period (rules.Period) or its PeriodScores: both sheets are streamed from the stored
    ledger, ranked in SQL (standings.ranking) — two statements, the entries read in batches,
    whatever the number of units and months."""
    period = getattr(scores, "period", scores)
    ranked = standings.ranking(period)
    wb = _workbook()
    wb.add_sheet(
        "排名",
        RANKING_COLUMNS,
        (
            (r.rank, r.name, number(r.score), number(r.deductions), number(r.credits))
            for r in db.session.execute(
                select(
                    ranked.c.rank,
                    ranked.c.name,
                    ranked.c.score,
                    ranked.c.deductions,
                    ranked.c.credits,
                ).order_by(ranked.c.position)
            )
        ),
    )
    entries = (
        select(
            ranked.c.name,
            ScoreEntry.rule,
            ScoreEntry.amount,
            ScoreEntry.event_type,
            ScoreEntry.event_id,
            ScoreEntry.event_date,
            ScoreEntry.note,
        )
        .select_from(ScoreEntry)
        .join(Scorecard, Scorecard.id == ScoreEntry.scorecard_id)
        .join(ranked, ranked.c.unit_id == Scorecard.unit_id)
        .where(Scorecard.period.in_(period.months))
        .order_by(ranked.c.position, Scorecard.period, ScoreEntry.position)
        .execution_options(yield_per=5000)
    )
    wb.add_sheet(
        "明细",
        [
            ("单位", 24),
            ("扣分/加分项目", 22),
            ("分值", 10),
            ("事件类型", 12),
            ("事件编号", 10),
            ("事件日期", 12),
            ("备注", 40),
        ],
        (
            (
                name,
                rule_name(rule),
                number(amount),
                EVENT_NAMES.get(event_type, event_type),
                event_id,
                event_date,
                note or None,
            )
            for name, rule, amount, event_type, event_id, event_date, note in db.session.execute(
                entries
            )
        ),
    )
    return wb.bytes()


# ---------------------------------------------------------------- bulletin


def bulletin_workbook(figures: dict) -> bytes:
    """A bulletin's figures: sheets 排名, 逾期任务 and 督办单 (the same as its page)."""
    wb = _workbook()
    wb.add_sheet(
        "排名",
        RANKING_COLUMNS,
        (
            (r["rank"], r["unit"], r["score"], r["deductions"], r["credits"])
            for r in figures.get("ranking", [])
        ),
    )
    wb.add_sheet(  # 分类考核 (issue 14): the rank within each category beside the overall one
        "分类排名",
        [("类别", 16), ("类别内名次", 12), *RANKING_COLUMNS[1:3], ("总名次", 8)],
        (
            (g["category"] or "其他单位", r["category_rank"], r["unit"], r["score"], r["rank"])
            for g in figures.get("by_category") or []
            for r in g["rows"]
        ),
    )
    wb.add_sheet(
        "逾期任务",
        [
            ("序号", 6),
            ("规划文件", 22),
            ("任务序号", 9),
            ("任务", 50),
            ("责任单位", 20),
            ("完成时限", 12),
        ],
        (
            (i, t["plan"], t["number"], t["title"], t["unit"], date.fromisoformat(t["due_date"]))
            for i, t in enumerate(figures.get("overdue_tasks", []), start=1)
        ),
    )
    wb.add_sheet(
        "督办单",
        [
            ("编号", 20),
            ("单位", 20),
            ("规划文件", 22),
            ("任务序号", 9),
            ("任务", 44),
            ("下发日期", 12),
            ("反馈期限", 12),
            ("是否反馈", 10),
        ],
        (
            (
                n["number"],
                n["unit"],
                n["plan"],
                n["task_number"],
                n["task_title"],
                date.fromisoformat(n["issued_on"]),
                date.fromisoformat(n["answer_due"]),
                "已反馈" if n["answered"] else "未反馈",
            )
            for n in figures.get("notices", [])
        ),
    )
    return wb.bytes()


# ---------------------------------------------------------------- ledger (台账)

REPORTED = (ReportState.SUBMITTED.value, ReportState.ACCEPTED.value)


def _latest_reports(plan_id: int, successor_of: dict) -> dict[int, tuple]:
    """{task id: (report, "YYYY-MM")}: each task's newest submitted or accepted report of
    its lead unit (or of a unit that unit became), the latest period and revision winning.
    One statement for the whole plan: the database keeps each (task, unit)'s newest report
    (a window function), Python picks among a task's few units the newest of its lead
    unit's successor chain — not every report of the plan's years (issue 13)."""
    newest_first = (
        ReportingPeriod.year.desc(),
        ReportingPeriod.month.desc(),
        ProgressReport.revision.desc(),
        ProgressReport.id.desc(),
    )
    ranked = (
        select(
            ProgressReport.task_id,
            ProgressReport.unit_id,
            ProgressReport.id,
            ProgressReport.revision,
            ReportingPeriod.year,
            ReportingPeriod.month,
            Task.lead_unit_id,
            func.row_number()
            .over(
                partition_by=(ProgressReport.task_id, ProgressReport.unit_id),
                order_by=newest_first,
            )
            .label("newest"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .join(Task, Task.id == ProgressReport.task_id)
        .where(Task.plan_id == plan_id, ProgressReport.state.in_(REPORTED))
        .subquery()
    )
    latest, key = {}, {}
    newest = (
        select(ranked, ProgressReport.percent, ProgressReport.progress)
        .join(ProgressReport, ProgressReport.id == ranked.c.id)
        .where(ranked.c.newest == 1)
    )
    for r in db.session.execute(newest).all():
        if r.unit_id not in successor_chain(r.lead_unit_id, successor_of):
            continue
        order = (r.year, r.month, r.revision, r.id)
        if r.task_id not in key or order > key[r.task_id]:
            key[r.task_id] = order
            latest[r.task_id] = (r, rules.month_key(r.year, r.month))
    return latest


LEDGER_COLUMNS = [
    ("序号", 6),
    ("部分", 28),
    ("任务", 50),
    ("牵头单位", 18),
    ("配合单位", 30),
    ("完成时限", 12),
    ("状态", 10),
    ("灯号", 8),
    ("完成进度（%）", 12),
    ("最新进展", 50),
    ("报告期", 10),
    ("分管领导", 12),
    ("责任人", 30),
]
LIGHT_COLUMN = 8


def _plan_rows(model, plan_id: int) -> list:
    """The rows of a per-task table (milestones, responsible persons) for a plan's tasks."""
    return list(
        db.session.scalars(
            select(model).join(Task, Task.id == model.task_id).where(Task.plan_id == plan_id)
        )
    )


def _in_charge(tasks, sections: dict) -> dict[int, str]:
    """{task id: the name of its 分管领导} (people_rules.leader_in_charge: the task's own,
    else its sections', nearest first, else the plan's); two statements."""
    leaders = load_leaders()
    parent_of = {s.id: s.parent_id for s in sections.values()}
    chosen = {
        t.id: people_rules.leader_in_charge(
            leaders.of_task.get(t.id),
            [
                leaders.of_section.get(s)
                for s in people_rules.section_chain(t.section_id, parent_of)
            ],
            leaders.of_plan.get(t.plan_id),
        )
        for t in tasks
    }
    names = names_of(chosen.values())
    return {i: names.get(user_id, "") for i, user_id in chosen.items()}


def _responsible(task: Task, persons: dict, units) -> str:
    """责任人 of a task: the lead unit's person first, then each co-unit's with its unit's
    name ("张三 138…；市科技局：李四"), as the units named them."""
    named = persons.get(task.id, {})

    def who(p):
        return f"{p.name} {p.phone}" if p.phone else p.name

    parts = [who(named[task.lead_unit_id])] if task.lead_unit_id in named else []
    for unit_id, person in sorted(named.items()):
        if unit_id != task.lead_unit_id:
            parts.append(f"{unit_label(units, unit_id)}：{who(person)}")
    return "；".join(parts)


def ledger_workbook(plan_id: int, today: date) -> bytes:
    """A plan's task ledger, one row per task in document order: number, section, title,
    lead unit, co-units, due date (or the document's wording when it has none), status,
    light on `today` (绿灯/黄灯/红灯, cell filled green/yellow/red), and the newest
    submitted-or-accepted report of the lead unit: percent, progress and period.
    The light is the combined one (a missed milestone makes it red, as on the lists); then
    the 分管领导 and the 责任人 (plans.people). Thirteen statements whatever the number of
    tasks. LookupError for an unknown plan. A reorganised unit is named by its successor
    with its own name as history."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise LookupError(plan_id)
    sections = {
        s.id: s for s in db.session.scalars(select(Section).where(Section.plan_id == plan_id))
    }
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(Task.plan_id == plan_id)
            .options(
                joinedload(Task.lead_unit),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
            .order_by(Task.number)
        )
        .unique()
        .all()
    )
    latest = _latest_reports(plan_id, successor_map())
    # a reorganised unit is named by the unit that answers today: "市工信局（原市经信委）"
    units = answering_units()
    calendar, warn = load_calendar(), int(get_setting("yellow_working_days"))
    lights = task_lights(tasks, today, calendar, warn)
    by_task = {t.id: t for t in tasks}
    milestone_lights: dict[int, list[str]] = {t.id: [] for t in tasks}
    for m in _plan_rows(Milestone, plan_id):
        status = by_task[m.task_id].status
        milestone_lights[m.task_id].append(
            milestone_light(status, m.due_date, m.done_on, today, calendar, warn)
        )
    lights = {i: combined_light(light, milestone_lights[i]) for i, light in lights.items()}
    in_charge = _in_charge(tasks, sections)
    persons: dict[int, dict] = {}
    for person in _plan_rows(ResponsiblePerson, plan_id):
        persons.setdefault(person.task_id, {})[person.unit_id] = person

    def rows():
        for task in tasks:
            section = sections.get(task.section_id)
            report, month = latest.get(task.id, (None, None))
            yield (
                task.number,
                f"{section.label}{section.title}" if section else "",
                task.title,
                unit_label(units, task.lead_unit_id),
                "、".join(unit_label(units, u.id) for u in task.co_units),
                task.due_date or (task.due_phrase or ""),
                STATUS_NAMES.get(task.status, task.status),
                LIGHT_NAMES[lights[task.id]],
                report.percent if report else None,
                report.progress if report else "",
                month or "",
                in_charge[task.id],
                _responsible(task, persons, units),
            )

    wb = _workbook()
    fill_of = {LIGHT_NAMES[light]: color for light, color in LIGHT_FILLS.items()}
    wb.add_sheet(
        "台账",
        LEDGER_COLUMNS,
        rows(),
        fills={LIGHT_COLUMN: lambda row: fill_of[row[LIGHT_COLUMN - 1]]},
    )
    return wb.bytes()
