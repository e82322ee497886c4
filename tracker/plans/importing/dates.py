"""Deadlines: the phrase a document uses ("2024年底前", "到2020年") and the date it means.

Rules (see docs/importer.md):
- "YYYY年M月D日(前)" is that day; "YYYY年M月(底)(前)" the month's last day;
  "(到)YYYY年底(前)", "到YYYY年", "YYYY年前" the year's last day;
- "M月底前" without a year takes the plan's year, when the plan has one;
- "长期坚持", "持续推进", "每季度", "每月", "每年", "常态化" are kept as the phrase, and the
  plan's horizon gives the date; "全年" is the plan year's last day;
- a measure's own yearly steps ("到2021年底…", "2022年…", "（2021-2023年）") are its
  milestones (find_steps);
- the plan's horizon: its last phase ("2023年底建设成型"), else the latest "到YYYY年" of
  its targets, else the period in its title ("(2021—2023年)", "“十四五”", "2023年").
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Deadline:
    phrase: str
    due: date | None
    start: int = 0  # offset of the phrase in the searched text


def _month_end(y: int, m: int) -> date | None:
    if not (1 <= m <= 12 and 1900 < y < 2200):
        return None
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d) if 1900 < y < 2200 else None
    except ValueError:
        return None


_DAY = re.compile(r"(?:到|至|于|在)?(\d{4})年(\d{1,2})月(\d{1,2})日(前|之前|以前)?(?!起)")
_MONTH = re.compile(r"(到|至|于|在)?(\d{4})年(\d{1,2})月(底|末)?(前|之前|以前)?")
_YEAR_END = re.compile(r"(?:到|至|于|在)?(\d{4})年(?:年)?(?:底|末)(?:前|之前|以前)?")
_BY_YEAR = re.compile(r"(?:到|至)(\d{4})年|(\d{4})年(?:前|之前|以前)")
_MONTH_NO_YEAR = re.compile(r"(?<![\d年])(\d{1,2})月(?:底|末)?(?:前|之前|以前)")
# A timing that names no date counts only where a deadline stands: a whole clause at the
# end of the item, in brackets, or after 时限 ("每年新认定的…" is not a timing).
_RECURRING = re.compile(
    r"(?:^|[。;,(]|时限[::]?)\s*(长期坚持|长期推进|长期|持续推进|每季度|每半年|每月|每年|常态化推进|常态化|全年)"
    r"\s*\)?[。;]?$"
)


def find_deadline(text: str, plan_year: int | None = None) -> Deadline | None:
    """The first deadline phrase in `text`, with its date (None if it names none)."""
    found: list[Deadline] = []
    for m in _DAY.finditer(text):
        if m.group(0).startswith(("到", "至", "于", "在")) or m.group(4):
            due = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            found.append(Deadline(m.group(0), due, m.start()))
    for m in _MONTH.finditer(text):
        if (m.group(1) or m.group(4) or m.group(5)) and not text[m.end() : m.end() + 1].isdecimal():
            found.append(
                Deadline(m.group(0), _month_end(int(m.group(2)), int(m.group(3))), m.start())
            )
    for m in _YEAR_END.finditer(text):
        found.append(Deadline(m.group(0), _safe_date(int(m.group(1)), 12, 31), m.start()))
    for m in _BY_YEAR.finditer(text):
        y = int(m.group(1) or m.group(2))
        found.append(Deadline(m.group(0), _safe_date(y, 12, 31), m.start()))
    for m in _MONTH_NO_YEAR.finditer(text):
        due = _month_end(plan_year, int(m.group(1))) if plan_year else None
        found.append(Deadline(m.group(0), due, m.start()))
    if not found:
        return None
    # The earliest phrase; at one place the longest reading ("2024年6月底前" over "2024年").
    found.sort(key=lambda d: (d.start, -len(d.phrase)))
    return found[0]


_LONG_TERM = re.compile(r"(长期坚持|长期推进|长期实施)[。;]?$")


def find_recurring(text: str) -> str | None:
    """A timing phrase that names no date: "长期坚持", "每季度" …"""
    text = text.strip()
    m = _RECURRING.search(text) or _LONG_TERM.search(text)
    return m.group(1) if m else None


def task_deadline(
    text: str, horizon: Deadline | None, plan_year: int | None
) -> tuple[date | None, str | None]:
    """A task's (due date, due phrase): its own phrase, else the plan's horizon."""
    own = find_deadline(text, plan_year)
    if own:
        return own.due, own.phrase
    recurring = find_recurring(text)
    if recurring == "全年" and plan_year:
        return date(plan_year, 12, 31), recurring
    if recurring:
        return (horizon.due if horizon else None), recurring
    if horizon:
        return horizon.due, horizon.phrase
    return None, None


# --------------------------------------------------------------------------- a measure's steps

# a clause ends at 。；; or at a comma that a year follows ("…出台方案，2022年全面实施")
_CLAUSE_END = re.compile(r"[。；;\n]|[，,](?=\s*(?:到|至|于|在)?\d{4}年)")
_STEP = re.compile(r"^[，,、\s]*(?:到|至|于|在)?(\d{4})年(?!以来|来|起|至今)")
_YEARS = re.compile(r"[（(](\d{4})\s*[—–\-~至到]+\s*(\d{4})\s*年[）)]")
DELIVERABLE_MAX = 200


@dataclass(frozen=True)
class Step:
    """A dated step of one measure (a milestone, 节点): its date, the words that date it,
    and what must exist by then (the clause it opens)."""

    due: date
    phrase: str
    deliverable: str


def step_of(clause: str) -> Step | None:
    """One clause that opens with a year as a step: "到2021年底，建成…" is due at the
    phrase's date, "2022年，新增…" at the year's end; None when it opens otherwise."""
    words = clause.strip(" ，,、")
    m = _STEP.match(words)
    if not m:
        return None
    year = int(m.group(1))
    own = find_deadline(words, year)
    if own and own.start == 0 and own.due and own.due.year == year:
        return Step(own.due, own.phrase, words[:DELIVERABLE_MAX])
    if 1900 < year < 2200:
        return Step(date(year, 12, 31), m.group(0).strip(" ，,、"), words[:DELIVERABLE_MAX])
    return None


def find_steps(text: str) -> list[Step]:
    """The yearly steps of a measure, by date (docs/milestones.md):
    - a clause that opens with a year — "到2021年底，建成…", "2022年，新增…" — is a step
      due at that phrase's date (the year's end unless it names a month or day);
    - a span of years in brackets — "（2021-2023年）" — is a step at each year's end;
    - fewer than two dates is no timetable (one date is the measure's own deadline)."""
    found: dict[date, Step] = {}
    for clause in _CLAUSE_END.split(text):
        step = step_of(clause)
        if step is not None:
            found.setdefault(step.due, step)
    for m in _YEARS.finditer(text):
        first, last = int(m.group(1)), int(m.group(2))
        if not (1900 < first < last < 2200 and last - first <= 10):
            continue
        for year in range(first, last + 1):
            due = date(year, 12, 31)
            found.setdefault(due, Step(due, m.group(0), f"{year}年度任务{m.group(0)}"))
    steps = sorted(found.values(), key=lambda s: s.due)
    return steps if len(steps) >= 2 else []


# --------------------------------------------------------------------------- plan level

_PHASE = re.compile(r"^(?:——)?(\d{4})年(底|末)?([\u4e00-\u9fff]{2,8})[。,;:]")
_TARGET = re.compile(r"(?:到|至)(\d{4})年(?:底|末)?")
_RANGE = re.compile(r"(\d{4})\s*[—–\-~至到]+\s*(\d{4})\s*年")
_FIVE_YEAR = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十二五": 2015}


@dataclass(frozen=True)
class Phase:
    year: int
    phrase: str
    due: date


def find_phases(lines: list[str]) -> list[Phase]:
    """A plan's timetable: consecutive lines "2021年架梁立柱。…", "2022年重点突破。…"."""
    phases: list[Phase] = []
    for line in lines:
        m = _PHASE.match(line.strip())
        if not m:
            continue
        year = int(m.group(1))
        if phases and year != phases[-1].year + 1:
            if len(phases) >= 2:
                break
            phases = []
        phrase = line.strip()[: m.end() - 1].lstrip("—")
        phases.append(Phase(year, phrase, date(year, 12, 31)))
    return phases if len(phases) >= 2 else []


def plan_horizon(phases: list[Phase], target_text: str, title: str | None) -> Deadline | None:
    """The plan's horizon (see module docstring)."""
    if phases:
        return Deadline(phases[-1].phrase, phases[-1].due)
    best = None
    for m in _TARGET.finditer(target_text):
        y = int(m.group(1))
        if best is None or y > best[0]:
            best = (y, m.group(0))
    if best:
        return Deadline(best[1], date(best[0], 12, 31))
    return title_horizon(title)


def title_horizon(title: str | None) -> Deadline | None:
    if not title:
        return None
    m = _RANGE.search(title)
    if m:
        return Deadline(m.group(0), date(int(m.group(2)), 12, 31))
    for name, year in _FIVE_YEAR.items():
        if name in title:
            return Deadline(f"“{name}”", date(year, 12, 31))
    years = re.findall(r"(\d{4})年", title)
    if len(set(years)) == 1:
        return Deadline(f"{years[0]}年", date(int(years[0]), 12, 31))
    return None


def plan_year(title: str | None, issued_on: date | None) -> int | None:
    """The year a "5月底前" refers to: the title's year, else the year of issue."""
    h = title_horizon(title)
    if h and h.due and not _RANGE.search(title or ""):
        return h.due.year
    return issued_on.year if issued_on else None
