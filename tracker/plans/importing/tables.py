"""Task tables: "序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限", as a web page or a
.docx table gives them (cells separated by "|" or tabs, possibly one cell per line)."""

import re
from dataclasses import dataclass

_HEADER_WORD = re.compile(
    r"序号|任务|工作|内容|措施|事项|目标|单位|领导|时限|时间|进度|备注|情况|主体|部门|说明|是否"
)
_TEXT_COL = re.compile(r"任务|工作|内容|措施|事项|目标")
_LEAD_COL = re.compile(r"牵头")
_UNIT_COL = re.compile(r"责任单位|责任部门|责任主体|承办单位")
_CO_COL = re.compile(r"配合|协同|协办|参与")
_DUE_COL = re.compile(r"时限|完成时间|时间节点|完成期限")
_NOT_TEXT = re.compile(r"单位|领导|部门|时限|时间|主体|序号")


@dataclass
class TableRow:
    number: str
    text: str
    lead: str | None
    units: str | None
    co: str | None
    due: str | None
    start: int
    end: int


def find_table(lines: list[tuple[str, int, int]]) -> list[TableRow]:
    """Rows of the first task table in `lines` (empty when there is none)."""
    cells: list[tuple[str, int, int]] = []
    for text, start, _end in lines:
        if "|" not in text and "\t" not in text:
            continue
        pos = 0
        for raw in re.split(r"[|\t]", text):
            cell_start = start + pos
            pos += len(raw) + 1
            if pos > len(text) and not raw.strip():
                break  # after the row's last separator
            cells.append((raw.strip(), cell_start, cell_start + len(raw)))
    names = [c[0] for c in cells]
    if "序号" not in names:
        return []
    h = names.index("序号")
    k = h
    while k < len(names) and names[k] and len(names[k]) <= 12 and _HEADER_WORD.search(names[k]):
        k += 1
    header = [re.sub(r"\s+", "", n) for n in names[h:k]]
    if len(header) < 3 or not any(_UNIT_COL.search(x) or _LEAD_COL.search(x) for x in header):
        return []

    def col(pattern, exclude=None):
        for i, name in enumerate(header):
            if pattern.search(name) and not (exclude and exclude.search(name)):
                return i
        return None

    i_text = col(_TEXT_COL, _NOT_TEXT)
    i_lead, i_units = col(_LEAD_COL), col(_UNIT_COL)
    i_co, i_due = col(_CO_COL), col(_DUE_COL)
    rows = []
    body = cells[k:]
    width = len(header)
    for r in range(0, len(body) - width + 1, width):
        row = body[r : r + width]
        if not row[0][0].isdecimal() or i_text is None:
            continue

        def get(i, row=row):
            return row[i][0] or None if i is not None else None

        rows.append(
            TableRow(
                row[0][0], row[i_text][0], get(i_lead), get(i_units), get(i_co), get(i_due),
                row[0][1], row[-1][2],
            )
        )  # fmt: skip
    return rows
