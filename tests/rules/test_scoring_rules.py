"""The scoring rules (tracker.scoring.rules): periods, events, entries, ranking, and
property tests over random event histories and random month facts (hypothesis)."""

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring import rules
from tracker.scoring.rules import (
    AdjustmentFact,
    AnswerFact,
    Assignment,
    Card,
    Event,
    MonthFacts,
    ReportFact,
    ReturnFact,
    TaskFact,
)

AMOUNTS = {
    "report_missing": Decimal("-2"),
    "report_late": Decimal("-1"),
    "report_returned": Decimal("-0.5"),
    "task_overdue_lead": Decimal("-2"),
    "task_overdue_co": Decimal("-0.5"),
    "notice_unanswered": Decimal("-3"),
    "instruction_unanswered": Decimal("-3"),
    "task_closed_on_time": Decimal("3"),
    "report_good": Decimal("0.5"),
}
OCTOBER = rules.parse_period("2026-10")
DUE = date(2026, 10, 26)


# --- periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, key, start, end, months",
    [
        ("2026-10", "month", "2026-10", date(2026, 10, 1), date(2026, 10, 31), 1),
        ("2026-02", "month", "2026-02", date(2026, 2, 1), date(2026, 2, 28), 1),
        ("2024-02", "month", "2024-02", date(2024, 2, 1), date(2024, 2, 29), 1),
        ("2026-q4", "quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 3),
        ("2026-Q1", "quarter", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 3),
        (" 2026 ", "year", "2026", date(2026, 1, 1), date(2026, 12, 31), 12),
    ],
)
def test_parse_period(text, kind, key, start, end, months):
    period = rules.parse_period(text)
    assert (period.kind, period.key, period.start, period.end) == (kind, key, start, end)
    assert len(period.months) == months
    assert period.months[0] == key if kind == "month" else period.months[0][:4] == key[:4]


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-Q5", "26-10", "2026/10", "x"])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError):
        rules.parse_period(text)


@pytest.mark.parametrize(
    "kind, day, key, previous",
    [
        ("month", date(2026, 1, 15), "2026-01", "2025-12"),
        ("quarter", date(2026, 4, 1), "2026-Q2", "2026-Q1"),
        ("quarter", date(2026, 2, 1), "2026-Q1", "2025-Q4"),
        ("year", date(2026, 7, 1), "2026", "2025"),
    ],
)
def test_period_for_and_previous(kind, day, key, previous):
    period = rules.period_for(kind, day)
    assert period.key == key
    assert rules.previous_period(period).key == previous


@pytest.mark.parametrize(
    "text, value",
    [
        ("-2", Decimal(-2)),
        ("0.5", Decimal("0.5")),
        (" 2.25 ", Decimal("2.25")),
        ("－1", Decimal(-1)),
        ("100", Decimal(100)),
    ],
)
def test_parse_amount(text, value):
    assert rules.parse_amount(text) == value


@pytest.mark.parametrize("text", ["", "abc", "101", "-100.5", "0.125", "nan", "inf"])
def test_parse_amount_refuses(text):
    with pytest.raises(ValueError):
        rules.parse_amount(text)


def test_rule_amount_signs():
    assert rules.check_rule_amounts(AMOUNTS) == []
    wrong = dict(AMOUNTS, report_late=Decimal(1), report_good=Decimal(-1))
    assert rules.check_rule_amounts(wrong) == ["report_late", "report_good"]


# --- events of a known month, rule by rule ------------------------------------------------


def facts(**kw) -> MonthFacts:
    base = dict(period=OCTOBER, due_date=DUE, today=date(2026, 11, 20))
    base.update(kw)
    return MonthFacts(**base)


def rules_of(month_facts: MonthFacts) -> list[tuple[str, int, int]]:
    return [(e.rule, e.unit_id, e.event_id) for e in rules.month_events(month_facts)]


TASK = TaskFact(1, "in_progress", date(2026, 12, 31), None, lead_unit_id=10, co_unit_ids=(20,))
ASSIGNED = (Assignment(1, 10, date(2026, 9, 1)), Assignment(1, 20, date(2026, 9, 1)))


@pytest.mark.parametrize(
    "reports, expected",
    [
        # nothing in after the due date: both units miss
        ((), [("report_missing", 10, 1), ("report_missing", 20, 1)]),
        # on time (the due day itself) and late; a draft never submitted is missing
        (
            (ReportFact(5, 1, 10, DUE, "submitted"), ReportFact(6, 1, 20, None, "draft")),
            [("report_missing", 20, 1)],
        ),
        (
            (
                ReportFact(5, 1, 10, DUE + timedelta(days=1), "accepted", "good"),
                ReportFact(6, 1, 20, date(2026, 10, 20), "accepted", "fair"),
            ),
            [("report_late", 10, 5), ("report_good", 10, 5)],
        ),
    ],
)
def test_report_events(reports, expected):
    assert rules_of(facts(tasks=(TASK,), assignments=ASSIGNED, reports=reports)) == expected


def test_no_missing_report_before_the_due_date_has_passed():
    early = facts(tasks=(TASK,), assignments=ASSIGNED, today=DUE)
    assert rules_of(early) == []


@pytest.mark.parametrize(
    "assigned_on, closed_on, expected",
    [
        (date(2026, 10, 26), None, True),  # assigned on the due date: owes the report
        (date(2026, 10, 27), None, False),  # assigned after it: first report next month
        (date(2026, 9, 1), date(2026, 10, 26), False),  # closed by the due date
        (date(2026, 9, 1), date(2026, 10, 27), True),  # closed after it
    ],
)
def test_expected_reports(assigned_on, closed_on, expected):
    task = TASK._replace(closed_on=closed_on, status="closed" if closed_on else "in_progress")
    f = facts(tasks=(task,), assignments=(Assignment(1, 10, assigned_on),))
    assert ((1, 10) in rules.expected_reports(f)) is expected


@pytest.mark.parametrize(
    "task, today, expected",
    [
        # overdue at the month's end: lead and co-unit, once each
        (
            TASK._replace(due_date=date(2026, 9, 30)),
            date(2026, 11, 20),
            [("task_overdue_lead", 10, 1), ("task_overdue_co", 20, 1)],
        ),
        # due on the last day of the month: not overdue in October
        (TASK._replace(due_date=date(2026, 10, 31)), date(2026, 11, 20), []),
        # month in progress: judged on today
        (TASK._replace(due_date=date(2026, 10, 10)), date(2026, 10, 10), []),
        (
            TASK._replace(due_date=date(2026, 10, 10)),
            date(2026, 10, 11),
            [("task_overdue_lead", 10, 1), ("task_overdue_co", 20, 1)],
        ),
        # closed late within the month: no longer overdue at its end, no credit
        (
            TASK._replace(
                due_date=date(2026, 9, 30), status="closed", closed_on=date(2026, 10, 15)
            ),
            date(2026, 11, 20),
            [],
        ),
        # closed on time in the month: credit to the lead unit
        (
            TASK._replace(
                due_date=date(2026, 10, 20), status="closed", closed_on=date(2026, 10, 20)
            ),
            date(2026, 11, 20),
            [("task_closed_on_time", 10, 1)],
        ),
        # closed last month: nothing this month
        (
            TASK._replace(due_date=date(2026, 12, 1), status="closed", closed_on=date(2026, 9, 20)),
            date(2026, 11, 20),
            [],
        ),
        # a pending task (not assigned) is not held against anyone
        (TASK._replace(status="pending", due_date=date(2026, 1, 1)), date(2026, 11, 20), []),
        # a co-unit that is also the lead (after a merger) is counted once, as lead
        (
            TASK._replace(due_date=date(2026, 9, 1), co_unit_ids=(10, 20, 20)),
            date(2026, 11, 20),
            [("task_overdue_lead", 10, 1), ("task_overdue_co", 20, 1)],
        ),
    ],
)
def test_task_events(task, today, expected):
    assert rules_of(facts(tasks=(task,), today=today)) == expected


@pytest.mark.parametrize(
    "answer_due, answered_on, today, expected",
    [
        (date(2026, 10, 15), None, date(2026, 11, 20), True),
        (date(2026, 10, 15), date(2026, 10, 15), date(2026, 11, 20), False),
        (date(2026, 10, 15), date(2026, 10, 16), date(2026, 11, 20), True),
        (date(2026, 10, 15), None, date(2026, 10, 15), False),  # not yet past
        (date(2026, 9, 30), None, date(2026, 11, 20), False),  # September's
        (date(2026, 10, 31), None, date(2026, 11, 1), True),
    ],
)
def test_answer_events(answer_due, answered_on, today, expected):
    notice = AnswerFact("notice", 7, 1, 10, answer_due, answered_on)
    instruction = AnswerFact("instruction", 8, 1, 20, answer_due, answered_on)
    got = rules_of(facts(answers=(instruction, notice), today=today))
    want = [("instruction_unanswered", 20, 8), ("notice_unanswered", 10, 7)] if expected else []
    assert got == want


def test_returns_and_adjustments_become_entries():
    f = facts(
        returns=(ReturnFact(99, 5, 1, 10, date(2026, 10, 28)),),
        adjustments=(AdjustmentFact(3, 20, Decimal("1.5"), "典型发言", date(2026, 10, 30)),),
    )
    entries = rules.score_entries(rules.month_events(f), AMOUNTS)
    assert [(e.rule, e.unit_id, e.amount) for e in entries] == [
        ("report_returned", 10, Decimal("-0.5")),
        ("manual_adjustment", 20, Decimal("1.5")),
    ]
    assert entries[1].event.note == "典型发言"


def test_rules_worth_nothing_leave_no_entry():
    events = [Event("report_late", 1, "report", 5, DUE)]
    assert rules.score_entries(events, dict(AMOUNTS, report_late=Decimal(0))) == []


# --- ranking ----------------------------------------------------------------------------


def card(unit_id, score, deductions, credits):
    return Card(unit_id, Decimal(score), Decimal(deductions), Decimal(credits))


@pytest.mark.parametrize(
    "cards, order, expected",
    [
        # score first
        ([card(1, 90, -10, 0), card(2, 95, -5, 0)], {}, [(2, 1), (1, 2)]),
        # equal score: the smaller deduction first
        ([card(1, 98, -4, 2), card(2, 98, -2, 0)], {}, [(2, 1), (1, 2)]),
        # equal score and deduction: the larger credit first
        ([card(1, 98, -2, 0), card(2, 98, -3, 1)], {}, [(1, 1), (2, 2)]),
        # full tie: shared rank, listed by unit code; the next rank skips
        (
            [card(1, 98, -2, 0), card(2, 98, -2, 0), card(3, 97, -3, 0)],
            {1: "b", 2: "a", 3: "c"},
            [(2, 1), (1, 1), (3, 3)],
        ),
    ],
)
def test_rank(cards, order, expected):
    assert [(c.unit_id, c.rank) for c in rules.rank(cards, order)] == expected


# --- properties over random event histories ----------------------------------------------

units = st.integers(min_value=1, max_value=6)
event_rules = st.sampled_from(rules.RULES)


@st.composite
def event_histories(draw):
    events = []
    for i in range(draw(st.integers(min_value=0, max_value=40))):
        rule = draw(event_rules)
        day = date(2026, 10, 1) + timedelta(days=i % 30)
        events.append(Event(rule, draw(units), "task", i, day, i))
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        amount = Decimal(draw(st.integers(min_value=-40, max_value=40))) / 4
        events.append(
            Event("manual_adjustment", draw(units), "adjustment", 1000 + i, None, amount=amount)
        )
    return events


amount_sets = st.fixed_dictionaries(
    {
        code: (
            st.integers(min_value=-20, max_value=0)
            if code in rules.DEDUCTION_RULES
            else st.integers(min_value=0, max_value=20)
        ).map(lambda n: Decimal(n) / 2)
        for code in rules.RULES
    }
)


def scores_of(events, amounts, unit_ids=range(1, 7)):
    cards = rules.scorecards(unit_ids, rules.score_entries(events, amounts))
    return {c.unit_id: c for c in cards}


@settings(max_examples=200, deadline=None)
@given(event_histories(), amount_sets)
def test_score_is_100_plus_the_sum_of_its_entries(events, amounts):
    for c in scores_of(events, amounts).values():
        assert c.score == 100 + sum((e.amount for e in c.entries), Decimal(0))
        assert c.deductions <= 0 <= c.credits
        assert all(e.unit_id == c.unit_id for e in c.entries)


@settings(max_examples=200, deadline=None)
@given(event_histories(), amount_sets, st.randoms(use_true_random=False))
def test_recomputing_gives_the_same_result_whatever_the_order(events, amounts, rnd):
    first = rules.scorecards(range(1, 7), rules.score_entries(events, amounts))
    shuffled = list(events)
    rnd.shuffle(shuffled)
    again = rules.scorecards(range(1, 7), rules.score_entries(shuffled, amounts))
    assert [(c.unit_id, c.score, c.rank) for c in first] == [
        (c.unit_id, c.score, c.rank) for c in again
    ]


@settings(max_examples=200, deadline=None)
@given(event_histories(), amount_sets, units, st.integers(min_value=1, max_value=99))
def test_adding_a_late_report_never_raises_a_score(events, amounts, unit_id, report_id):
    before = scores_of(events, amounts)
    late = Event(
        "report_late",
        unit_id,
        "report",
        5000 + report_id,
        DUE + timedelta(days=1),
        report_id=5000 + report_id,
    )
    after = scores_of([*events, late], amounts)
    for uid, c in after.items():
        assert c.score <= before[uid].score
    assert after[unit_id].score == before[unit_id].score + amounts["report_late"]


@settings(max_examples=200, deadline=None)
@given(event_histories(), amount_sets)
def test_ranks_follow_scores(events, amounts):
    cards = rules.scorecards(range(1, 7), rules.score_entries(events, amounts))
    assert [c.rank for c in cards] == sorted(c.rank for c in cards)
    for a, b in zip(cards, cards[1:], strict=False):
        assert a.score >= b.score
        assert (a.rank == b.rank) == (
            (a.score, a.deductions, a.credits) == (b.score, b.deductions, b.credits)
        )


# --- properties over random month facts -------------------------------------------------

days = st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 12, 15))
maybe_days = st.one_of(st.none(), days)


@st.composite
def month_facts(draw):
    n_tasks = draw(st.integers(min_value=0, max_value=8))
    tasks, assignments, reports, returns, answers = [], [], [], [], []
    for task_id in range(1, n_tasks + 1):
        lead = draw(units)
        co = tuple(draw(st.lists(units, max_size=3)))
        closed = draw(maybe_days)
        status = (
            "closed" if closed else draw(st.sampled_from(["pending", "assigned", "in_progress"]))
        )
        tasks.append(TaskFact(task_id, status, draw(maybe_days), closed, lead, co))
        for unit_id in dict.fromkeys((lead, *co)):
            assignments.append(Assignment(task_id, unit_id, draw(days)))
            if draw(st.booleans()):
                report_id = task_id * 10 + unit_id
                reports.append(
                    ReportFact(
                        report_id,
                        task_id,
                        unit_id,
                        draw(maybe_days),
                        draw(st.sampled_from(["draft", "submitted", "returned", "accepted"])),
                        draw(st.sampled_from([None, "good", "fair", "poor"])),
                    )
                )
                if draw(st.booleans()):
                    returns.append(ReturnFact(report_id, report_id, task_id, unit_id, draw(days)))
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        answers.append(
            AnswerFact(
                draw(st.sampled_from(["notice", "instruction"])),
                i + 1,
                1,
                draw(units),
                draw(days),
                draw(maybe_days),
            )
        )
    return MonthFacts(
        OCTOBER,
        DUE,
        draw(days),
        tuple(assignments),
        tuple(tasks),
        tuple(reports),
        tuple(returns),
        tuple(answers),
    )


def month_scores(f: MonthFacts, amounts=AMOUNTS):
    unit_ids = {a.unit_id for a in f.assignments}
    cards = rules.scorecards(unit_ids, rules.score_entries(rules.month_events(f), amounts))
    return {c.unit_id: c for c in cards}


def shuffled(f: MonthFacts, seed: int) -> MonthFacts:
    rnd = random.Random(seed)

    def mix(items):
        items = list(items)
        rnd.shuffle(items)
        return tuple(items)

    return replace(
        f,
        assignments=mix(f.assignments),
        tasks=mix(f.tasks),
        reports=mix(f.reports),
        returns=mix(f.returns),
        answers=mix(f.answers),
    )


@settings(max_examples=150, deadline=None)
@given(month_facts(), st.integers())
def test_month_scores_are_deterministic_and_add_up(f, seed):
    first = month_scores(f)
    again = month_scores(shuffled(f, seed))
    assert {u: (c.score, c.rank) for u, c in first.items()} == {
        u: (c.score, c.rank) for u, c in again.items()
    }
    for c in first.values():
        assert c.score == 100 + sum((e.amount for e in c.entries), Decimal(0))


@settings(max_examples=150, deadline=None)
@given(month_facts(), st.data())
def test_a_report_made_late_never_scores_better(f, data):
    """The same report, first submitted after the due date instead of on time."""
    on_time = [r for r in f.reports if r.first_submitted_on and r.first_submitted_on <= DUE]
    if not on_time:
        return
    report = data.draw(st.sampled_from(on_time))
    late = report._replace(
        first_submitted_on=DUE + timedelta(days=data.draw(st.integers(min_value=1, max_value=30))),
    )
    later = replace(
        f,
        reports=tuple(late if r is report else r for r in f.reports),
        today=max(f.today, late.first_submitted_on),
    )
    before, after = month_scores(replace(f, today=later.today)), month_scores(later)
    for unit_id, c in after.items():
        assert c.score <= before[unit_id].score
