"""The task list's filters from the URL, search terms, and the light boundaries."""

from datetime import date, timedelta

import pytest

from tracker.calendar.rules import WorkingCalendar
from tracker.common.text import like_pattern
from tracker.plans.lights import task_light
from tracker.plans.search_rules import (
    LightBounds,
    TaskFilters,
    fts_phrase,
    has_letter_case,
    light_bounds,
    parse_filters,
    search_terms,
    trigram_prefix_range,
)


@pytest.mark.parametrize(
    "args, filters, problems",
    [
        ({}, TaskFilters(), []),
        ({"q": "  孵化   载体 "}, TaskFilters(q="孵化 载体"), []),
        ({"plan": "3", "section": "4", "unit": "5", "page": "2"},
         TaskFilters(plan=3, section=4, unit=5, page=2), []),
        ({"plan": "x"}, TaskFilters(), ["bad_int"]),
        ({"page": "0"}, TaskFilters(), ["bad_int"]),
        ({"page": "99999999999"}, TaskFilters(), ["bad_int"]),
        ({"unit": "³", "plan": "٣"}, TaskFilters(plan=3), ["bad_int"]),  # ³: digit, no number
        ({"kind": "meeting", "role": "co", "status": "assigned", "light": "red"},
         TaskFilters(kind="meeting", role="co", status="assigned", light="red"), []),
        ({"status": "archived"}, TaskFilters(status="archived"), []),
        ({"kind": "x", "role": "x", "status": "x", "light": "blue", "sort": "x"},
         TaskFilters(), ["bad_choice"] * 5),
        ({"due_from": "2025-01-01", "due_to": "2025-12-31"},
         TaskFilters(due_from=date(2025, 1, 1), due_to=date(2025, 12, 31)), []),
        ({"due_from": "2025-13-01"}, TaskFilters(), ["bad_date"]),
        ({"due_from": "2025-12-31", "due_to": "2025-01-01"}, TaskFilters(), ["bad_range"]),
        ({"overdue": "1", "mine": "on", "desc": "1", "sort": "due"},
         TaskFilters(overdue=True, mine=True, desc=True, sort="due"), []),
        ({"q": "长" * 150}, TaskFilters(q="长" * 100), ["long_query"]),
    ],
)  # fmt: skip
def test_parse_filters(args, filters, problems):
    parsed = parse_filters(args)
    assert parsed.filters == filters
    assert [key for key, _params in parsed.problems] == problems
    assert all(parsed.messages)


def test_query_args_round_trip_and_leave_defaults_out():
    f = TaskFilters(q="孵化", plan=2, due_from=date(2025, 1, 1), overdue=True, sort="due")
    args = f.query_args()
    assert args == {
        "q": "孵化",
        "plan": "2",
        "due_from": "2025-01-01",
        "overdue": "1",
        "sort": "due",
    }
    assert parse_filters(args).filters == f
    assert f.query_args(page=3)["page"] == "3"
    assert "sort" not in f.query_args(sort="number")
    assert TaskFilters().query_args() == {} and not TaskFilters(page=4).active


@pytest.mark.parametrize(
    "q, terms",
    [
        ("", []),
        ("孵化", ["孵化"]),
        ("孵化 孵化 载体", ["孵化", "载体"]),
        ("a b c d e f g", ["a", "b", "c", "d", "e"]),
        ("x" * 60, ["x" * 50]),
    ],
)
def test_search_terms(q, terms):
    assert search_terms(q) == terms


@pytest.mark.parametrize(
    "term, pattern, phrase",
    [
        ("孵化", "%孵化%", '"孵化"'),
        ("50%", "%50\\%%", '"50%"'),
        ("a_b", "%a\\_b%", '"a_b"'),
        ('say "hi"', '%say "hi"%', '"say ""hi"""'),
        ("a\\b", "%a\\\\b%", '"a\\b"'),
    ],
)
def test_like_pattern_and_fts_phrase(term, pattern, phrase):
    assert like_pattern(term) == pattern
    assert fts_phrase(term) == phrase


@pytest.mark.parametrize(
    "term, expected",
    [
        ("孵化", ("孵化", "孵化\U0010ffff")),
        ("AI", ("ai", "ai\U0010ffff")),  # the trigram tokenizer folds case
        ("孵", None),  # one character: scanned for
        ("孵化器", None),  # three: the index answers it directly
        ("", None),
    ],
)
def test_a_two_character_term_is_the_trigrams_starting_with_it(term, expected):
    assert trigram_prefix_range(term) == expected


@pytest.mark.parametrize(
    "term, cased",
    [("孵化", False), ("2026", False), ("50%", False), ("AI", True), ("孵化ai", True), ("Ä", True)],
)
def test_only_terms_with_letter_case_are_folded(term, cased):
    assert has_letter_case(term) is cased


@pytest.mark.parametrize(
    "args, only_dated",
    [
        ({}, False),
        ({"light": "red"}, True),
        ({"light": "yellow"}, True),
        ({"light": "green"}, False),  # green includes tasks without a due date
        ({"overdue": True}, True),
        ({"due_from": date(2026, 1, 1)}, True),
        ({"due_to": date(2026, 1, 1)}, True),
        ({"status": "assigned", "q": "孵化"}, False),
    ],
)
def test_filters_that_select_only_tasks_with_a_due_date(args, only_dated):
    assert TaskFilters(**args).only_dated is only_dated


CALENDARS = {
    # the official calendar: 1-8 October 2025 off, Saturday 11 October a make-up workday
    "official": WorkingCalendar(),
    # with the office's overrides: a Friday off, a Sunday worked
    "overrides": WorkingCalendar({date(2025, 9, 26): False, date(2026, 5, 31): True}),
}


@pytest.mark.parametrize("calendar", CALENDARS.values(), ids=CALENDARS.keys())
@pytest.mark.parametrize("warn_days", [0, 3, 5, 10])
@pytest.mark.parametrize(
    "today",
    [date(2025, 9, 26), date(2025, 9, 30), date(2025, 10, 1), date(2025, 10, 8),
     date(2025, 10, 11), date(2026, 2, 16), date(2026, 6, 1)],
)  # fmt: skip
def test_light_bounds_agree_with_task_light_on_every_due_date(calendar, warn_days, today):
    """Comparing due dates with the two boundaries gives task_light's answer for every
    due date from 40 days before to 40 days after `today`."""
    bounds = light_bounds(today, calendar, warn_days)
    for offset in range(-40, 41):
        due = today + timedelta(days=offset)
        expected = task_light("assigned", due, today, calendar, warn_days)
        got = (
            "red" if due <= bounds.last_red else "yellow" if due <= bounds.last_yellow else "green"
        )
        assert got == expected, (today, due, bounds)


def test_light_bounds_example():
    # Monday 2 June 2025 (a holiday: 端午节 on 31 May moved to Monday), five working days'
    # warning: due by Friday 30 May is overdue; due on 31 May to 2 June moves to Tuesday
    # 3 June (yellow), as does everything up to the fifth working day on, 9 June.
    assert light_bounds(date(2025, 6, 2), WorkingCalendar(), 5) == LightBounds(
        last_red=date(2025, 5, 30), last_yellow=date(2025, 6, 9)
    )
