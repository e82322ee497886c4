"""The scorecard pages stay small at province scale: the ranking shows 50 units a page,
a unit's ledger 100 entries a page; bad page numbers are a page, never a 500; the dashboard
shows the first 50 units of its unit tables with a link to the full list."""

from datetime import date
from decimal import Decimal

from lxml import html
from sqlalchemy import select

from tracker.dashboard import queries as dashboard_queries
from tracker.extensions import db
from tracker.scoring import rules
from tracker.scoring.models import Scorecard, ScoreEntry
from tracker.timeutil import today
from tracker.units.models import Unit

MONTH = "2026-10"


def _units(n: int) -> list[int]:
    db.session.execute(
        Unit.__table__.insert(),
        [
            {"name": f"测试单位{i}", "code": f"zz{i:04d}", "kind": "gov_dept", "aliases": []}
            for i in range(n)
        ],
    )
    return list(db.session.scalars(select(Unit.id).order_by(Unit.code)))


def _card(unit_id: int, rank: int, amounts: list[Decimal], month: str = MONTH) -> None:
    card = Scorecard(
        period=month,
        unit_id=unit_id,
        rank=rank,
        rule_set_version=1,
        computed_on=date(2026, 11, 2),
        score=100 + sum(amounts),
        deductions=sum((a for a in amounts if a < 0), Decimal(0)),
        credits=sum((a for a in amounts if a > 0), Decimal(0)),
    )
    card.entries = [
        ScoreEntry(
            position=i, rule="manual_adjustment", amount=a, event_type="adjustment", event_id=i
        )
        for i, a in enumerate(amounts)
    ]
    db.session.add(card)


def _doc(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return html.fromstring(response.data)


def test_the_ranking_is_paged(world, client_for):
    units = _units(120)
    for i, unit_id in enumerate(units):
        _card(unit_id, i + 1, [Decimal(-i)] if i else [])
    db.session.commit()
    client = client_for("leader")
    doc = _doc(client, f"/scores?period={MONTH}")
    ranks = [td.text_content() for td in doc.xpath("//td[@data-testid='rank']")]
    assert ranks[:2] == ["1", "2"] and len(ranks) == 50
    assert doc.xpath("//nav[@class='pager']/a[@rel='next']")
    doc = _doc(client, f"/scores?period={MONTH}&page=3")
    ranks = [td.text_content() for td in doc.xpath("//td[@data-testid='rank']")]
    assert ranks[0] == "101" and len(ranks) == len(units) - 100
    for page in ("0", "-1", "x", "99999"):
        assert _doc(client, f"/scores?period={MONTH}&page={page}").xpath(
            "//td[@data-testid='rank']"
        )


def test_a_units_ledger_is_paged(world, client_for):
    unit = world["ids"]["unit"]
    _card(unit, 1, [Decimal(-1)] * 250)
    db.session.commit()
    client = client_for("office")
    doc = _doc(client, f"/scores/units/{unit}?period={MONTH}")
    assert len(doc.xpath("//tr[@data-testid='entry']")) == 100
    assert doc.xpath("//nav[@data-testid='entries-pager']/a[@rel='next']")
    doc = _doc(client, f"/scores/units/{unit}?period={MONTH}&page=3")
    assert len(doc.xpath("//tr[@data-testid='entry']")) == 50
    assert doc.xpath("//span[@data-testid='score']")[0].text_content() == "-150.00"


def test_the_dashboard_bounds_its_unit_tables(world, client_for):
    units = _units(80)
    month = rules.last_month(today())  # the dashboard's ranking month
    for i, unit_id in enumerate(units):
        _card(unit_id, i + 1, [], month)
    db.session.commit()
    client = client_for("leader")
    response = client.get("/dashboard")
    doc = html.fromstring(response.data)
    assert len(doc.xpath("//table[@data-testid='ranking']/tbody/tr")) == dashboard_queries.TOP
    more = doc.xpath("//p[@data-testid='ranking-more']/a/@href")
    assert more and "/scores" in more[0]
    charts = client.get("/dashboard/charts.json").get_json()
    assert len(charts["charts"]["ranking"]["categories"]) == dashboard_queries.TOP
    assert len(charts["sparks"]) == dashboard_queries.TOP
