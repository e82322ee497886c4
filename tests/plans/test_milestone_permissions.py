"""Every route of the milestones blueprint, every role (docs/milestones.md).

The office adds, changes, marks done, reopens and deletes; the liaison of the unit that
answers for a milestone marks it done (a co-unit's liaison for the lead unit's milestone:
403); a liaison whose unit has no part in the task gets 404 and learns nothing. The pace
list and its files: office and leaders. A refused request writes nothing.
"""

from datetime import date

import pytest
from sqlalchemy import func, select
from support.permission_matrix import PAGE, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.milestones import services
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Task

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
ENDPOINTS = {
    "milestones.add",
    "milestones.edit",
    "milestones.mark_done",
    "milestones.reopen",
    "milestones.delete",
    "milestones.pace_page",
    "milestones.pace_file",
}
NEW = {"due_date": "2026-12-31", "deliverable": "出台方案", "unit_id": "{lead}"}
DONE = {"note": "已完成，见文件"}
CHANGE = {"due_date": "2027-03-31", "deliverable": "改期", "unit_id": "{lead}"}
LEADERS = {"office": PAGE, "leader": PAGE}

CASES = [
    ("GET", "/pace", None, expect(**LEADERS)),
    ("GET", "/pace.xlsx", None, expect(**LEADERS)),
    ("GET", "/pace.docx?month=2026-10", None, expect(**LEADERS)),
    ("GET", "/pace.pdf", None, expect(office=404, leader=404)),
    ("POST", "/tasks/{own_task}/milestones", NEW, expect(office=WRITE)),
    ("POST", "/tasks/999999/milestones", NEW, expect(office=404)),
    ("GET", "/milestones/{own_ms}/edit", None, expect(office=PAGE)),
    ("POST", "/milestones/{own_ms}/edit", CHANGE, expect(office=WRITE)),
    # the lead unit's liaison marks its milestone; another unit's learns nothing (404)
    (
        "POST",
        "/milestones/{own_ms}/done",
        DONE,
        expect(office=WRITE, liaison=WRITE, other_liaison=404),
    ),  # fmt: skip
    # the co-unit (市发改委) may not mark the lead unit's (市科技局) milestone of task 17
    ("POST", "/milestones/{co_ms}/done", DONE, expect(office=WRITE, other_liaison=WRITE)),
    (
        "POST",
        "/milestones/{other_ms}/done",
        DONE,
        expect(office=WRITE, liaison=404, other_liaison=WRITE),
    ),  # fmt: skip
    (
        "POST",
        "/milestones/{own_ms}/reopen",
        {"note": "佐证不足"},
        expect(office=WRITE, liaison=403),
    ),  # fmt: skip
    ("POST", "/milestones/{other_ms}/delete", {}, expect(office=WRITE, liaison=403)),
    (
        "POST",
        "/milestones/999999/done",
        DONE,
        expect(office=404, liaison=404, other_liaison=404),
    ),  # fmt: skip
]


@pytest.fixture
def ids(world):
    made = {}
    for name, key in (("own_ms", "own_task"), ("co_ms", "co_task"), ("other_ms", "other_task")):
        task = db.session.get(Task, world["ids"][key])
        task.status = "in_progress"
        made[name] = services.add_milestone(
            task, due_date=date(2026, 12, 31), deliverable=f"{name} 节点"
        ).id
    lead = db.session.get(Task, world["ids"]["own_task"]).lead_unit_id
    db.session.commit()
    return {**world["ids"], **made, "lead": lead}


def snapshot():
    db.session.expire_all()
    rows = db.session.execute(
        select(Milestone.id, Milestone.due_date, Milestone.done_on, Milestone.deliverable)
    ).all()
    return sorted(rows), db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client_for, ids, role):
    run_matrix(CASES, role, client_for=client_for, ids=ids, snapshot=snapshot, fresh_client=True)


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("milestones.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_a_liaison_never_sees_another_units_milestones(client_for, ids):
    page = client_for("liaison").get(f"/tasks/{ids['other_task']}")
    assert page.status_code == 404
    own = client_for("liaison").get(f"/tasks/{ids['own_task']}").get_data(as_text=True)
    assert "own_ms 节点" in own and "other_ms 节点" not in own
