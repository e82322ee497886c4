"""Every route of 退回交办 (contesting an assignment), every role.

Only the lead unit's liaison returns a task (a co-unit: 403; a unit with no part: 404);
only the office sees the queue and decides. A refused request writes nothing.
`world`: liaison = 市发改委 (leads own_task, co-unit of co_task), other_liaison = 市科技局
(leads co_task and other_task)."""

from datetime import date

import pytest
from sqlalchemy import select
from support.clock import on
from support.permission_matrix import PAGE, REFUSED, WRITE, endpoints_of, expect, run_matrix

from tracker.extensions import db
from tracker.plans.services import load_task
from tracker.supervision.workflow.contest import services as contests
from tracker.supervision.workflow.contest.models import TaskContest

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
DAY = date(2026, 11, 2)
RETURN = {"reason": "该事项不属于本单位职责"}
INSIST = {"decision": "insist", "lead_unit_id": "", "reason": "属于你单位职责，请签收办理"}
ENDPOINTS = {"contests.file", "contests.queue", "contests.decide"}

CASES = [
    ("GET", "/supervision/contests", None, expect(office=PAGE)),
    ("GET", "/supervision/contests?page=x", None, expect(office=PAGE)),
    ("GET", "/supervision/contests/{contest}", None, expect(office=PAGE)),
    ("GET", "/supervision/contests/999999", None, expect(office=404)),
    ("POST", "/supervision/contests/999999", INSIST, expect(office=404)),
    ("POST", "/tasks/{own_task}/contest", RETURN, expect(liaison=WRITE, other_liaison=404)),
    ("POST", "/tasks/{co_task}/contest", RETURN, expect(liaison=403, other_liaison=WRITE)),
    ("POST", "/tasks/{other_task}/contest", RETURN, expect(liaison=404, other_liaison=REFUSED)),
    ("POST", "/tasks/999999/contest", RETURN, expect(liaison=404, other_liaison=404)),
    ("POST", "/supervision/contests/{contest}", INSIST, expect(office=WRITE)),
    # decided once: a second decision is refused on the page, nothing saved
    ("POST", "/supervision/contests/{contest}", INSIST, expect(office=400)),
]


def _prepare(world, do):
    """own_task, co_task and other_task assigned on DAY; 市科技局 returned other_task."""
    for name in ("own_task", "co_task", "other_task"):
        do.assign(name)
    task = load_task(world["ids"]["other_task"])
    contest = contests.file_contest(task, world["users"]["other_liaison"], DAY, "不属于本单位")
    db.session.commit()
    return {"contest": contest.id}


@pytest.fixture
def contest_snapshot(snapshot):
    def take():
        rows = db.session.execute(select(TaskContest.id, TaskContest.outcome)).all()
        return {**snapshot(), "contests": sorted(rows)}

    return take


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(world, as_role, do, contest_snapshot, role):
    do.today = DAY
    with on(DAY):
        ids = {**world["ids"], **_prepare(world, do)}
        run_matrix(CASES, role, client_for=as_role, ids=ids, snapshot=contest_snapshot)


def test_every_endpoint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("contests.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS


def test_another_units_liaison_sees_nothing_of_a_return(world, as_role, do):
    """市科技局 returned other_task: 市发改委's liaison cannot open the task nor the queue."""
    do.today = DAY
    with on(DAY):
        ids = _prepare(world, do)
        client = as_role("liaison")
        assert client.get(f"/tasks/{world['ids']['other_task']}").status_code == 404
        assert client.get("/supervision/contests").status_code == 403
        assert client.get(f"/supervision/contests/{ids['contest']}").status_code == 403
