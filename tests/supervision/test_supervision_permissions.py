"""Every route of the supervision blueprint, every role.

The office assigns and decides; leaders write instructions; a liaison acts for its unit:
acknowledges its assignments, and, for a task its unit leads, asks for extension and
close-out and answers instructions. A liaison learns nothing of another unit's task (404);
a co-unit asking for a lead unit's step, or a role without the step, gets 403. A refused
request writes nothing.

`world`: liaison = 市发改委, other_liaison = 市科技局. own_task is led by 市发改委 (no
co-unit), co_task is led by 市科技局 with 市发改委 as co-unit, other_task is 市科技局's alone.
"""

import pytest
from support.permission_matrix import PAGE, REFUSED, WRITE, endpoints_of, expect, run_matrix

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "supervision.assign",
    "supervision.assign_plan",
    "supervision.acknowledge",
    "supervision.request_extension",
    "supervision.decide_extension",
    "supervision.request_close_out",
    "supervision.decide_close_out",
    "supervision.write_instruction",
    "supervision.answer_instruction",
    "supervision.pending",
    "supervision.my_actions",
}


EXTENSION = {"requested_due": "2027-03-31", "reason": "受疫情影响，需延期"}
CLOSE_OUT = {"summary": "各项工作均已完成"}
TEXT = {"text": "请抓紧推进，按期完成"}
APPROVE = {"decision": "approve", "note": ""}
CONFIRM = {"decision": "confirm", "note": ""}


def _nothing(do):
    return {}


def _assigned(do):
    """own_task, co_task and other_task assigned, each with an instruction to answer."""
    ids = {}
    for name in ("own_task", "co_task", "other_task"):
        do.assign(name)
        ids[name.replace("task", "instruction")] = do.instruction(name).id
    return ids


def _requests(do):
    """own_task in progress with a pending extension and a pending close-out request."""
    do.assign("own_task")
    do.acknowledge("own_task")
    return {"extension": do.extension("own_task").id, "close_out": do.close_out("own_task").id}


STAGES = {
    "before assignment": (
        _nothing,
        [
            ("GET", "/supervision/requests", None, expect(office=PAGE, leader=PAGE)),
            ("GET", "/supervision/my", None, expect(liaison=PAGE, other_liaison=PAGE)),
            ("POST", "/tasks/{own_task}/assign", {}, expect(office=WRITE)),
            ("POST", "/tasks/999999/assign", {}, expect(office=404)),
            ("POST", "/plans/{other_plan}/assign", {}, expect(office=WRITE)),
            ("POST", "/plans/999999/assign", {}, expect(office=404)),
            ("POST", "/tasks/{other_task}/instructions", TEXT, expect(leader=WRITE)),
            ("POST", "/tasks/999999/instructions", TEXT, expect(leader=404)),
            # a part in the task but nothing assigned yet: a message, nothing written
            (
                "POST",
                "/tasks/{co_task}/acknowledge",
                {},
                expect(liaison=REFUSED, other_liaison=REFUSED),
            ),
            (
                "POST",
                "/tasks/{own_task}/acknowledge",
                {},
                expect(liaison=REFUSED, other_liaison=404),
            ),
        ],
    ),
    "assigned": (
        _assigned,
        [
            ("POST", "/tasks/{own_task}/acknowledge", {}, expect(liaison=WRITE, other_liaison=404)),
            (
                "POST",
                "/tasks/{co_task}/acknowledge",
                {},
                expect(liaison=WRITE, other_liaison=WRITE),
            ),
            (
                "POST",
                "/tasks/{other_task}/acknowledge",
                {},
                expect(liaison=404, other_liaison=WRITE),
            ),
            ("POST", "/tasks/999999/acknowledge", {}, expect(liaison=404, other_liaison=404)),
            (
                "POST",
                "/tasks/{own_task}/extensions",
                EXTENSION,
                expect(liaison=WRITE, other_liaison=404),
            ),
            (
                "POST",
                "/tasks/{co_task}/extensions",
                EXTENSION,
                expect(liaison=403, other_liaison=WRITE),
            ),
            (
                "POST",
                "/tasks/{other_task}/extensions",
                EXTENSION,
                expect(liaison=404, other_liaison=WRITE),
            ),
            (
                "POST",
                "/tasks/{own_task}/close-out",
                CLOSE_OUT,
                expect(liaison=WRITE, other_liaison=404),
            ),
            (
                "POST",
                "/tasks/{co_task}/close-out",
                CLOSE_OUT,
                expect(liaison=403, other_liaison=WRITE),
            ),
            (
                "POST",
                "/tasks/{other_task}/close-out",
                CLOSE_OUT,
                expect(liaison=404, other_liaison=WRITE),
            ),
            (
                "POST",
                "/instructions/{own_instruction}/answer",
                TEXT,
                expect(liaison=WRITE, other_liaison=404),
            ),
            (
                "POST",
                "/instructions/{co_instruction}/answer",
                TEXT,
                expect(liaison=403, other_liaison=WRITE),
            ),
            (
                "POST",
                "/instructions/{other_instruction}/answer",
                TEXT,
                expect(liaison=404, other_liaison=WRITE),
            ),
            ("POST", "/instructions/999999/answer", TEXT, expect(liaison=404, other_liaison=404)),
            ("POST", "/tasks/{co_task}/instructions", TEXT, expect(leader=WRITE)),
            # assigning twice is refused with a message
            ("POST", "/tasks/{own_task}/assign", {}, expect(office=REFUSED)),
        ],
    ),
    "requests pending": (
        _requests,
        [
            ("POST", "/extensions/{extension}/decide", APPROVE, expect(office=WRITE)),
            ("POST", "/close-outs/{close_out}/decide", CONFIRM, expect(office=WRITE)),
            ("POST", "/extensions/999999/decide", APPROVE, expect(office=404)),
            ("POST", "/close-outs/999999/decide", CONFIRM, expect(office=404)),
        ],
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("stage", list(STAGES))
def test_every_route_for_every_role(world, as_role, do, snapshot, stage, role):
    prepare, cases = STAGES[stage]
    ids = {**world["ids"], **prepare(do)}
    run_matrix(cases, role, client_for=as_role, ids=ids, snapshot=snapshot)


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("supervision.")}
    assert routed == ENDPOINTS
    cases = [case for _prepare, stage_cases in STAGES.values() for case in stage_cases]
    assert endpoints_of(app.url_map, cases) == ENDPOINTS


def test_a_liaison_reads_no_other_units_work(world, as_role, do, task_of):
    """The liaison's to-do list names its own tasks and nothing of 市科技局's own task."""
    _assigned(do)
    page = as_role("liaison").get("/supervision/my").get_data(as_text=True)
    assert task_of("own_task").title in page
    assert task_of("co_task").title in page  # its co-unit assignment, to acknowledge
    assert task_of("other_task").title not in page
