"""A known month (October 2026) built by hand, scored and checked entry by entry: the stored
ledger, rule versions, quarters, the pages, the CLI and the statement counts.

The month (due date Monday 26 October; computed on 20 November):
- task 1, led by 市发改委 (F), due 2020-12-31 and in progress: overdue (F −2); F's report
  first submitted on the 28th (late −1), returned once (−0.5), then accepted as 好 (+0.5);
  a supervision notice to F due the 15th, answered the 16th (−3);
- task 17, led by 市科技局 (K) with F as co-unit, due 2026-12-31: K reported on time (中);
  F never reported (missing −2); a leader's instruction due the 20th, unanswered (K −3);
- task 2, K's alone, due 30 October, closed on the 20th (on time +3);
- the office's adjustment: K +1.5 with its reason.
F: 100 − 2 − 1 − 0.5 + 0.5 − 3 − 2 = 92; K: 100 + 3 − 3 + 1.5 = 101.5. K ranks 1, F 2.
"""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.audit import AuditEvent
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.scoring import services, standings
from tracker.scoring.models import ScoreAdjustment, Scorecard, ScoreEntry
from tracker.supervision.models import Instruction, SupervisionNotice, TaskAssignment
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

TODAY = date(2026, 11, 20)


def utc(day: date, hour: int = 10) -> datetime:
    """A stored (naive UTC) moment for a Beijing day and hour."""
    return (
        datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)
        .astimezone(__import__("datetime").UTC)
        .replace(tzinfo=None)
    )


@pytest.fixture
def october(world):
    """The known month above; returns ids and units."""
    ids = world["ids"]
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    F, K = units["fgw"], units["kjj"]
    office = world["users"]["office"]
    t1, t17, t2 = (db.session.get(Task, ids[k]) for k in ("own_task", "co_task", "other_task"))
    t1.status = t17.status = "in_progress"
    t17.due_date = date(2026, 12, 31)
    t2.status, t2.due_date, t2.closed_at = "closed", date(2026, 10, 30), utc(date(2026, 10, 20))
    for task, unit in ((t1, F), (t17, K), (t17, F), (t2, K)):
        db.session.add(
            TaskAssignment(
                task_id=task.id,
                unit_id=unit.id,
                is_lead=unit == F,
                assigned_at=utc(date(2026, 9, 1)),
                ack_due=date(2026, 9, 4),
            )
        )
    period = ReportingPeriod(year=2026, month=10, due_day=25, due_date=date(2026, 10, 26))
    db.session.add(period)
    db.session.flush()
    late = ProgressReport(
        task_id=t1.id,
        unit_id=F.id,
        period_id=period.id,
        progress="进展",
        percent=50,
        state="accepted",
        quality="good",
        first_submitted_at=utc(date(2026, 10, 28)),
        submitted_at=utc(date(2026, 10, 30)),
    )
    on_time = ProgressReport(
        task_id=t17.id,
        unit_id=K.id,
        period_id=period.id,
        progress="进展",
        percent=40,
        state="accepted",
        quality="fair",
        first_submitted_at=utc(date(2026, 10, 20)),
        submitted_at=utc(date(2026, 10, 20)),
    )
    db.session.add_all([late, on_time])
    db.session.flush()
    returned = AuditEvent(
        occurred_at=utc(date(2026, 10, 29)),
        actor_id=office.id,
        action="report.returned",
        subject_type="task",
        subject_id=t1.id,
        detail={"report_id": late.id, "unit_id": F.id},
    )
    notice = SupervisionNotice(
        year=2026,
        seq=1,
        number="督办〔2026〕1号",
        task_id=t1.id,
        unit_id=F.id,
        required_actions="整改",
        issued_on=date(2026, 10, 9),
        answer_due=date(2026, 10, 15),
        answer="已整改",
        answered_at=utc(date(2026, 10, 16)),
        state="answered",
    )
    instruction = Instruction(
        task_id=t17.id,
        author_id=world["users"]["leader"].id,
        text="抓紧推进",
        answer_due=date(2026, 10, 20),
    )
    adjustment = ScoreAdjustment(
        period="2026-10",
        unit_id=K.id,
        amount=Decimal("1.5"),
        reason="经验做法被省里推广",
        created_by_id=office.id,
        created_at=utc(date(2026, 10, 30)),
    )
    db.session.add_all([returned, notice, instruction, adjustment])
    services.ensure_default_rule_set()
    db.session.commit()
    return {
        "F": F,
        "K": K,
        "t1": t1.id,
        "t17": t17.id,
        "t2": t2.id,
        "late": late.id,
        "on_time": on_time.id,
        "returned": returned.id,
        "notice": notice.id,
        "instruction": instruction.id,
        "adjustment": adjustment.id,
    }


def entries_of(unit_id, month="2026-10"):
    card = db.session.scalar(
        select(Scorecard).where(Scorecard.period == month, Scorecard.unit_id == unit_id)
    )
    rows = db.session.scalars(
        select(ScoreEntry).where(ScoreEntry.scorecard_id == card.id).order_by(ScoreEntry.position)
    ).all()
    return card, [(e.rule, e.amount, e.event_type, e.event_id) for e in rows]


def test_the_known_month_entry_by_entry(october):
    services.store_month("2026-10", TODAY)
    db.session.commit()
    o = october
    card, entries = entries_of(o["F"].id)
    assert sorted(entries) == sorted(
        [
            ("report_missing", Decimal(-2), "task", o["t17"]),
            ("report_late", Decimal(-1), "report", o["late"]),
            ("report_good", Decimal("0.5"), "report", o["late"]),
            ("report_returned", Decimal("-0.5"), "audit", o["returned"]),
            ("task_overdue_lead", Decimal(-2), "task", o["t1"]),
            ("notice_unanswered", Decimal(-3), "notice", o["notice"]),
        ]
    )
    assert (card.score, card.deductions, card.credits, card.rank) == (
        Decimal(92),
        Decimal("-8.5"),
        Decimal("0.5"),
        2,
    )
    assert card.rule_set_version == 1

    card, entries = entries_of(o["K"].id)
    assert sorted(entries) == sorted(
        [
            ("task_closed_on_time", Decimal(3), "task", o["t2"]),
            ("instruction_unanswered", Decimal(-3), "instruction", o["instruction"]),
            ("manual_adjustment", Decimal("1.5"), "adjustment", o["adjustment"]),
        ]
    )
    assert (card.score, card.rank) == (Decimal("101.5"), 1)
    # only units with work are scored
    assert db.session.scalar(select(db.func.count()).select_from(Scorecard)) == 2


def test_recomputing_replaces_the_ledger_with_the_same_figures(october):
    services.store_month("2026-10", TODAY)
    db.session.commit()
    first = {u: entries_of(october[u].id) for u in ("F", "K")}
    services.store_month("2026-10", TODAY)
    db.session.commit()
    again = {u: entries_of(october[u].id) for u in ("F", "K")}
    assert {u: (c.score, c.rank, e) for u, (c, e) in first.items()} == {
        u: (c.score, c.rank, e) for u, (c, e) in again.items()
    }
    assert db.session.scalar(select(db.func.count()).select_from(Scorecard)) == 2


def test_a_month_is_scored_with_the_rules_in_force_for_it(october, world):
    office = world["users"]["office"]
    amounts = {code: Decimal(v) for code, v in services.default_rules()["amounts"].items()}
    services.create_rule_set(
        office, "2026-11", dict(amounts, report_late=Decimal(-4)), "迟报加重扣分"
    )
    db.session.commit()
    assert services.rule_set_for("2026-10")[0] == 1
    assert services.rule_set_for("2026-11")[0] == 2
    assert services.rule_set_for("2027-03") == (2, {**amounts, "report_late": Decimal(-4)})
    services.store_month("2026-10", TODAY)
    db.session.commit()
    card, entries = entries_of(october["F"].id)
    assert ("report_late", Decimal(-1), "report", october["late"]) in entries
    assert card.rule_set_version == 1


@pytest.mark.parametrize(
    "effective_from, change, message",
    [
        ("2026/11", {}, "YYYY-MM"),
        ("2026-Q4", {}, "YYYY-MM"),
        ("2026-11", {"report_late": Decimal(1)}, "Deductions must be zero or less"),
        ("2026-11", {"report_good": Decimal(-1)}, "Deductions must be zero or less"),
    ],
)
def test_a_bad_rule_set_is_refused(october, world, app, effective_from, change, message):
    amounts = {code: Decimal(v) for code, v in services.default_rules()["amounts"].items()}
    with app.test_request_context(headers={"Cookie": "tracker_lang=en"}):
        with pytest.raises(StepRefused) as refused:
            services.create_rule_set(
                world["users"]["office"], effective_from, {**amounts, **change}, "说明"
            )
        assert message in str(refused.value.message)


def test_a_quarter_adds_up_its_months(october):
    services.compute_period("2026-Q4", TODAY)  # October and November (December not begun)
    db.session.commit()
    scores = standings.period_scores(services.rules.parse_period("2026-Q4"), TODAY)
    assert scores.computed == ["2026-10", "2026-11"] and scores.missing == []
    by_unit = {c.unit.code: c for c in scores.cards}
    # November: task 1 still overdue (F −2); November's reports are not yet due
    assert by_unit["fgw"].score == Decimal(90)
    assert by_unit["kjj"].score == Decimal("101.5")
    assert [c.unit.code for c in scores.cards] == ["kjj", "fgw"]
    for c in scores.cards:
        assert c.score == 100 + sum(e.amount for e in c.entries)


def test_cli_compute_and_export_json(october, runner):
    result = runner.invoke(
        args=["scores", "compute", "--period", "2026-10", "--date", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "2026-10" in result.output and "市科技局" in result.output
    with freeze_time(NOW):
        exported = runner.invoke(
            args=["export", "scorecard", "--period", "2026-10", "--format", "json"]
        )
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["period"] == "2026-10"
    assert [(u["unit"], u["score"], u["rank"]) for u in data["units"]] == [
        ("市科技局", 101.5, 1),
        ("市发改委", 92, 2),
    ]
    fgw = data["units"][1]
    assert {"rule", "amount", "event"} <= set(fgw["entries"][0])
    assert sum(e["amount"] for e in fgw["entries"]) == -8
    late = next(e for e in fgw["entries"] if e["rule"] == "report_late")
    assert late["event"] == {
        "type": "report",
        "id": october["late"],
        "date": "2026-10-28",
        "task_id": october["t1"],
        "report_id": october["late"],
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["scores", "compute", "--period", "2026-13"], "YYYY-MM"),
        (["scores", "compute", "--period", "2099-01", "--date", "2026-11-20"], "has not begun"),
        (["export", "scorecard", "--period", "2025-01"], "no scorecard stored"),
    ],
)
def test_cli_refuses_bad_periods(october, runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


NOW = datetime(2026, 11, 20, 10, tzinfo=LOCAL_TZ)


@pytest.fixture
def office_client(app, world, login):
    """The office, signed in on 20 November 2026 (the clock stays there for the test)."""
    with freeze_time(NOW):
        client = app.test_client()
        client.set_cookie("tracker_lang", "en")
        assert login(client, world["users"]["office"]).status_code == 302
        yield client


def test_the_pages_show_the_ledger(october, office_client):
    services.store_month("2026-10", TODAY)
    db.session.commit()
    page = office_client.get("/scores?period=2026-10").get_data(as_text=True)
    assert page.index("市科技局") < page.index("市发改委")
    assert "101.50" in page and "92.00" in page
    unit = office_client.get(f"/scores/units/{october['F'].id}?period=2026-10")
    text = unit.get_data(as_text=True)
    assert unit.status_code == 200
    assert text.count('data-testid="entry"') == 6
    assert f"/reports/{october['late']}" in text  # the event behind the late entry
    assert f"/notices/{october['notice']}" in text


def test_the_office_adjusts_and_the_month_is_recomputed(october, office_client):
    response = office_client.post(
        "/scores/adjustments",
        data={
            "period": "2026-10",
            "unit_id": october["F"].id,
            "amount": "-1.5",
            "reason": "未参加调度会",
        },
    )
    assert response.status_code == 302
    card, entries = entries_of(october["F"].id)
    assert card.score == Decimal("90.5")
    assert ("manual_adjustment", Decimal("-1.5")) in [(r, a) for r, a, *_ in entries]
    bad = office_client.post(
        "/scores/adjustments",
        data={"period": "2026-10", "unit_id": october["F"].id, "amount": "lots", "reason": "x"},
    )
    assert bad.status_code == 400
    assert "Give a number of points" in bad.get_data(as_text=True)
    no_reason = office_client.post(
        "/scores/adjustments",
        data={"period": "2026-10", "unit_id": october["F"].id, "amount": "1", "reason": " "},
    )
    assert no_reason.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(ScoreAdjustment)) == 2


def test_the_office_changes_the_rules_on_the_rules_page(october, office_client):
    data = {code: v for code, v in services.default_rules()["amounts"].items()}
    data.update(effective_from="2026-12", note="调整迟报扣分", report_late="-1.5")
    response = office_client.post("/scores/rules", data=data)
    assert response.status_code == 302
    assert services.rule_set_for("2026-12") == (
        2,
        {
            **{c: Decimal(v) for c, v in services.default_rules()["amounts"].items()},
            "report_late": Decimal("-1.5"),
        },
    )
    page = office_client.get("/scores/rules").get_data(as_text=True)
    assert "调整迟报扣分" in page
    wrong = office_client.post("/scores/rules", data={**data, "report_good": "-2"})
    assert wrong.status_code == 400
    assert "Deductions must be zero or less" in wrong.get_data(as_text=True)
    assert services.rule_sets()[0].version == 2  # nothing saved


def _more_units_and_work(n=12):
    """Units, tasks and reports enough to show a per-row query."""
    from tracker.plans.models import Plan, Section

    plan = db.session.scalar(select(Plan).limit(1))
    section = db.session.scalar(select(Section).where(Section.plan_id == plan.id).limit(1))
    for i in range(n):
        unit = Unit(name=f"加测单位{i}", code=f"jc{i:02d}", kind="gov_dept", aliases=[])
        db.session.add(unit)
        db.session.flush()
        task = Task(
            plan_id=plan.id,
            section_id=section.id,
            number=900 + i,
            title="t",
            text="t",
            lead_unit_id=unit.id,
            status="in_progress",
            due_date=date(2025, 1, 1),
        )
        db.session.add(task)
        db.session.flush()
        db.session.add(
            TaskAssignment(
                task_id=task.id,
                unit_id=unit.id,
                is_lead=True,
                assigned_at=utc(date(2026, 9, 1)),
                ack_due=date(2026, 9, 4),
            )
        )
    db.session.commit()


def test_score_pages_use_a_constant_number_of_statements(
    october, world, app, login, count_statements
):

    def counts():
        services.store_month("2026-10", TODAY)
        db.session.commit()
        result = []
        # the office's ranking carries the adjustment form (a menu of every unit)
        for client in clients:
            for url in (
                "/scores?period=2026-10",
                "/scores?period=2026-10&category=1",
                "/scores?period=2026",
                f"/scores/units/{october['F'].id}?period=2026-Q4",
                "/scores/export.json?period=2026-10",
            ):
                with count_statements() as counter:
                    assert client.get(url).status_code == 200
                result.append(counter.count)
        return result

    with freeze_time(NOW):
        clients = [app.test_client(), app.test_client()]
        for client, role in zip(clients, ("leader", "office"), strict=True):
            assert login(client, world["users"][role]).status_code == 302
        small = counts()
        _more_units_and_work()
        large = counts()
    assert small == large
    assert max(large) <= 14


@pytest.mark.parametrize(
    "day, months",
    [
        (date(2026, 11, 20), ["2026-10", "2026-11"]),  # a Friday
        (date(2026, 11, 21), []),  # Saturday: nothing
        (date(2027, 1, 4), ["2026-12", "2027-01"]),
    ],
)
def test_the_scheduler_job_scores_last_month_and_this_month_on_working_days(
    october, app, day, months
):
    from tracker.scoring.jobs import scores_job

    assert scores_job(app, day) == months
    db.session.expire_all()
    stored = set(db.session.scalars(select(Scorecard.period)))
    assert stored == set(months)


def test_cli_exports_a_plan_ledger(october, runner, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "ledger.xlsx"
    result = runner.invoke(
        args=["export", "ledger", "--plan", "changfa-2017-29", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet.max_row - 1 == 40  # one row per action item, under a header row
    missing = runner.invoke(args=["export", "ledger", "--plan", "nope", "--output", str(out)])
    assert missing.exit_code != 0 and "no plan" in missing.output


def test_the_excel_and_json_exports_hold_the_figures_of_the_page(october, office_client):
    """The ranking table of /scores, the 排名 sheet of the Excel file and the JSON export
    agree row by row; the 明细 sheet has every entry of the ledger."""
    import re
    from io import BytesIO

    from openpyxl import load_workbook

    services.store_month("2026-10", TODAY)
    db.session.commit()
    page = office_client.get("/scores?period=2026-10").get_data(as_text=True)
    rows = re.findall(
        r'data-testid="rank">(\d+)</td>\s*<td[^>]*><a [^>]*>([^<]+)</a></td>\s*'
        r'<td[^>]*data-testid="score">([\d.]+)</td>\s*<td[^>]*>(-?[\d.]+)</td>\s*'
        r"<td[^>]*>(-?[\d.]+)</td>",
        page,
    )
    on_page = [(int(r), u, Decimal(s), Decimal(d), Decimal(c)) for r, u, s, d, c in rows]
    assert [row[1] for row in on_page] == ["市科技局", "市发改委"]

    book = load_workbook(BytesIO(office_client.get("/scores/export.xlsx?period=2026-10").data))
    sheet = list(book["排名"].iter_rows(min_row=2, values_only=True))
    assert [
        (r, u, Decimal(str(s)), Decimal(str(d)), Decimal(str(c))) for r, u, s, d, c in sheet
    ] == on_page
    details = list(book["明细"].iter_rows(min_row=2, values_only=True))
    assert len(details) == 6 + 3
    assert sum(Decimal(str(row[2])) for row in details if row[0] == "市发改委") == -8

    data = office_client.get("/scores/export.json?period=2026-10").get_json()
    assert [(u["rank"], u["unit"], Decimal(str(u["score"]))) for u in data["units"]] == [
        row[:3] for row in on_page
    ]
