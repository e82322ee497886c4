"""The monthly published pace list (序时进度), as Excel and Word: the tasks behind pace at the
month's end with their plan, lead unit, due date, expected and reported percents and the gap.

Like the lists cities publish, its fixed wording is Chinese whatever the reader's UI language.
openpyxl and python-docx (and their lxml) are imported inside the functions that build a
file, so a web worker serving ordinary pages never loads lxml (docs/deployment.md).
"""

from io import BytesIO

from tracker.plans.milestones.queries import PAGE_SIZE
from tracker.plans.workbooks import _bytes, _fill_sheet, _workbook

__all__ = ["PAGE_SIZE", "HEADER", "pace_rows", "pace_workbook", "pace_document"]

HEADER = [
    "序号",
    "规划文件",
    "任务",
    "牵头单位",
    "完成时限",
    "序时进度（%）",
    "上报进度（%）",
    "差距",
]
WIDTHS = [6, 24, 50, 18, 12, 12, 12, 8]


def pace_rows(rows) -> list[list]:
    """One line per (task, pace) of queries.pace_list."""
    return [
        [
            index,
            task.plan.doc_number or task.plan.title,
            f"{task.number}. {task.title}",
            task.lead_unit.name,
            task.due_date or (task.due_phrase or ""),
            pace.expected,
            pace.reported,
            pace.reported - pace.expected,
        ]
        for index, (task, pace) in enumerate(rows, start=1)
    ]


def _title(month: str) -> str:
    return f"{month} 慢于序时进度任务清单"


def pace_workbook(rows, month: str) -> bytes:
    """The pace list as a workbook, one sheet."""
    wb = _workbook()
    ws = wb.active
    ws.title = "序时进度"
    _fill_sheet(ws, HEADER, WIDTHS, pace_rows(rows))
    return _bytes(wb)


def pace_document(rows, month: str) -> bytes:
    """The pace list as a Word document: a title and one table (A4 landscape)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    doc.add_heading(_title(month), level=1)
    lines = pace_rows(rows)
    if not lines:
        doc.add_paragraph("本月无慢于序时进度的任务。")
    else:
        table = doc.add_table(rows=1, cols=len(HEADER))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
            cell.text = text
        for line in lines:
            cells = table.add_row().cells
            for cell, value in zip(cells, line, strict=True):
                cell.text = "" if value is None else str(value)
    stream = BytesIO()
    doc.save(stream)
    return stream.getvalue()
