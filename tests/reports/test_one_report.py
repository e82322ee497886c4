"""一报多用 on a real database: a unit with two linked tasks files one report and owes
nothing more that month — the facts, the overview, the month page (and the sweep) agree —
while the other unit of a co-led task still owes its own; unlinking restores the obligation;
the month page's statements do not grow with the linked tasks."""

from datetime import date, datetime

import pytest
from lxml import html
from sqlalchemy import select, update

from tests.support.clock import on
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports import rules
from tracker.reports.load.services import link_tasks, unlink_task
from tracker.reports.models import ProgressReport
from tracker.reports.periods import ensure_period
from tracker.reports.queries import period_overview, reporting_facts
from tracker.scoring import rules as scoring_rules
from tracker.scoring.facts import month_facts
from tracker.supervision.alerts.rules import REPORT_MISSING
from tracker.supervision.alerts.sweep import run_sweep
from tracker.supervision.models import Alert, TaskAssignment

D = date.fromisoformat
JUDGED = D("2026-12-01")  # November's reports were due Wednesday 11-25


def assign(task_id, unit_id, lead):
    at = datetime(2026, 10, 5, 1)
    db.session.add(
        TaskAssignment(
            task_id=task_id,
            unit_id=unit_id,
            is_lead=lead,
            assigned_at=at,
            ack_due=at.date(),
            acknowledged_at=at,
        )
    )


def file(task_id, unit_id, period, state="submitted", day="2026-11-20"):
    at = datetime.fromisoformat(f"{day} 02:00")
    db.session.add(
        ProgressReport(
            task_id=task_id,
            unit_id=unit_id,
            period_id=period.id,
            state=state,
            progress="本月推进情况",
            percent=40,
            submitted_at=at if state != "draft" else None,
            first_submitted_at=at if state != "draft" else None,
        )
    )
    db.session.commit()


@pytest.fixture
def linked(world):
    """own_task (lead 市发改委) and co_task (lead 市科技局, co-unit 市发改委), both in
    progress and assigned in October, linked into one group by the office."""
    ids = world["ids"]
    own, co = ids["own_task"], ids["co_task"]
    db.session.execute(
        update(Task)
        .where(Task.id.in_([own, co]))
        .values(status="in_progress", due_date=D("2026-12-31"))
    )
    fgw = world["users"]["liaison"].unit_id
    kjj = ids["unit"]
    assign(own, fgw, True)
    assign(co, kjj, True)
    assign(co, fgw, False)
    db.session.commit()
    with on(D("2026-11-02")):
        link_tasks([own, co], world["users"]["office"])
        db.session.commit()
    november = ensure_period(2026, 11)
    db.session.commit()
    return {"own": own, "co": co, "fgw": fgw, "kjj": kjj, "november": november}


def missing(period, today=JUDGED):
    facts = reporting_facts([period.id])
    first = facts.first_submitted.get(period.id, {})
    return {
        pair
        for pair in facts.owed(period.due_date, period.key)
        if rules.report_standing(first.get(pair), period.due_date, today) == rules.MISSING
    }


def test_one_report_answers_for_the_linked_task(linked):
    november = linked["november"]
    own, co, fgw, kjj = linked["own"], linked["co"], linked["fgw"], linked["kjj"]
    assert missing(november) == {(own, fgw), (co, fgw), (co, kjj)}

    file(own, fgw, november)
    facts = reporting_facts([november.id])
    assert facts.linked[november.id] == {(co, fgw): own}
    assert facts.first_submitted[november.id][(co, fgw)] == D("2026-11-20")
    # 市发改委 owes nothing more; 市科技局, the lead of the co-led task, still owes its own
    assert missing(november) == {(co, kjj)}
    rows = {r["unit"].id: r for r in period_overview(november, JUDGED)}
    assert (rows[fgw]["expected"], rows[fgw]["missing"], rows[fgw]["late"]) == (2, 0, 0)
    assert rows[kjj]["missing"] == 1


def test_a_draft_or_another_units_report_does_not_answer(linked):
    november = linked["november"]
    own, co, fgw, kjj = linked["own"], linked["co"], linked["fgw"], linked["kjj"]
    file(own, fgw, november, state="draft")
    file(co, kjj, november)
    assert missing(november) == {(own, fgw), (co, fgw)}


def test_a_late_report_is_late_once(linked):
    november = linked["november"]
    own, fgw = linked["own"], linked["fgw"]
    file(own, fgw, november, day="2026-11-27")
    rows = {r["unit"].id: r for r in period_overview(november, JUDGED)}
    assert (rows[fgw]["missing"], rows[fgw]["late"]) == (0, 1)


def test_the_sweep_raises_no_missing_alert_for_a_linked_task(linked):
    november = linked["november"]
    own, co, fgw, kjj = linked["own"], linked["co"], linked["fgw"], linked["kjj"]
    file(own, fgw, november)
    run_sweep(D("2026-11-26"))
    db.session.expire_all()
    alerts = db.session.scalars(
        select(Alert).where(Alert.kind == REPORT_MISSING, Alert.resolved_at.is_(None))
    ).all()
    assert {(a.task_id, a.unit_id) for a in alerts if a.period_id == november.id} == {(co, kjj)}


def test_the_scorecard_deducts_no_missing_report_for_a_linked_task(linked):
    november = linked["november"]
    own, co, fgw, kjj = linked["own"], linked["co"], linked["fgw"], linked["kjj"]
    file(own, fgw, november)
    facts, _units, _names = month_facts("2026-11", JUDGED)
    missing = {
        (e.task_id, e.unit_id)
        for e in scoring_rules.month_events(facts)
        if e.rule == scoring_rules.REPORT_MISSING
    }
    assert (co, fgw) not in missing  # served by the report on `own`
    assert (co, kjj) in missing  # the other unit of the co-led task still owes its own
    assert (own, fgw) not in missing


def _card(page, number):
    return page.xpath(f"//section[@data-testid='report-card-{number}']")[0]


def test_the_month_page_asks_once_per_group(linked, client_for):
    november = linked["november"]
    own, fgw = linked["own"], linked["fgw"]
    with on(D("2026-11-21")):
        fgw_client = client_for("liaison")
        before = html.fromstring(fgw_client.get("/reports").data)
        assert not _card(before, 17).xpath(".//*[@data-testid='served-by-link']")
        assert _card(before, 17).xpath(".//form[contains(@class, 'report-form')]")

        file(own, fgw, november)
        page = html.fromstring(fgw_client.get("/reports").data)
        card = _card(page, 17)
        note = card.xpath(".//*[@data-testid='served-by-link']")[0]
        own_title = db.session.get(Task, own).title
        assert own_title in note.text_content()
        assert note.xpath(".//a/@href") == [f"/tasks/{own}"]
        assert not card.xpath(".//form[contains(@class, 'report-form')]")
        assert not _card(page, 1).xpath(".//*[@data-testid='served-by-link']")

        # 市科技局 leads the co-led task: its own report is still asked for
        kjj_page = html.fromstring(client_for("other_liaison").get("/reports").data)
        kjj_card = _card(kjj_page, 17)
        assert not kjj_card.xpath(".//*[@data-testid='served-by-link']")
        assert kjj_card.xpath(".//form[contains(@class, 'report-form')]")


def test_unlinking_restores_the_obligation_for_later_months(linked):
    own, co, fgw, kjj = linked["own"], linked["co"], linked["fgw"], linked["kjj"]
    file(own, fgw, linked["november"])
    with on(D("2026-12-02")):
        unlink_task(co, None)
        db.session.commit()
    december = ensure_period(2026, 12)
    db.session.commit()
    file(own, fgw, december, day="2026-12-10")
    assert missing(december, D("2027-01-05")) == {(co, fgw), (co, kjj)}
    assert reporting_facts([december.id]).linked == {}


def test_the_month_page_costs_the_same_with_more_linked_tasks(
    linked, world, client_for, count_statements
):
    november = linked["november"]
    own, fgw = linked["own"], linked["fgw"]
    file(own, fgw, november)
    with on(D("2026-11-21")):
        client = client_for("liaison")
        client.get("/reports")
        with count_statements() as small:
            assert client.get("/reports").status_code == 200
        # more of 市发改委's tasks, assigned and linked into the same group
        more = db.session.scalars(
            select(Task.id).where(Task.lead_unit_id == fgw, Task.id.not_in([own, linked["co"]]))
        ).all()[:4]
        assert len(more) >= 2
        db.session.execute(update(Task).where(Task.id.in_(more)).values(status="in_progress"))
        for task_id in more:
            assign(task_id, fgw, True)
        db.session.commit()
        link_tasks([own, *more], world["users"]["office"])
        db.session.commit()
        with count_statements() as large:
            page = client.get("/reports")
        assert page.status_code == 200
        assert page.data.count(b'data-testid="served-by-link"') == 1 + len(more)
        assert large.count == small.count


def test_earlier_months_do_not_ask_for_a_task_a_linked_report_answered(linked, client_for):
    own, fgw = linked["own"], linked["fgw"]
    with on(D("2026-12-03")):
        client = client_for("liaison")
        page = client.get("/reports").data
        assert b'data-testid="report-card-17-2026-11"' in page
        assert b'data-testid="report-card-1-2026-11"' in page
        file(own, fgw, linked["november"])
        page = client.get("/reports").data
        assert b'data-testid="report-card-17-2026-11"' not in page
        assert b'data-testid="report-card-1-2026-11"' not in page
