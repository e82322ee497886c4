"""Pure tables: which alerts pause while a task is contested, the milestone alert, and the
scoring rules for missed milestones and contested tasks (issue 14, wiring)."""

from datetime import date

import pytest

from tracker.plans.lights import DONE_LATE, DUE_SOON, ON_TRACK, OVERDUE
from tracker.scoring import rules as scoring
from tracker.supervision.alerts import rules as alerts

D = date.fromisoformat


@pytest.mark.parametrize(
    ("kind", "contested", "paused"),
    [
        (alerts.TASK_DUE_SOON, True, True),
        (alerts.TASK_OVERDUE, True, True),
        (alerts.ACK_OVERDUE, True, True),
        (alerts.MILESTONE_OVERDUE, True, True),
        (alerts.MILESTONE_DUE_SOON, True, True),
        (alerts.REPORT_MISSING, True, False),  # a report is still owed while contested
        (alerts.NOTICE_ANSWER_OVERDUE, True, False),
        (alerts.TASK_OVERDUE, False, False),
        (alerts.MILESTONE_OVERDUE, False, False),
    ],
)
def test_paused_kinds(kind, contested, paused):
    assert alerts.paused(kind, contested) is paused


@pytest.mark.parametrize(
    ("status", "state", "kind"),
    [
        ("in_progress", OVERDUE, alerts.MILESTONE_OVERDUE),
        ("assigned", OVERDUE, alerts.MILESTONE_OVERDUE),
        ("in_progress", DUE_SOON, alerts.MILESTONE_DUE_SOON),
        ("in_progress", ON_TRACK, None),
        ("in_progress", DONE_LATE, None),
        ("pending", OVERDUE, None),
        ("closed", OVERDUE, None),
        ("archived", DUE_SOON, None),
    ],
)
def test_milestone_alert_kind(status, state, kind):
    assert alerts.milestone_alert_kind(status, state) == kind


def test_milestone_overdue_escalates_and_is_labelled():
    assert alerts.MILESTONE_OVERDUE in alerts.KINDS
    assert alerts.MILESTONE_OVERDUE in alerts.ESCALATING_KINDS
    assert alerts.MILESTONE_OVERDUE in alerts.KIND_LABELS
    assert alerts.MILESTONE_DUE_SOON in alerts.KINDS
    assert alerts.MILESTONE_DUE_SOON not in alerts.ESCALATING_KINDS  # reminders stay at 1
    assert scoring.MILESTONE_OVERDUE in scoring.DEDUCTION_RULES
    assert scoring.MILESTONE_OVERDUE in scoring.RULE_LABELS


@pytest.mark.parametrize(
    ("contests", "day", "contested"),
    [
        ((), "2022-06-15", False),
        (((D("2022-06-10"), None),), "2022-06-10", True),  # open since the filing day
        (((D("2022-06-10"), None),), "2022-06-09", False),
        (((D("2022-06-10"), D("2022-06-20")),), "2022-06-19", True),
        (((D("2022-06-10"), D("2022-06-20")),), "2022-06-20", False),  # decided that day
        (((D("2021-01-04"), D("2021-01-05")), (D("2022-06-10"), None)), "2022-07-01", True),
    ],
)
def test_contested_on(contests, day, contested):
    assert scoring.contested_on(contests, D(day)) is contested


def _task(status="in_progress", closed_on=None):
    return scoring.TaskFact(1, status, D("2023-12-31"), closed_on, 10)


@pytest.mark.parametrize(
    ("done_on", "task", "today", "missed"),
    [
        (None, _task(), "2022-01-01", True),  # the day after: missed
        (None, _task(), "2021-12-31", False),  # on the due day: not yet
        ("2021-12-31", _task(), "2022-06-15", False),  # done on the day
        ("2022-03-01", _task(), "2022-06-15", True),  # done late stays missed
        (None, _task("pending"), "2022-06-15", False),  # never assigned
        (None, _task("archived"), "2022-06-15", False),  # withdrawn (撤销)
        (None, _task("closed", D("2021-12-01")), "2022-06-15", False),  # closed before
        (None, _task("closed", D("2022-02-01")), "2022-06-15", True),  # closed after
        (None, None, "2022-06-15", False),
    ],
)
def test_milestone_missed(done_on, task, today, missed):
    m = scoring.MilestoneFact(5, 1, 10, D("2021-12-31"), D(done_on) if done_on else None)
    assert scoring.milestone_missed(m, task, D(today)) is missed


def _facts(month, today, contests=None, task_due="2023-12-31"):
    task = scoring.TaskFact(1, "in_progress", D(task_due), None, 10, (20,))
    milestones = (
        scoring.MilestoneFact(5, 1, 10, D("2021-12-31"), None),
        scoring.MilestoneFact(6, 1, 20, D("2022-12-30"), None),
    )
    return scoring.MonthFacts(
        scoring.parse_period(month),
        D("2022-01-01"),
        D(today),
        tasks=(task,),
        milestones=milestones,
        contests=contests or {},
    )


def _rules(events):
    return [(e.rule, e.unit_id, e.event_id) for e in events if e.rule != "report_missing"]


@pytest.mark.parametrize(
    ("month", "today", "contests", "expected"),
    [
        # counted in the month of its due date, once it has passed; the task is not overdue
        ("2021-12", "2022-06-15", None, [("milestone_overdue", 10, 5)]),
        ("2021-12", "2021-12-31", None, []),
        ("2022-06", "2022-06-15", None, []),  # not again in later months
        # the co-unit's own milestone is the co-unit's deduction
        ("2022-12", "2023-01-05", None, [("milestone_overdue", 20, 6)]),
        # missed while the task was contested: the clock had stopped
        ("2021-12", "2022-06-15", {1: ((D("2021-12-20"), D("2022-01-10")),)}, []),
        # contested later: the miss stands
        ("2021-12", "2022-06-15", {1: ((D("2022-03-01"), None),)}, [("milestone_overdue", 10, 5)]),
    ],
)
def test_milestone_events(month, today, contests, expected):
    assert _rules(scoring.month_events(_facts(month, today, contests))) == expected


@pytest.mark.parametrize(
    ("contests", "expected"),
    [
        (None, [("task_overdue_lead", 10, 1), ("task_overdue_co", 20, 1)]),
        ({1: ((D("2022-06-01"), None),)}, []),  # contested on the day the month is judged
        (
            {1: ((D("2022-06-01"), D("2022-06-10")),)},
            [("task_overdue_lead", 10, 1), ("task_overdue_co", 20, 1)],
        ),
    ],
)
def test_contested_tasks_give_no_task_overdue(contests, expected):
    facts = _facts("2022-06", "2022-06-15", contests, task_due="2022-01-31")
    assert [
        r for r in _rules(scoring.month_events(facts)) if r[0] != "milestone_overdue"
    ] == expected
