"""Helpers for the workflow tests: signed-in clients in English, the `world` tasks, steps
done directly through the services (to prepare a state), and a snapshot of everything the
workflow writes (to prove a refused request wrote nothing)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.plans.services import load_task
from tracker.supervision.models import (
    CloseOutRequest,
    ExtensionRequest,
    Instruction,
    TaskAssignment,
)
from tracker.supervision.workflow import instructions, requests, services


@pytest.fixture
def as_role(app, world, login):
    """as_role(role) -> a client signed in as that `world` user, UI in English."""

    def make(role):
        client = app.test_client()
        client.set_cookie("tracker_lang", "en")
        if role != "anonymous":
            assert login(client, world["users"][role]).status_code == 302, role
        return client

    return make


@pytest.fixture
def task_of(world):
    """task_of("own_task") -> the Task, freshly loaded with its units (no row lock: a test's
    open transaction must not make the next request wait on PostgreSQL)."""

    def get(name):
        db.session.expire_all()
        task_id = world["ids"][name] if isinstance(name, str) else name
        return load_task(task_id)

    return get


@pytest.fixture
def do(world):
    """Workflow steps through the services, committed: do.assign("own_task") …"""
    users = world["users"]

    def task_of(name):
        return services.load_task_for_update(world["ids"][name])

    class Steps:
        today = date(2026, 10, 12)

        def _commit(self, result):
            db.session.commit()
            return result

        def assign(self, name, user="office"):
            return self._commit(services.assign_task(task_of(name), users[user], self.today))

        def acknowledge(self, name, user="liaison"):
            return self._commit(services.acknowledge(task_of(name), users[user], self.today))

        def extension(self, name, requested_due=date(2027, 3, 31), user="liaison"):
            return self._commit(
                requests.request_extension(
                    task_of(name), users[user], self.today, "需要更多时间", requested_due
                )
            )

        def close_out(self, name, user="liaison"):
            return self._commit(
                requests.request_close_out(task_of(name), users[user], self.today, "已完成")
            )

        def instruction(self, name, user="leader"):
            return self._commit(
                instructions.write_instruction(task_of(name), users[user], self.today, "抓紧推进")
            )

    return Steps()


@pytest.fixture
def snapshot():
    """snapshot() -> every row the workflow writes, comparable before and after a request."""

    def take():
        db.session.expire_all()

        def rows(*columns):
            return sorted(db.session.execute(select(*columns)).all(), key=repr)

        return {
            "tasks": rows(Task.id, Task.status, Task.due_date, Task.lead_unit_id, Task.closed_at),
            "assignments": rows(
                TaskAssignment.task_id, TaskAssignment.unit_id, TaskAssignment.acknowledged_at
            ),
            "extensions": rows(ExtensionRequest.id, ExtensionRequest.state),
            "close_outs": rows(CloseOutRequest.id, CloseOutRequest.state),
            "instructions": rows(Instruction.id, Instruction.answer),
            "task_events": db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.subject_type == "task")
            ),
        }

    return take


@pytest.fixture
def events():
    """events(task_id, action=None) -> the audit events on a task's timeline, oldest first."""

    def of(task_id: int, action: str | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).where(
            AuditEvent.subject_type == "task", AuditEvent.subject_id == task_id
        )
        if action:
            query = query.where(AuditEvent.action == action)
        db.session.expire_all()
        return list(db.session.scalars(query.order_by(AuditEvent.id)).all())

    return of
