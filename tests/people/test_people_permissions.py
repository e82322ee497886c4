"""Every route of the people blueprint, every role (docs/people.md).

我分管的 is a leader's own page; every leader's wall chart is read by office, leaders and the
admin; a plan's wall chart by everyone who reads the plan (a liaison: its unit's tasks
only); only the office names leaders in charge; the office names any unit's responsible
person, a liaison only its own unit's. A refused request writes nothing.
"""

import pytest
from sqlalchemy import func, select
from support.permission_matrix import PAGE, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Section
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "people.leading",
    "people.leader_chart",
    "people.plan_chart",
    "people.plan_people",
    "people.plan_leader",
    "people.section_leader",
    "people.task_leader",
    "people.responsible_person",
}

READERS = {"admin": PAGE, "office": PAGE, "leader": PAGE}
ALL = {**READERS, "liaison": PAGE, "other_liaison": PAGE}
LEADER = {"leader_id": "{leader}"}

CASES = [
    ("GET", "/leading", None, expect(leader=PAGE)),
    ("GET", "/leading?page=abc", None, expect(leader=PAGE)),
    ("GET", "/leaders/{leader}/wall-chart", None, expect(**READERS)),
    ("GET", "/leaders/{office_user}/wall-chart", None, expect(admin=404, office=404, leader=404)),
    ("GET", "/plans/{own_plan}/wall-chart", None, expect(**ALL)),
    ("GET", "/plans/999999/wall-chart", None, expect(404)),
    ("GET", "/plans/{own_plan}/people", None, expect(office=PAGE)),
    ("GET", "/plans/999999/people", None, expect(office=404)),
    ("POST", "/plans/{own_plan}/leader", LEADER, expect(office=WRITE)),
    ("POST", "/sections/{section}/leader", LEADER, expect(office=WRITE)),
    ("POST", "/tasks/{own_task}/leader", LEADER, expect(office=WRITE)),
    ("POST", "/tasks/999999/leader", LEADER, expect(office=404)),
    (
        "POST",
        "/tasks/{co_task}/responsible-person",
        {"unit_id": "{fgw}", "name": "张三", "phone": "13800000000"},
        expect(office=WRITE, liaison=WRITE, other_liaison=403),
    ),
    (
        "POST",
        "/tasks/{co_task}/responsible-person",
        {"unit_id": "{kjj}", "name": "李四"},
        expect(office=WRITE, liaison=403, other_liaison=WRITE),
    ),
    (
        "POST",
        "/tasks/{other_task}/responsible-person",
        {"unit_id": "{kjj}", "name": "王五"},
        expect(office=WRITE, liaison=404, other_liaison=WRITE),
    ),
]


@pytest.fixture
def ids(world):
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    section = db.session.scalar(
        select(Section.id).where(Section.plan_id == world["ids"]["own_plan"]).limit(1)
    )
    return {
        **world["ids"],
        **units,
        "section": section,
        "leader": world["users"]["leader"].id,
        "office_user": world["users"]["office"].id,
    }


def snapshot():
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        sorted(
            db.session.execute(
                select(
                    LeaderInCharge.plan_id,
                    LeaderInCharge.section_id,
                    LeaderInCharge.task_id,
                    LeaderInCharge.user_id,
                )
            ).all(),
            key=repr,
        ),
        sorted(
            db.session.execute(
                select(ResponsiblePerson.task_id, ResponsiblePerson.unit_id, ResponsiblePerson.name)
            ).all()
        ),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client_for, ids, role):
    run_matrix(
        CASES,
        role,
        client_for=client_for,
        ids=ids,
        snapshot=snapshot,
        fresh_client=True,
        reads_change_nothing=True,
    )


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("people.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_a_liaison_never_reads_another_units_tasks_on_a_chart(world, client_for):
    """The plan chart of a liaison holds its unit's tasks only (lead or co-unit)."""
    ids = world["ids"]
    page = client_for("liaison").get(f"/plans/{ids['own_plan']}/wall-chart").get_data(as_text=True)
    assert f'data-task="{ids["own_task"]}"' in page and f'data-task="{ids["co_task"]}"' in page
    assert f'data-task="{ids["other_task"]}"' not in page
