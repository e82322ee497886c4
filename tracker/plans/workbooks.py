"""Spreadsheets of the intake: the responsibility-list template (责任分解表) to fill in, and
the task list exported as shown on /tasks (headers in the reader's language).

Every sheet: the header row first and frozen, set column widths, dates as dates, and
text that begins with "=" stored as text, never as a formula. openpyxl (which loads lxml)
is imported only inside the functions that build a workbook, so a web worker serving
ordinary pages never loads lxml (issue 13: worker crashes; docs/deployment.md).
"""

from datetime import date
from io import BytesIO

from flask_babel import gettext as _

from tracker.plans.excel_rules import TEMPLATE_COLUMNS
from tracker.plans.lights import LIGHT_LABELS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL_COLOR = "DDE3EA"
TEMPLATE_WIDTHS = [6, 36, 50, 18, 30, 16, 20]
TEMPLATE_EXAMPLE = [
    1,
    "加快建设科技企业孵化器",
    "新建省级以上科技企业孵化器2家,孵化载体面积增加5万平方米。",
    "市科技局",
    "市发改委、市财政局",
    "2025年12月底前",
    "示例行,填写时请删除",
]


def _workbook():
    """A new openpyxl Workbook (imported here: see the module's docstring)."""
    from openpyxl import Workbook

    return Workbook()


def _fill_sheet(ws, header: list[str], widths: list[int], rows) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL_COLOR)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append(header)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill = header_font, header_fill
    for row in rows:
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"
                if len(cell.value) > 20:
                    cell.alignment = wrap
    ws.freeze_panes = "A2"


def _bytes(wb) -> bytes:
    stream = BytesIO()
    wb.save(stream)
    return stream.getvalue()


def template_workbook() -> bytes:
    """The 责任分解表 template: the seven columns and one example row to replace. Its
    headers are Chinese whatever the UI language: the importer reads them by name."""
    wb = _workbook()
    ws = wb.active
    ws.title = "责任分解表"
    _fill_sheet(ws, TEMPLATE_COLUMNS, TEMPLATE_WIDTHS, [TEMPLATE_EXAMPLE])
    return _bytes(wb)


def section_name(section) -> str:
    if section is None:
        return ""
    return " ".join(part for part in (section.path or section.label, section.title) if part)


def task_list_workbook(tasks, lights: dict[int, str]) -> bytes:
    """The task list as shown: plan, number, section, task, lead unit, co-units, due date
    (or the document's wording), status and light."""
    header = [
        _("Plan"),
        _("No."),
        _("Section"),
        _("Task"),
        _("Lead unit"),
        _("Co-units"),
        _("Due"),
        _("Status"),
        _("Light"),
    ]
    rows = (
        (
            task.plan.doc_number or task.plan.title,
            task.number,
            section_name(task.section),
            task.title,
            task.lead_unit.name,
            "、".join(u.name for u in task.co_units),
            task.due_date or (task.due_phrase or ""),
            task.status_enum.label,
            str(LIGHT_LABELS[lights[task.id]]),
        )
        for task in tasks
    )
    wb = _workbook()
    ws = wb.active
    ws.title = _("Tasks")[:31]
    _fill_sheet(ws, header, [22, 6, 28, 50, 18, 30, 14, 12, 10], rows)
    return _bytes(wb)
