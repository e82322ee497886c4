"""分类考核 (issue 14, item 6): a bulletin ranks units within their category as well as overall,
on its page and in its Word and Excel files; the admin edits the categories."""

from datetime import date, datetime
from io import BytesIO

import pytest
from docx import Document
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.extensions import db
from tracker.scoring.bulletins import services as bulletins
from tracker.scoring.models import ScoreAdjustment
from tracker.scoring.services import store_month
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit, UnitCategory

TODAY = date(2026, 11, 5)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(datetime(2026, 11, 5, 10, tzinfo=LOCAL_TZ)):
        yield


def unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


@pytest.fixture
def bulletin(world):
    """October 2026 scored: 市人社局 +3, 高新区管委会 +2, 市税务局 −1, 市财政局 −2."""
    for code, amount in (("rsj", 3), ("gxqgwh", 2), ("shuiwj", -1), ("czj", -2)):
        db.session.add(
            ScoreAdjustment(period="2026-10", unit_id=unit(code).id, amount=amount, reason="测试")
        )
    db.session.flush()
    store_month("2026-10", TODAY)
    made = bulletins.draft(world["users"]["office"], "2026-10", TODAY)
    db.session.commit()
    return made


def groups_of(figures):
    return {g["category"]: [(r["unit"], r["category_rank"]) for r in g["rows"]]
            for g in figures["by_category"]}  # fmt: skip


def test_the_bulletin_ranks_within_each_category(bulletin):
    groups = groups_of(bulletin.figures)
    assert list(groups)[:1] == ["市直部门"]  # the admin's order
    assert groups["开发区"][0] == ("长治高新区管委会", 1)
    assert groups["中央和省驻长单位"] == [("市税务局", 1)]
    city = groups["市直部门"]
    assert city[0] == ("市人社局", 1)
    assert city[-1] == ("市财政局", len(city))
    overall = {r["unit"]: r["rank"] for r in bulletin.figures["ranking"]}
    assert overall["长治高新区管委会"] == 2  # second overall, first of its category


def test_the_page_and_the_files_show_the_category_ranking(bulletin, client_for):
    office = client_for("office")
    page = office.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert 'data-testid="category-ranking"' in page
    assert page.count('data-testid="category-ranking-table"') == len(
        bulletin.figures["by_category"]
    )
    workbook = load_workbook(BytesIO(office.get(f"/bulletins/{bulletin.id}.xlsx").data))
    rows = list(workbook["分类排名"].iter_rows(values_only=True))
    assert rows[0][:2] == ("类别", "类别内名次")
    assert ("开发区", 1, "长治高新区管委会") in [r[:3] for r in rows]
    document = Document(BytesIO(office.get(f"/bulletins/{bulletin.id}.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert "附表：开发区考核得分排名" in texts
    assert len(document.tables) == 1 + len(bulletin.figures["by_category"])


def test_the_admin_adds_and_renames_categories_and_sets_a_units(world, client_for):
    admin = client_for("admin")
    assert admin.post("/units/categories", data={"name": "县区", "position": 2}).status_code == 200
    assert (
        admin.post("/units/categories", data={"name": "省直单位", "position": 9}).status_code == 302
    )
    added = db.session.scalar(select(UnitCategory).where(UnitCategory.name == "省直单位"))
    response = admin.post(
        f"/units/categories/{added.id}", data={f"c{added.id}-name": "省直驻长单位",
                                               f"c{added.id}-position": "8"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(UnitCategory, added.id).name == "省直驻长单位"
    kjj = unit("kjj")
    form = {"name": kjj.name, "code": kjj.code, "kind": kjj.kind, "category_id": added.id,
            "successor_id": 0}  # fmt: skip
    assert admin.post(f"/units/{kjj.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert unit("kjj").category_id == added.id
    assert "省直驻长单位" in admin.get("/units").get_data(as_text=True)


def test_the_scorecard_page_filters_by_category(bulletin, client_for):
    zone = db.session.scalar(select(UnitCategory).where(UnitCategory.name == "开发区"))
    office = client_for("office")
    everyone = office.get("/scores?period=2026-10").get_data(as_text=True)
    page = office.get(f"/scores?period=2026-10&category={zone.id}").get_data(as_text=True)
    assert 'data-testid="category-filter"' in everyone
    assert page.count('data-testid="score-row"') == 1  # the zone's one scored unit
    assert 'data-unit="gxqgwh"' in page and 'data-unit="rsj"' not in page
    assert 'data-testid="rank">1<' in page  # first of its category (second overall)
    assert everyone.count('data-testid="score-row"') > 2
    assert office.get("/scores?period=2026-10&category=abc").status_code == 200  # dropped
