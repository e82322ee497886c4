"""Bad input on the people routes gets a message or a 4xx, never a 500 (SQLite and
PostgreSQL): huge and negative ids, text for numbers, oversized and control-character text."""

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.people.models import ResponsiblePerson
from tracker.units.models import Unit

BAD = ["", "abc", "-1", "0", "2147483648", "9" * 30, "1.5", "\x00", "名" * 5000, "None"]


@pytest.mark.parametrize("value", BAD)
def test_bad_values_never_make_a_server_error(world, client_for, value):
    ids = world["ids"]
    office, leader, liaison = client_for("office"), client_for("leader"), client_for("liaison")
    for client, path in (
        (leader, f"/leading?page={value}"),
        (office, f"/plans/{ids['own_plan']}/wall-chart?x={value}"),
        (office, "/leaders/2147483648/wall-chart"),
        (office, "/plans/99999999999/wall-chart"),
    ):
        assert client.get(path).status_code < 500, path
    for client, path, form in (
        (office, f"/plans/{ids['own_plan']}/leader", {"leader_id": value}),
        (office, f"/tasks/{ids['own_task']}/leader", {"leader_id": value}),
        (office, "/sections/2147483648/leader", {"leader_id": value}),
        (
            office,
            f"/tasks/{ids['own_task']}/responsible-person",
            {"unit_id": value, "name": "张三"},
        ),
        (
            liaison,
            f"/tasks/{ids['own_task']}/responsible-person",
            {"unit_id": "{fgw}", "name": value, "phone": value},
        ),
    ):
        fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
        form = {k: v.replace("{fgw}", str(fgw)) for k, v in form.items()}
        answer = client.post(path, data=form)
        assert answer.status_code < 500, (path, form)
    # whatever was saved is within bounds and free of NUL
    for person in db.session.scalars(select(ResponsiblePerson)):
        assert len(person.name) <= 50 and "\x00" not in person.name
