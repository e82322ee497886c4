"""Reading a responsibility list (责任分解表) or the system's own task ledger (台账) from
a spreadsheet: pure rules over the cells' values — no database, no request, no clock.

Rules (see docs/intake.md, "Imports"):
- the header row is found among the first ten rows by its names (任务 and 牵头单位 at
  least); columns may come in any order, with common synonyms (责任单位, 完成时间 …);
  the ledger's own columns (部分, 状态, 灯号, 最新进展 …) are read or ignored;
- empty rows are skipped; a row needs a task (任务) and a lead unit (牵头单位);
- the first unit named in 牵头单位 leads ("市工信局（原市经信委）", as the ledger names a
  reorganised unit, is 市工信局); further names there, then 配合单位, are the
  co-units in the order written ("、", ",", ";" or a line break between names);
- a unit is matched by name, alias or close spelling (the document importer's
  UnitMatcher); a matched unit replaced in a reorganisation is replaced by its successor;
  an unknown name gets up to three suggestions, or the office creates it;
- 完成时限 may be a date cell, 2025-06-30, 2025/6/30, 2025.6.30, 2025年6月30日, a phrase
  ("2025年6月底前", "到2025年") or a timing without a date (长期, 每季度, 常态化 …); a
  phrase without a year ("6月底前") takes the plan's year; anything else is flagged with
  its cell (e.g. "F7");
- a task written twice (same title, or same 序号) is flagged on the later row, as is a
  task already in the target plan;
- 序号 is kept when every row has a distinct whole number, else the rows are numbered
  1, 2, 3 … in order (into an existing plan, after its last task).
"""

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process

from tracker.plans.importing.dates import find_deadline, find_recurring
from tracker.plans.importing.numbering import recognise
from tracker.plans.importing.units import (
    KnownUnit,
    UnitMatcher,
    normalise_unit_name,
    split_unit_names,
)
from tracker.plans.milestones.rules import read_milestones_cell

# The template's columns, in order (also its header row).
TEMPLATE_COLUMNS = ["序号", "任务", "具体内容", "牵头单位", "配合单位", "完成时限", "备注"]

# field -> header names that mean it (normalised: no spaces, half-width brackets)
HEADER_NAMES = {
    "number": ("序号", "编号", "任务序号"),
    "section": ("部分", "工程", "章节", "所属部分"),
    "title": ("任务", "任务名称", "重点任务", "工作任务", "主要任务", "任务事项"),
    "text": ("具体内容", "工作内容", "任务内容", "主要内容", "具体措施", "工作措施"),
    "lead": ("牵头单位", "责任单位", "牵头部门", "主办单位", "责任部门"),
    "co": ("配合单位", "配合部门", "协办单位", "参与单位"),
    "due": ("完成时限", "时限", "完成时间", "时间节点", "完成期限", "时限要求"),
    "note": ("备注",),
    "milestones": ("节点", "阶段节点", "节点安排", "阶段目标"),  # optional (issue 14)
}
REQUIRED_FIELDS = ("title", "lead")
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 5000
TITLE_MAX = 300
PHRASE_MAX = 100

MESSAGES = {
    "no_header": _l(
        "No header row found: the first rows must name the columns 任务 and 牵头单位 "
        "(download the template)."
    ),
    "no_rows": _l("The sheet has no task rows."),
    "too_many_rows": _l("The sheet has more than %(max)s rows; split it into several files."),
    "title_missing": _l("%(cell)s: the task (任务) is empty."),
    "title_too_long": _l("%(cell)s: the task is longer than %(max)s characters."),
    "lead_missing": _l("%(cell)s: no lead unit (牵头单位)."),
    "unit_unknown": _l("%(cell)s: unknown unit “%(name)s”."),
    "due_bad": _l("%(cell)s: the deadline “%(value)s” cannot be read as a date."),
    "due_no_year": _l("%(cell)s: the deadline “%(value)s” names no year."),
    "duplicate_title": _l("%(cell)s: the same task as row %(other)s."),
    "duplicate_number": _l("%(cell)s: number %(value)s is also used in row %(other)s."),
    "already_in_plan": _l("%(cell)s: the plan already has this task."),
    "milestone_bad": _l("%(cell)s: the milestone “%(value)s” does not start with a date."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at a cell ("F7") or for the whole sheet (cell "")."""

    key: str
    cell: str = ""
    params: tuple = ()

    @property
    def message(self) -> str:
        return str(MESSAGES[self.key]) % {"cell": self.cell, **dict(self.params)}


@dataclass(frozen=True)
class DueReading:
    """A deadline cell read: its date (None for "长期" or an empty cell), the phrase as
    written (None for a plain date) and the problem key if it could not be read."""

    due: date | None = None
    phrase: str | None = None
    problem: str | None = None


@dataclass
class UnitChoice:
    """How a written unit name resolves: `name` is the unit to use (None while unknown),
    `via` how it was found, `suggestions` known names close to an unknown one."""

    written: str
    name: str | None
    via: str
    suggestions: list[str] = field(default_factory=list)
    replaced: str | None = None  # the reorganised unit the name was written as


@dataclass
class RowCheck:
    """One task row as read, with its problems."""

    row: int
    number: int | None
    section: tuple[str, str] | None  # (label, title) from 部分
    title: str
    text: str
    lead: str | None
    co_units: list[str]
    due: date | None
    due_phrase: str | None
    note: str | None
    problems: list[Problem] = field(default_factory=list)
    milestones: list[dict] = field(default_factory=list)  # the 节点 column, read


@dataclass
class SheetCheck:
    """The whole preview: rows, sheet-level problems and every written unit name."""

    rows: list[RowCheck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    units: dict[str, UnitChoice] = field(default_factory=dict)
    columns: dict[str, int] = field(default_factory=dict)

    @property
    def unknown_units(self) -> list[UnitChoice]:
        return [u for u in self.units.values() if u.name is None]

    def all_problems(self) -> list[Problem]:
        return self.problems + [p for r in self.rows for p in r.problems]

    @property
    def blocking(self) -> list[Problem]:
        """Problems the file itself must fix (unknown units are settled in the preview)."""
        return [p for p in self.all_problems() if p.key != "unit_unknown"]


def column_letter(index: int) -> str:
    """The spreadsheet name of the 1-based column `index`: 1 → A, 26 → Z, 27 → AA (as
    openpyxl's get_column_letter; kept here so a rules module does not load openpyxl/lxml)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_key(value) -> str:
    """A header cell in one form: no spaces, half-width brackets, no "(%)" tails."""
    text = re.sub(r"\s+", "", str(value or ""))
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\(.*\)$", "", text)


def find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, {field: column index}) among the first rows, or None."""
    lookup = {name: f for f, names in HEADER_NAMES.items() for name in names}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            f = lookup.get(header_key(value))
            if f and f not in columns:
                columns[f] = col
        if all(f in columns for f in REQUIRED_FIELDS):
            return index, columns
    return None


def cell_text(value) -> str:
    """A cell as text: dates as ISO, whole floats without ".0", stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_NUMERIC_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_ONLY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:底|末)?$")
_YEAR_ONLY = re.compile(r"^(\d{4})\s*年?(?:底|末)?$")
_TIMINGS = ("长期", "长期坚持", "长期推进", "持续推进", "常态化", "常态化推进", "每月", "每季度",
            "每半年", "每年", "全年")  # fmt: skip


def read_due(value, plan_year: int | None = None) -> DueReading:
    """A 完成时限 cell (see the module docstring); never raises."""
    if value is None or value == "":
        return DueReading()
    if isinstance(value, datetime):
        return DueReading(value.date())
    if isinstance(value, date):
        return DueReading(value)
    text = cell_text(value).replace("\n", "")
    if not text:
        return DueReading()
    for pattern in (_NUMERIC_DATE, _COMPACT_DATE):
        m = pattern.match(text)
        if m:
            try:
                return DueReading(date(int(m[1]), int(m[2]), int(m[3])))
            except ValueError:
                return DueReading(phrase=text[:PHRASE_MAX], problem="due_bad")
    phrase = text[:PHRASE_MAX]
    m = _MONTH_ONLY.match(text)
    if m and 1 <= int(m[2]) <= 12 and 1900 < int(m[1]) < 2200:
        year, month = int(m[1]), int(m[2])
        return DueReading(date(year, month, monthrange(year, month)[1]), phrase)
    m = _YEAR_ONLY.match(text)
    if m and 1900 < int(m[1]) < 2200:
        return DueReading(date(int(m[1]), 12, 31), phrase)
    if text in _TIMINGS or find_recurring(text):
        if text == "全年" and plan_year:
            return DueReading(date(plan_year, 12, 31), phrase)
        return DueReading(None, phrase)
    found = find_deadline(text, plan_year)
    if found and found.due:
        return DueReading(found.due, phrase)
    if found:  # "6月底前" and no year to take it from
        return DueReading(None, phrase, "due_no_year")
    return DueReading(None, phrase, "due_bad")


_EXTRA_SEPARATORS = re.compile(r"[,，;；/\n]+")


_FORMER_NAME = re.compile(r"^(.+?)[(（]原[^()（）]+[)）]$")


def split_units(value) -> list[str]:
    """The unit names of a cell, in order, each once ("A、B", "A,B", "A;B", lines). The
    ledger's "市工信局（原市经信委）" names the unit answering today: 市工信局."""
    text = _EXTRA_SEPARATORS.sub("、", cell_text(value))
    names: list[str] = []
    for name in split_unit_names(text):
        former = _FORMER_NAME.match(name)
        name = former.group(1) if former else name
        if name and name not in names:
            names.append(name)
    return names


def suggest(written: str, choices: list[str], limit: int = 3) -> list[str]:
    """Known names closest to an unknown one, best first (empty without rapidfuzz)."""
    if not choices:
        return []
    hits = process.extract(written, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return [name for name, _score, _i in hits]


def resolve_unit(written: str, matcher: UnitMatcher, names: list[str]) -> UnitChoice:
    """A written name resolved by the importer's matcher; the successor takes a reorganised
    unit's place; an unknown name gets suggestions from `names`."""
    proposal = matcher.match(written)
    if not proposal.known:
        found: list[str] = []
        for hit in suggest(proposal.name, names):
            known = matcher.match(hit)  # an alias or a reorganised unit: the unit to use
            name = known.successor or known.name
            if name not in found:
                found.append(name)
        return UnitChoice(written, None, "new", found)
    if proposal.successor and proposal.successor != proposal.name:
        return UnitChoice(written, proposal.successor, "successor", replaced=proposal.name)
    return UnitChoice(written, proposal.name, proposal.via)


def section_of(value) -> tuple[str, str] | None:
    """(label, title) of a 部分 cell: "(一)“双创”载体…" -> ("(一)", "“双创”载体…")."""
    text = cell_text(value)
    if not text:
        return None
    normal = text.replace("（", "(").replace("）", ")")
    marker = recognise(normal)
    if marker is None:
        return ("", text)
    return (marker.label, normal[marker.end :].strip() or text)


def _title_key(title: str) -> str:
    return re.sub(r"[\s。;;,,、.]+", "", title)


def check_rows(
    rows: list[tuple],
    known: list[KnownUnit],
    *,
    plan_year: int | None = None,
    existing_titles: frozenset[str] = frozenset(),
) -> SheetCheck:
    """Read and check every row of a sheet (`rows`: the cells' values, header included)."""
    check = SheetCheck()
    found = find_header(rows)
    if found is None:
        check.problems.append(Problem("no_header"))
        return check
    header_index, columns = found
    check.columns = columns
    matcher = UnitMatcher(known)
    names = [u.name for u in known] + [a for u in known for a in u.aliases]
    existing = {_title_key(t) for t in existing_titles}
    seen_titles: dict[str, int] = {}
    seen_numbers: dict[int, int] = {}

    def cell(row: tuple, name: str):
        col = columns.get(name)
        return row[col] if col is not None and col < len(row) else None

    def ref(name: str, excel_row: int) -> str:
        return f"{column_letter(columns[name] + 1)}{excel_row}"

    body = rows[header_index + 1 :]
    if len(body) > MAX_ROWS:
        check.problems.append(Problem("too_many_rows", params=(("max", MAX_ROWS),)))
        return check
    for offset, row in enumerate(body):
        if not any(cell_text(v) for v in row):
            continue
        excel_row = header_index + 2 + offset
        problems: list[Problem] = []
        title = cell_text(cell(row, "title"))
        if not title:
            problems.append(Problem("title_missing", ref("title", excel_row)))
        elif len(title) > TITLE_MAX:
            problems.append(
                Problem("title_too_long", ref("title", excel_row), (("max", TITLE_MAX),))
            )
        units = split_units(cell(row, "lead"))
        if not units:
            problems.append(Problem("lead_missing", ref("lead", excel_row)))
        co = [n for n in split_units(cell(row, "co")) if n not in units]
        for position, name in enumerate(units + co):
            if name not in check.units:
                check.units[name] = resolve_unit(name, matcher, names)
            if check.units[name].name is None:
                column = "lead" if position < len(units) or "co" not in columns else "co"
                problems.append(Problem("unit_unknown", ref(column, excel_row), (("name", name),)))
        due = DueReading()
        if "due" in columns:
            due = read_due(cell(row, "due"), plan_year)
            if due.problem:
                problems.append(
                    Problem(due.problem, ref("due", excel_row), (("value", due.phrase),))
                )
        number = _whole_number(cell(row, "number"))
        if number is not None and number in seen_numbers:
            problems.append(
                Problem(
                    "duplicate_number",
                    ref("number", excel_row),
                    (("value", number), ("other", seen_numbers[number])),
                )
            )
        elif number is not None:
            seen_numbers[number] = excel_row
        key = _title_key(title)
        if key and key in seen_titles:
            problems.append(
                Problem("duplicate_title", ref("title", excel_row), (("other", seen_titles[key]),))
            )
        elif key in existing:
            problems.append(Problem("already_in_plan", ref("title", excel_row)))
        elif key:
            seen_titles[key] = excel_row
        text = cell_text(cell(row, "text")) or title
        milestones, unread = read_milestones_cell(cell_text(cell(row, "milestones")))
        for part in unread[:3]:
            problems.append(
                Problem("milestone_bad", ref("milestones", excel_row), (("value", part[:30]),))
            )
        check.rows.append(
            RowCheck(
                row=excel_row,
                number=number,
                section=section_of(cell(row, "section")) if "section" in columns else None,
                title=title,
                text=text,
                lead=units[0] if units else None,
                co_units=units[1:] + co,
                due=due.due,
                due_phrase=due.phrase,
                note=cell_text(cell(row, "note")) or None,
                problems=problems,
                milestones=milestones,
            )
        )
    if not check.rows:
        check.problems.append(Problem("no_rows"))
    return check


def _whole_number(value) -> int | None:
    text = cell_text(value)
    return int(text) if text.isdecimal() and 0 < int(text) < 100000 else None


def task_numbers(rows: list[RowCheck], after: int = 0) -> list[int]:
    """The numbers the tasks get: the file's 序号 when every row has a distinct one and
    nothing precedes them (`after` = the plan's last number), else after+1, after+2 …"""
    numbers = [r.number for r in rows]
    if after == 0 and all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
        return numbers
    return list(range(after + 1, after + 1 + len(rows)))


def unit_key(name: str) -> str:
    """The normalised form the preview uses to name a unit choice."""
    return normalise_unit_name(name)
