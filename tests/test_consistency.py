"""One rule, every screen: the reporting overview (/reports/overview), the review queue
(/review), the alert sweep, the leaders' dashboard and the scorecard agree, unit by unit, on
the reports owed, missing and late for a month and on the red and yellow tasks.

Each screen's own service output is compared with the rule (tracker.reports.rules over
reports.queries.reporting_facts; tracker.plans.lights for tasks), and so is the rendered
page of each screen on the generated month. Two worlds:

- a generated November 2026 (due Wednesday 11-25, judged on Tuesday 12-01) with an on-time,
  a late, a returned-then-resubmitted-after-the-due-date, a returned-and-not-resubmitted, a
  corrected, a draft-only and a missing report; a predecessor's task reported by its
  successor and a co-unit that is a predecessor; a task assigned after the due date, one
  closed before it and one closed after it;
- the demo (`seed --demo`), on the day it is built and a month later.

The one documented difference: alerts are to-do items, so a task closed after the due date
has no alert, though its missing report still counts on the overview and the scorecard; the
sweep is compared on open tasks.

A second one (issue 14): the dashboard counts a task by its combined light (the worst of its
own deadline light and its milestones', tracker.plans.milestones.rules.combined_light), so
its red and yellow tasks are compared with that rule; the sweep's task alerts and the
scorecard's deduction follow the task's own deadline (a missed milestone has its own alert).
"""

import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from lxml import html
from sqlalchemy import delete, select, update

from tests.support.clock import beijing, on
from tracker.audit import AuditEvent
from tracker.calendar.services import load_calendar
from tracker.dashboard import drilldown
from tracker.dashboard import queries as dashboard
from tracker.extensions import db
from tracker.plans.lights import RED, YELLOW, task_lights
from tracker.plans.milestones.queries import milestones_by_task
from tracker.plans.milestones.rules import combined_light, milestone_light
from tracker.plans.models import OPEN_STATUSES, Plan, Task, TaskCoUnit, TaskUnitChange
from tracker.reports import queries as report_queries
from tracker.reports import rules as report_rules
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.reports.periods import ensure_period
from tracker.reports.queries import QueueFilters, period_overview, reporting_facts, review_queue
from tracker.scoring import rules as scoring_rules
from tracker.scoring.facts import month_facts
from tracker.scoring.services import store_month
from tracker.settings import get_setting
from tracker.supervision.alerts import rules as alert_rules
from tracker.supervision.alerts.sweep import run_sweep
from tracker.supervision.models import Alert, TaskAssignment
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit
from tracker.units.rules import final_successor

D = date.fromisoformat
TODAY = D("2026-12-01")  # Tuesday; November's reports were due Wednesday 11-25


def utc(day: str, hour: int = 10) -> datetime:
    """`hour` o'clock in Beijing on `day`, stored as naive UTC like the rest."""
    return beijing(D(day), hour).astimezone(UTC).replace(tzinfo=None)


# --- what the rule says ------------------------------------------------------------------


def by_unit(pairs) -> dict[int, int]:
    return dict(Counter(unit for _task, unit in pairs))


def reference(period: ReportingPeriod, today: date) -> dict:
    """Owed / missing / late (task, unit) pairs by the rule, and red / yellow open tasks by
    their lead unit's current successor."""
    facts = reporting_facts([period.id])
    owed = facts.owed(period.due_date, period.key)
    first = facts.first_submitted.get(period.id, {})
    standing = {p: report_rules.report_standing(first.get(p), period.due_date, today) for p in owed}
    late = {p for p, day in first.items() if report_rules.is_late(day, period.due_date)}
    tasks = db.session.scalars(select(Task).where(Task.status.in_(OPEN_STATUSES))).all()
    calendar, warn = load_calendar(), int(get_setting("yellow_working_days"))
    lights = task_lights(tasks, today, calendar, warn)
    milestones = milestones_by_task([t.id for t in tasks])
    combined = {
        t.id: combined_light(
            lights[t.id],
            [
                milestone_light(t.status, m.due_date, m.done_on, today, calendar, warn)
                for m in milestones[t.id]
            ],
        )
        for t in tasks
    }
    lead = {t.id: facts.current(t.lead_unit_id) for t in tasks}
    status = dict(db.session.execute(select(Task.id, Task.status)).all())
    missing = {p for p, s in standing.items() if s == report_rules.MISSING}
    return {
        "owed": owed,
        "missing": missing,
        "missing_open": {p for p in missing if status[p[0]] in OPEN_STATUSES},
        "late": late,
        "red": {(t, lead[t]) for t, light in lights.items() if light == RED},
        "yellow": {(t, lead[t]) for t, light in lights.items() if light == YELLOW},
        "combined_red": {(t, lead[t]) for t, light in combined.items() if light == RED},
        "combined_yellow": {(t, lead[t]) for t, light in combined.items() if light == YELLOW},
    }


# --- what each screen says (service outputs) ---------------------------------------------


def overview_figures(period, today) -> dict[str, dict[int, int]]:
    rows = period_overview(period, today)
    return {
        "owed": {r["unit"].id: r["expected"] for r in rows if r["expected"]},
        "missing": {r["unit"].id: r["missing"] for r in rows if r["missing"]},
        "late": {r["unit"].id: r["late"] for r in rows if r["late"]},
    }


def review_late(period, today) -> dict[int, int]:
    """Late reports on the review queue (every state), each (task, unit) once."""
    successor_of = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    rows = review_queue(QueueFilters(state=None, period_id=period.id), today, limit=100_000)
    late = {
        (r["report"].task_id, final_successor(r["report"].unit_id, successor_of))
        for r in rows
        if r["late"]
    }
    return by_unit(late)


def sweep_figures(period, today) -> dict[str, dict[int, int]]:
    run_sweep(today)
    db.session.expire_all()
    alerts = db.session.scalars(select(Alert).where(Alert.resolved_at.is_(None))).all()
    kinds: dict[str, list] = defaultdict(list)
    for a in alerts:
        if a.kind == alert_rules.REPORT_MISSING and a.period_id == period.id:
            kinds["missing"].append((a.task_id, a.unit_id))
        elif a.kind == alert_rules.TASK_OVERDUE:
            kinds["red"].append((a.task_id, a.unit_id))
        elif a.kind == alert_rules.TASK_DUE_SOON:
            kinds["yellow"].append((a.task_id, a.unit_id))
    return {kind: by_unit(pairs) for kind, pairs in kinds.items()}


def dashboard_figures(month: str, today) -> dict[str, dict[int, int]]:
    view = dashboard.overview(today)
    assert view.month == month
    units = {u.id for u, _t in view.unit_punctuality} | {u.id for u, _n in view.overdue}
    yellow = {}
    for unit_id in units | set(db.session.scalars(select(Unit.id)).all()):
        page = drilldown.unit_tasks(unit_id, today)
        own = [
            r
            for r in page.tasks
            if r.role == "lead"
            and r.task.status in OPEN_STATUSES
            and final_successor(r.task.lead_unit_id, _successors()) == unit_id
        ]
        if n := sum(r.light == YELLOW for r in own):
            yellow[unit_id] = n
    return {
        "owed": {u.id: t.expected for u, t in view.unit_punctuality if t.expected},
        "missing": {u.id: t.missing for u, t in view.unit_punctuality if t.missing},
        "late": {u.id: t.late for u, t in view.unit_punctuality if t.late},
        "red": {u.id: n for u, n in view.overdue},
        "yellow": yellow,
    }


def scorecard_figures(month: str, today) -> dict[str, dict[int, int]]:
    facts, _units, _codes = month_facts(month, today)
    events = scoring_rules.month_events(facts)
    count = defaultdict(Counter)
    for e in events:
        count[e.rule][e.unit_id] += 1
    return {
        "owed": by_unit(scoring_rules.expected_reports(facts)),
        "missing": dict(count[scoring_rules.REPORT_MISSING]),
        "late": dict(count[scoring_rules.REPORT_LATE]),
    }


def scorecard_red(today) -> dict[int, int]:
    """Red tasks in this month's scorecard (task_overdue_lead, judged today)."""
    facts, _units, _codes = month_facts(scoring_rules.month_key(today.year, today.month), today)
    open_ids = set(db.session.scalars(select(Task.id).where(Task.status.in_(OPEN_STATUSES))))
    return dict(
        Counter(
            e.unit_id
            for e in scoring_rules.month_events(facts)
            if e.rule == scoring_rules.TASK_OVERDUE_LEAD and e.task_id in open_ids
        )
    )


def _successors():
    return dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())


def assert_screens_agree(period: ReportingPeriod, today: date) -> dict:
    """Every screen against the rule, unit by unit; returns the rule's figures."""
    month = period.key
    ref = reference(period, today)
    want = {kind: by_unit(pairs) for kind, pairs in ref.items()}
    overview = overview_figures(period, today)
    scorecard = scorecard_figures(month, today)
    board = dashboard_figures(month, today)
    sweep = sweep_figures(period, today)
    for kind in ("owed", "missing", "late"):
        assert overview[kind] == want[kind], ("overview", kind)
        assert scorecard[kind] == want[kind], ("scorecard", kind)
        assert board[kind] == want[kind], ("dashboard", kind)
    assert review_late(period, today) == want["late"], "review queue"
    assert sweep.get("missing", {}) == want["missing_open"], "alert sweep"
    for kind in ("red", "yellow"):
        assert board[kind] == want[f"combined_{kind}"], ("dashboard", kind)
        assert sweep.get(kind, {}) == want[kind], ("alert sweep", kind)
    assert scorecard_red(today) == want["red"], "scorecard"
    return ref


# --- the generated month -----------------------------------------------------------------


@pytest.fixture
def month(world):
    """November 2026 as described in the module docstring; every other task closed in 2020."""
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    units = {u.code: u.id for u in db.session.scalars(select(Unit)).all()}
    names = {u.name: u.id for u in db.session.scalars(select(Unit)).all()}
    gxj, scjg = names["市工信局"], names["市市场监管局"]
    fgw, kjj, jxw, gsj = units["fgw"], units["kjj"], units["jxw"], units["gsj"]
    db.session.execute(
        update(Task).values(status="closed", closed_at=datetime(2020, 6, 30, 2), due_date=None)
    )
    tasks = {
        n: db.session.scalar(select(Task.id).where(Task.plan_id == plan.id, Task.number == n))
        for n in range(1, 12)
    }
    db.session.execute(delete(TaskCoUnit).where(TaskCoUnit.task_id.in_(tasks.values())))
    # number: (lead, co-units, due date, status, closed on, [(assigned unit, on)])
    plan_of = {
        1: (fgw, [kjj], "2026-11-20", "in_progress", None, [(fgw, "10-05"), (kjj, "10-05")]),
        2: (fgw, [], "2026-12-03", "in_progress", None, [(fgw, "10-05")]),
        3: (kjj, [], "2027-06-30", "in_progress", None, [(kjj, "10-05")]),
        # a predecessor leads: assigned to its successor; a predecessor co-unit assigned
        # before the reorganisation
        4: (jxw, [gsj], "2026-11-27", "in_progress", None, [(gxj, "10-05"), (gsj, "09-01")]),
        5: (fgw, [], "2027-06-30", "assigned", None, [(fgw, "11-27")]),  # after the due day
        6: (kjj, [], "2026-12-02", "in_progress", None, [(kjj, "10-05")]),
        7: (fgw, [], None, "closed", "2026-11-28", [(fgw, "10-05")]),  # closed after it
        8: (kjj, [], None, "closed", "2026-11-10", [(kjj, "10-05")]),  # closed before it
        9: (gxj, [fgw], "2027-03-31", "in_progress", None, [(gxj, "10-05"), (fgw, "10-05")]),
        # reassigned (改派) fgw → kjj on 11-12, before fgw acknowledged (its row dropped):
        # fgw still owes November, kjj owes from December
        10: (kjj, [], "2027-06-30", "in_progress", None, [(kjj, "11-12")]),
        # reassigned kjj → fgw on 10-20 (kjj had acknowledged): fgw owes November, kjj not
        11: (fgw, [], "2027-06-30", "in_progress", None, [(fgw, "10-20"), (kjj, "09-01")]),
    }
    for n, (lead, co, due, status, closed, assigned) in plan_of.items():
        db.session.execute(
            update(Task)
            .where(Task.id == tasks[n])
            .values(
                lead_unit_id=lead,
                status=status,
                due_date=D(due) if due else None,
                closed_at=utc(closed) if closed else None,
            )
        )
        for position, unit_id in enumerate(co):
            db.session.add(TaskCoUnit(task_id=tasks[n], unit_id=unit_id, position=position))
        for unit_id, day in assigned:
            db.session.add(
                TaskAssignment(
                    task_id=tasks[n],
                    unit_id=unit_id,
                    is_lead=unit_id == assigned[0][0],
                    assigned_at=utc(f"2026-{day}", 9),
                    ack_due=D(f"2026-{day}") + timedelta(days=3),
                    acknowledged_at=utc(f"2026-{day}", 11),
                )
            )
    reassigned = {10: (fgw, kjj, "11-12"), 11: (kjj, fgw, "10-20")}
    for n, (old, new, day) in reassigned.items():
        for unit_id, change in ((old, "removed"), (new, "added")):
            db.session.add(
                TaskUnitChange(task_id=tasks[n], unit_id=unit_id, role="lead", change=change,
                               period=f"2026-{day[:2]}", reason="职能调整",
                               changed_at=utc(f"2026-{day}", 9))
            )  # fmt: skip
    db.session.add(  # task 10 was first assigned on 10-05 (fgw's row went with the change)
        AuditEvent(occurred_at=utc("2026-10-05", 9), action="task.assigned",
                   subject_type="task", subject_id=tasks[10], detail={})
    )  # fmt: skip
    db.session.flush()
    period = ensure_period(2026, 11)
    assert period.due_date == D("2026-11-25")

    def report(n, unit_id, state, first=None, submitted=None, revision=1):
        db.session.add(
            ProgressReport(
                task_id=tasks[n],
                unit_id=unit_id,
                period_id=period.id,
                revision=revision,
                state=state,
                progress="本月推进情况",
                percent=50,
                first_submitted_at=utc(first) if first else None,
                submitted_at=utc(submitted or first) if (submitted or first) else None,
            )
        )

    report(1, fgw, "accepted", "2026-11-20")  # on time; kjj's part is missing
    report(2, fgw, "submitted", "2026-11-20", "2026-11-28")  # returned, resubmitted late
    report(3, kjj, "accepted", "2026-11-27")  # late …
    report(3, kjj, "draft", revision=2)  # … and a correction under way
    report(4, gxj, "submitted", "2026-11-24")  # the successor reports the predecessor's task
    report(6, kjj, "returned", "2026-11-24")  # returned, not yet resubmitted: not missing
    report(9, gxj, "draft")  # a draft never submitted: missing
    report(11, fgw, "submitted", "2026-11-20")  # the unit added in October reports on time
    db.session.commit()
    return {"period": period, "tasks": tasks, "units": {**units, "gxj": gxj, "scjg": scjg}}


def test_the_generated_month_on_every_screen(month, client_for):
    period, t, u = month["period"], month["tasks"], month["units"]
    with on(TODAY):
        ref = assert_screens_agree(period, TODAY)
    # the rule's answer, spelled out
    assert ref["owed"] == {
        (t[1], u["fgw"]),
        (t[1], u["kjj"]),
        (t[2], u["fgw"]),
        (t[3], u["kjj"]),
        (t[4], u["gxj"]),
        (t[4], u["scjg"]),
        (t[6], u["kjj"]),
        (t[7], u["fgw"]),
        (t[9], u["gxj"]),
        (t[9], u["fgw"]),
        (t[10], u["fgw"]),  # removed in November: still owes November
        (t[11], u["fgw"]),  # added in October: owes from November
    }
    assert ref["missing"] == {
        (t[1], u["kjj"]),
        (t[4], u["scjg"]),
        (t[7], u["fgw"]),
        (t[9], u["gxj"]),
        (t[9], u["fgw"]),
        (t[10], u["fgw"]),
    }
    assert ref["late"] == {(t[3], u["kjj"])}  # not task 2: its first submission was on time
    assert ref["red"] == {(t[1], u["fgw"]), (t[4], u["gxj"])}
    assert ref["yellow"] == {(t[2], u["fgw"]), (t[6], u["kjj"])}

    with on(TODAY):
        pages = rendered(client_for, period, u)
    want = {kind: by_unit(pairs) for kind, pairs in ref.items()}
    assert pages["overview"] == {k: want[k] for k in ("owed", "missing", "late")}
    assert pages["review_late"] == want["late"]
    board = {k: want[k] for k in ("owed", "missing", "late")} | {"red": want["combined_red"]}
    assert pages["dashboard"] == board
    assert pages["scorecard"] == {k: want[k] for k in ("missing", "late")}


def test_a_screen_with_another_rule_is_caught(month, monkeypatch):
    """The test can fail: judging lateness by the latest submission (as /review once did)
    makes the review queue disagree with the rule."""
    period = month["period"]

    def by_latest_submission(filters, today, limit=200):
        rows = report_queries.review_queue(filters, today, limit)
        for row in rows:
            latest = report_rules.local_date(row["report"].submitted_at, LOCAL_TZ)
            row["late"] = latest is not None and latest > row["report"].period.due_date
        return rows

    monkeypatch.setattr(sys.modules[__name__], "review_queue", by_latest_submission)
    with on(TODAY), pytest.raises(AssertionError, match="review queue"):
        assert_screens_agree(period, TODAY)


# --- the rendered pages ------------------------------------------------------------------


def _int(cell) -> int:
    return int(cell.text_content().strip())


def rendered(client_for, period, units) -> dict:
    office, leader = client_for("office"), client_for("leader")
    names = {u.name: u.id for u in db.session.scalars(select(Unit)).all()}

    page = html.fromstring(office.get(f"/reports/overview?period={period.id}").data)
    overview = {"owed": {}, "missing": {}, "late": {}}
    for row in page.xpath("//table[@data-testid='overview']/tbody/tr[td/a]"):
        cells = row.xpath("./td")
        unit = names[cells[0].text_content().strip()]
        for kind, index in (("owed", 1), ("late", 6), ("missing", 7)):
            if n := _int(cells[index]):
                overview[kind][unit] = n

    page = html.fromstring(office.get(f"/review?period={period.id}&state=").data)
    late = set()
    for item in page.xpath("//section[@data-testid='queue-item']"):
        if item.xpath(".//span[contains(@class, 'late')]"):
            title = item.xpath(".//h2/a")[0].text_content()
            late.add((names[title.split(" · ")[0].strip()], title))
    review_late = dict(Counter(unit for unit, _title in late))

    page = html.fromstring(leader.get("/dashboard").data)
    board = {"owed": {}, "missing": {}, "late": {}, "red": {}}
    for row in page.xpath("//table[@data-testid='punctuality-units']/tbody/tr[@data-unit-id]"):
        unit = int(row.get("data-unit-id"))
        for kind, testid in (("owed", "expected"), ("missing", "missing"), ("late", "late")):
            if n := _int(row.xpath(f"./td[@data-testid='{testid}']")[0]):
                board[kind][unit] = n
    for row in page.xpath("//tr[@data-testid='red-unit']"):
        board["red"][int(row.get("data-unit-id"))] = _int(
            row.xpath("./td[@data-testid='overdue-count']")[0]
        )

    store_month(period.key, TODAY)
    db.session.commit()
    scorecard = {"missing": {}, "late": {}}
    for unit_id in set(names.values()):
        page = html.fromstring(leader.get(f"/scores/units/{unit_id}?period={period.key}").data)
        for kind, rule in (("missing", "report_missing"), ("late", "report_late")):
            if n := len(page.xpath(f"//tr[@data-testid='entry'][@data-rule='{rule}']")):
                scorecard[kind][unit_id] = n
    return {"overview": overview, "review_late": review_late, "dashboard": board,
            "scorecard": scorecard}  # fmt: skip


# --- the demo ----------------------------------------------------------------------------


@pytest.mark.parametrize("later", [0, 31], ids=["the day it is built", "a month later"])
def test_the_demo_on_every_screen(app, demo_seed, later):
    built = D("2026-11-27")  # a Friday after November's due day
    with on(built):
        demo_seed()
    today = load_calendar().next_workday(built + timedelta(days=later))
    with on(today):
        start = scoring_rules.parse_period(scoring_rules.last_month(today)).start
        period = ensure_period(start.year, start.month)  # the month the dashboard judges
        db.session.commit()
        ref = assert_screens_agree(period, today)
    assert ref["owed"] and ref["missing"] and ref["late"]  # the demo has something to agree on
    assert ref["red"]
