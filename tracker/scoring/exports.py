"""Excel exports (openpyxl): a plan's task ledger (台账), a period's scorecard and a
bulletin's figures; and the Chinese wording that the official files share.

The files are official Chinese documents whatever the reader's UI language, so their
headers and fixed words are Chinese here, not translated (a rule code unknown here falls
back to its translated label). Every sheet: the header row first and frozen, set column
widths, plain values (numbers as numbers, dates as dates), no formulas — text that begins
with "=" is stored as text.
"""

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import GREEN, RED, YELLOW, task_lights
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.scoring import rules
from tracker.scoring.services import PeriodScores, number
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

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(wb: Workbook, title: str, columns: list[tuple[str, int]], rows) -> object:
    """A sheet with a frozen header row and the given column widths; returns it."""
    ws = wb.create_sheet(title)
    ws.append([name for name, _width in columns])
    for index, (_name, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in rows:
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # text typed "=…" stays text, never a formula
                if len(cell.value) > 20:
                    cell.alignment = WRAP
    ws.freeze_panes = "A2"
    return ws


def _save(wb: Workbook) -> bytes:
    del wb[wb.sheetnames[0]]  # the empty default sheet
    stream = BytesIO()
    wb.save(stream)
    return stream.getvalue()


RANKING_COLUMNS = [("名次", 8), ("单位", 24), ("得分", 10), ("扣分", 10), ("加分", 10)]


# ---------------------------------------------------------------- scorecard


def scorecard_workbook(scores: PeriodScores) -> bytes:
    """Sheets 排名 (rank, unit, score, deductions, credits) and 明细 (each score entry: unit,
    rule, amount, event type, event id, event date, note), in ranking order."""
    wb = Workbook()
    _sheet(
        wb,
        "排名",
        RANKING_COLUMNS,
        (
            (c.rank, c.unit.name, number(c.score), number(c.deductions), number(c.credits))
            for c in scores.cards
        ),
    )
    _sheet(
        wb,
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
                c.unit.name,
                rule_name(e.rule),
                number(e.amount),
                EVENT_NAMES.get(e.event_type, e.event_type),
                e.event_id,
                e.event_date,
                e.note or "",
            )
            for c in scores.cards
            for e in c.entries
        ),
    )
    return _save(wb)


# ---------------------------------------------------------------- bulletin


def bulletin_workbook(figures: dict) -> bytes:
    """A bulletin's figures: sheets 排名, 逾期任务 and 督办单 (the same as its page)."""
    wb = Workbook()
    _sheet(
        wb,
        "排名",
        RANKING_COLUMNS,
        (
            (r["rank"], r["unit"], r["score"], r["deductions"], r["credits"])
            for r in figures.get("ranking", [])
        ),
    )
    _sheet(
        wb,
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
    _sheet(
        wb,
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
    return _save(wb)


# ---------------------------------------------------------------- ledger (台账)

REPORTED = (ReportState.SUBMITTED.value, ReportState.ACCEPTED.value)


def _latest_reports(plan_id: int, successor_of: dict) -> dict[int, tuple]:
    """{task id: (report, "YYYY-MM")}: each task's newest submitted or accepted report of
    its lead unit (or of a unit that unit became), the latest period and revision winning.
    One statement for the whole plan."""
    rows = db.session.execute(
        select(
            ProgressReport.task_id,
            ProgressReport.unit_id,
            ProgressReport.percent,
            ProgressReport.progress,
            ReportingPeriod.year,
            ReportingPeriod.month,
            Task.lead_unit_id,
        )
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .join(Task, Task.id == ProgressReport.task_id)
        .where(Task.plan_id == plan_id, ProgressReport.state.in_(REPORTED))
        .order_by(
            ReportingPeriod.year, ReportingPeriod.month, ProgressReport.revision, ProgressReport.id
        )
    ).all()
    latest = {}
    for r in rows:
        if r.unit_id in successor_chain(r.lead_unit_id, successor_of):
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
]
LIGHT_COLUMN = 8


def ledger_workbook(plan_id: int, today: date) -> bytes:
    """A plan's task ledger, one row per task in document order: number, section, title,
    lead unit, co-units, due date (or the document's wording when it has none), status,
    light on `today` (绿灯/黄灯/红灯, cell filled green/yellow/red), and the newest
    submitted-or-accepted report of the lead unit: percent, progress and period.
    Nine statements whatever the number of tasks. LookupError for an unknown plan. A
    reorganised unit is named by its successor with its own name as history."""
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
    lights = task_lights(tasks, today, load_calendar(), int(get_setting("yellow_working_days")))

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
            )

    wb = Workbook()
    ws = _sheet(wb, "台账", LEDGER_COLUMNS, rows())
    for index, task in enumerate(tasks, start=2):
        cell = ws.cell(row=index, column=LIGHT_COLUMN)
        cell.fill = PatternFill("solid", fgColor=LIGHT_FILLS[lights[task.id]])
    return _save(wb)
