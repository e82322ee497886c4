"""Every route of the intake blueprint, every role (docs/permissions.md, docs/intake.md).

Only the office creates, edits, archives, re-dates, reassigns, splits and merges (leaders,
liaisons and the admin: 403); the admin sets the default deadlines (the office reads them);
the plan's original file is read by office, leader and admin. A refused request writes nothing.
"""

import pytest
from sqlalchemy import func, select
from support.permission_matrix import PAGE, WRITE, endpoints_of, expect, run_matrix

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskUnitChange
from tracker.settings import Setting
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "intake.plan_new",
    "intake.plan_edit",
    "intake.section_add",
    "intake.section_edit",
    "intake.plan_archive",
    "intake.plan_delete",
    "intake.plan_original",
    "intake.task_new",
    "intake.task_edit",
    "intake.task_redate",
    "intake.task_reassign",
    "intake.task_split",
    "intake.task_merge",
    "intake.task_archive",
    "intake.task_delete",
    "intake.quick_entry",
    "intake.deadlines",
}

OFFICE = {"office": PAGE}
PLAN = {"kind": "meeting", "title": "常务会议定事项", "issuer": "市政府办公室"}
TASK = {"section_id": "{section}", "title": "新任务", "lead_unit_id": "{fgw}"}
QUICK = {"kind": "meeting", "title": "推进孵化器建设", "lead_unit_id": "{fgw}"}

CASES = [
    ("GET", "/intake/plans/new", None, expect(**OFFICE)),
    ("POST", "/intake/plans/new", PLAN, expect(office=WRITE)),
    ("GET", "/intake/plans/{own_plan}/edit", None, expect(**OFFICE)),
    ("GET", "/intake/plans/999999/edit", None, expect(office=404)),
    (
        "POST",
        "/intake/plans/{own_plan}/sections",
        {"label": "四、", "title": "新部分"},
        expect(office=WRITE),
    ),
    (
        "POST",
        "/intake/sections/{section}",
        {"label": "一、", "title": "改名"},
        expect(office=WRITE),
    ),
    ("GET", "/intake/plans/{own_plan}/original", None, expect(admin=404, office=404, leader=404)),
    ("GET", "/intake/plans/{own_plan}/tasks/new", None, expect(**OFFICE)),
    ("POST", "/intake/plans/{own_plan}/tasks/new", TASK, expect(office=302)),
    ("GET", "/intake/tasks/{own_task}/edit", None, expect(**OFFICE)),
    (
        "POST",
        "/intake/tasks/{own_task}/redate",
        {"due_date": "2031-06-30", "reason": "领导要求提前"},
        expect(office=WRITE),
    ),  # fmt: skip
    (
        "POST",
        "/intake/tasks/{own_task}/reassign",
        {"lead_unit_id": "{kjj}", "reason": "职能调整"},
        expect(office=WRITE),
    ),  # fmt: skip
    (
        "POST",
        "/intake/tasks/{own_task}/split",
        {"title_0": "子任务", "lead_0": "{kjj}"},
        expect(office=WRITE),
    ),  # fmt: skip
    (
        "POST",
        "/intake/tasks/{own_task}/merge",
        {"target_id": "{other_task}", "reason": "重复"},
        expect(office=WRITE),
    ),  # fmt: skip
    ("POST", "/intake/tasks/{other_task}/archive", {"reason": "不再执行"}, expect(office=WRITE)),
    ("POST", "/intake/tasks/{co_task}/delete", {}, expect(office=WRITE)),
    ("GET", "/intake/quick", None, expect(**OFFICE)),
    ("POST", "/intake/quick", QUICK, expect(office=302)),
    ("GET", "/intake/deadlines", None, expect(admin=PAGE, office=PAGE)),
    (
        "POST",
        "/intake/deadlines",
        {"meeting_amount": "15", "meeting_unit": "working_days"},
        expect(admin=WRITE),
    ),  # fmt: skip
    ("POST", "/intake/plans/{own_plan}/archive", {"reason": "文件废止"}, expect(office=WRITE)),
    ("POST", "/intake/plans/{other_plan}/delete", {}, expect(office=302)),
]


@pytest.fixture
def ids(world):
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    section = db.session.scalar(
        select(Section.id).where(Section.plan_id == world["ids"]["own_plan"]).limit(1)
    )
    return {**world["ids"], **units, "section": section}


def snapshot():
    db.session.expire_all()
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Plan, Section, Task, TaskUnitChange, Setting, AuditEvent)
    )
    tasks = db.session.execute(select(Task.id, Task.status, Task.due_date, Task.lead_unit_id)).all()
    return counts, sorted(tasks)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client_for, ids, role):
    run_matrix(CASES, role, client_for=client_for, ids=ids, snapshot=snapshot, fresh_client=True)


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("intake.")}
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, CASES) == ENDPOINTS
