"""The adjustment form names its unit by typing it (issue 13): the scores page offers the
current units' names in one `<datalist id="units">` (the office only) instead of a
2,000-option menu; the server resolves the name with the pickers' messages."""

from datetime import datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.extensions import db
from tracker.scoring.models import ScoreAdjustment
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

NOW = datetime(2026, 11, 20, 10, tzinfo=LOCAL_TZ)


@pytest.fixture
def signed_in(app, world, login):
    """signed_in(role) -> a client in English, the clock on 20 November 2026."""
    with freeze_time(NOW):

        def make(role):
            client = app.test_client()
            client.set_cookie("tracker_lang", "en")
            assert login(client, world["users"][role]).status_code == 302
            return client

        yield make


def _adjust(client, unit):
    data = {"period": "2026-10", "unit_id": unit, "amount": "-1", "reason": "未参加调度会"}
    return client.post("/scores/adjustments", data=data)


def test_the_office_types_the_unit_of_an_adjustment(signed_in):
    office = signed_in("office")
    page = office.get("/scores?period=2026-10").get_data(as_text=True)
    assert '<select id="unit_id"' not in page and 'list="units"' in page
    assert page.count('<datalist id="units"') == 1
    assert '<option value="市经信委">' not in page  # reorganised: not offered
    unknown = _adjust(office, "市不存在局")
    assert unknown.status_code == 400
    assert "No unit is called “市不存在局”" in unknown.get_data(as_text=True)
    retired = _adjust(office, "市经信委")
    assert retired.status_code == 400
    assert "its work answers to 市工信局" in retired.get_data(as_text=True)
    assert _adjust(office, "").status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(ScoreAdjustment)) == 0
    assert _adjust(office, "市科技局").status_code == 302
    (adjustment,) = db.session.scalars(select(ScoreAdjustment)).all()
    assert adjustment.unit_id == db.session.scalar(select(Unit.id).where(Unit.code == "kjj"))


def test_others_get_no_form_and_no_list(signed_in):
    for role in ("leader", "admin"):
        client = signed_in(role)
        assert "<datalist" not in client.get("/scores?period=2026-10").get_data(as_text=True)
        assert _adjust(client, "市科技局").status_code == 403
