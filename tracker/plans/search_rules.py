"""Finding work: the task list's filters as read from the URL, search terms, and the date
boundaries that let the light filter run in SQL. Pure: no db, no request, no clock.

Rules (see docs/intake.md, "Search"):
- a query is split on spaces into at most five terms of at most 50 characters; a task
  matches when every term is a substring of its title or its text (case-insensitive);
- a bad filter value (an unknown status, a date that is not YYYY-MM-DD, a page that is not
  a number) is dropped with a message, never an error page;
- the light of an open task depends only on its due date, so the lights are date ranges:
  red (逾期) up to `last_red`, yellow (预警) up to `last_yellow`, green after — computed
  with `task_light` itself, once per request, then compared in SQL.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from tracker.calendar.rules import WorkingCalendar
from tracker.plans.lights import GREEN, RED, YELLOW, task_light
from tracker.plans.models import PlanKind, TaskStatus

MAX_TERMS = 5
MAX_TERM_LENGTH = 50
MAX_QUERY_LENGTH = 100
PAGE_SIZE = 50
ARCHIVED = "archived"  # a status filter value: tasks withdrawn (撤销)
ROLES = ("any", "lead", "co")
SORTS = ("number", "due", "title", "lead", "status")
LIGHTS = (GREEN, YELLOW, RED)
# FTS5's trigram tokenizer indexes three characters at a time: a shorter term is looked up
# with LIKE instead (SQLite only; PostgreSQL's ILIKE takes any length).
TRIGRAM = 3

MESSAGES = {
    "bad_int": _l("“%(value)s” is not a valid choice for %(name)s; the filter was ignored."),
    "bad_choice": _l("“%(value)s” is not a valid choice for %(name)s; the filter was ignored."),
    "bad_date": _l("“%(value)s” is not a date (YYYY-MM-DD); the filter was ignored."),
    "bad_range": _l("The due range ends before it starts; the filter was ignored."),
    "long_query": _l("The search was shortened to %(max)s characters."),
}


@dataclass(frozen=True)
class TaskFilters:
    """What the task list shows, as kept in its URL."""

    q: str = ""
    plan: int | None = None
    kind: str = ""
    section: int | None = None
    unit: int | None = None
    role: str = "any"
    status: str = ""
    light: str = ""
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    mine: bool = False
    behind: bool = False  # 慢于序时: behind pace (tracker.plans.milestones)
    sort: str = "number"
    desc: bool = False
    page: int = 1

    def query_args(self, **changes) -> dict[str, str]:
        """The URL arguments for these filters (defaults left out), with `changes` applied:
        the pager, the sort links and the export link all keep the other filters."""
        current = replace(self, **changes)
        args = {}
        for f in fields(self):
            value = getattr(current, f.name)
            if value == f.default:
                continue
            if isinstance(value, bool):
                args[f.name] = "1"
            elif isinstance(value, date):
                args[f.name] = value.isoformat()
            else:
                args[f.name] = str(value)
        return args

    @property
    def terms(self) -> list[str]:
        return search_terms(self.q)

    @property
    def active(self) -> bool:
        """Is anything filtered (sort and page aside)?"""
        return bool(self.query_args(sort="number", desc=False, page=1))

    @property
    def only_dated(self) -> bool:
        """Does every task these filters select have a due date? (Red and yellow, overdue
        and a due range all compare the due date.) Then the due sort needs no "undated
        last" term and the database can read the due-date index in order."""
        return self.light in (RED, YELLOW) or self.overdue or bool(self.due_from or self.due_to)


@dataclass
class Parsed:
    filters: TaskFilters
    problems: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [str(MESSAGES[key]) % params for key, params in self.problems]


_LABELS = {
    "plan": _l("plan"),
    "kind": _l("source kind"),
    "section": _l("section"),
    "unit": _l("unit"),
    "role": _l("unit's role"),
    "status": _l("status"),
    "light": _l("light"),
    "sort": _l("sort"),
    "page": _l("page"),
}
_TRUE = {"1", "true", "on", "yes", "y"}


def parse_filters(args: Mapping[str, str]) -> Parsed:
    """TaskFilters from URL arguments; bad values are dropped with a message."""
    problems: list[tuple[str, dict]] = []
    values: dict = {}

    def text(name: str) -> str:
        return (args.get(name) or "").strip()

    q = re.sub(r"\s+", " ", text("q"))
    if len(q) > MAX_QUERY_LENGTH:
        q = q[:MAX_QUERY_LENGTH]
        problems.append(("long_query", {"max": MAX_QUERY_LENGTH}))
    values["q"] = q
    for name in ("plan", "section", "unit", "page"):
        raw = text(name)
        if not raw:
            continue
        if raw.isdecimal() and 0 < int(raw) < 2**31:
            values[name] = int(raw)
        else:
            problems.append(("bad_int", {"value": raw[:20], "name": _LABELS[name]}))
    choices = {
        "kind": [k.value for k in PlanKind],
        "role": list(ROLES),
        "status": [s.value for s in TaskStatus] + [ARCHIVED],
        "light": list(LIGHTS),
        "sort": list(SORTS),
    }
    for name, allowed in choices.items():
        raw = text(name)
        if not raw:
            continue
        if raw in allowed:
            values[name] = raw
        else:
            problems.append(("bad_choice", {"value": raw[:20], "name": _LABELS[name]}))
    for name in ("due_from", "due_to"):
        raw = text(name)
        if not raw:
            continue
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            problems.append(("bad_date", {"value": raw[:20]}))
    if values.get("due_from") and values.get("due_to") and values["due_to"] < values["due_from"]:
        problems.append(("bad_range", {}))
        values.pop("due_from"), values.pop("due_to")
    for name in ("overdue", "mine", "behind", "desc"):
        values[name] = text(name).lower() in _TRUE
    return Parsed(TaskFilters(**values), problems)


def search_terms(q: str) -> list[str]:
    """The terms of a query: split on spaces, at most five, each at most 50 characters."""
    terms: list[str] = []
    for term in (q or "").split():
        term = term[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def fts_phrase(term: str) -> str:
    """A term as one FTS5 phrase: quoted, inner quotes doubled (no query syntax leaks)."""
    return '"' + term.replace('"', '""') + '"'


def has_letter_case(term: str) -> bool:
    """Does the term hold a letter with an upper and a lower case ("AI", "Ä")? Chinese has
    none: such a term is matched as it is, without folding case."""
    return term.lower() != term.upper()


def uses_trigram_index(term: str) -> bool:
    return len(term) >= TRIGRAM


# The trigram index holds each title and text followed by a line break (migration 0007), so
# any two characters of a task stand at the start of one of its trigrams.
_LAST_CHARACTER = "\U0010ffff"


def trigram_prefix_range(term: str) -> tuple[str, str] | None:
    """A two-character term as the range of indexed trigrams that start with it ([low,
    high)): a task holds the term iff one of its trigrams lies in that range. None for a
    term the index answers directly (three characters or more) or not at all (one).
    Lower case: the trigram tokenizer folds case."""
    if len(term) != TRIGRAM - 1:
        return None
    low = term.lower()
    return low, low + _LAST_CHARACTER


@dataclass(frozen=True)
class LightBounds:
    """An open task due on or before `last_red` is red; after it and on or before
    `last_yellow`, yellow; later, green."""

    last_red: date
    last_yellow: date


def light_bounds(
    today: date, calendar: WorkingCalendar, warn_days: int, horizon: int = 400
) -> LightBounds:
    """The due-date boundaries of the lights on `today`, found with `task_light` (the one
    rule): red is the due dates before the last working day that has passed; yellow runs
    as far as the warning window reaches. The light only grows greener as the due date
    moves later, so the boundaries are where it changes."""
    open_status = TaskStatus.ASSIGNED.value
    day = today  # today itself is never red; a few days back (a holiday's) are
    while task_light(open_status, day, today, calendar, warn_days) != RED:
        day -= timedelta(days=1)
    last_red = day
    for _ in range(horizon):  # from the last red day: a holiday today may leave no yellow
        if task_light(open_status, day + timedelta(days=1), today, calendar, warn_days) == GREEN:
            break
        day += timedelta(days=1)
    return LightBounds(last_red, day)
