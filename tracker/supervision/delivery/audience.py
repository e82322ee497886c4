"""Loading the people an alert may reach (issue 13): a unit's liaisons, a task's handlers
in the office (who assigned it), all office users, a task's leader in charge. Each loader
runs a constant number of SELECTs; `recipients.alert_recipients` decides who is told."""

from collections import defaultdict

from sqlalchemy import or_, select

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.plans.models import Section, Task
from tracker.plans.people.models import LeaderInCharge
from tracker.plans.people.rules import leader_in_charge, section_chain
from tracker.supervision.models import TaskAssignment


def liaisons(unit_ids: set[int]) -> dict[int, list[int]]:
    """The active liaisons of each unit, by unit id (one SELECT)."""
    out = defaultdict(list)
    if unit_ids:
        for user_id, unit_id in db.session.execute(
            select(User.id, User.unit_id)
            .where(
                User.active.is_(True),
                User.role == Role.LIAISON.value,
                User.unit_id.in_(unit_ids),
            )
            .order_by(User.id)
        ):
            out[unit_id].append(user_id)
    return out


def office_ids() -> list[int]:
    """All active office users: told only of alerts on tasks nobody is named to handle."""
    return list(
        db.session.scalars(
            select(User.id)
            .where(User.active.is_(True), User.role == Role.OFFICE.value)
            .order_by(User.id)
        )
    )


def handlers(task_ids: set[int]) -> dict[int, list[int]]:
    """The active office users who assigned (交办) each task, by task id (one SELECT)."""
    out = defaultdict(list)
    if task_ids:
        for task_id, user_id in db.session.execute(
            select(TaskAssignment.task_id, TaskAssignment.assigned_by_id)
            .join(User, User.id == TaskAssignment.assigned_by_id)
            .where(
                TaskAssignment.task_id.in_(task_ids),
                User.active.is_(True),
                User.role == Role.OFFICE.value,
            )
            .distinct()
            .order_by(TaskAssignment.task_id, TaskAssignment.assigned_by_id)
        ):
            out[task_id].append(user_id)
    return out


def leaders(task_ids: set[int]) -> dict[int, list[int]]:
    """The leader in charge (分管领导) of each task, when one is named and active: the
    task's own, else its sections' (nearest first), else its plan's (three SELECTs)."""
    if not task_ids:
        return {}
    tasks = db.session.execute(
        select(Task.id, Task.section_id, Task.plan_id).where(Task.id.in_(task_ids))
    ).all()
    plan_ids = {t.plan_id for t in tasks}
    parent_of = dict(
        db.session.execute(
            select(Section.id, Section.parent_id).where(Section.plan_id.in_(plan_ids))
        ).all()
    )
    named = db.session.execute(
        select(
            LeaderInCharge.task_id,
            LeaderInCharge.section_id,
            LeaderInCharge.plan_id,
            LeaderInCharge.user_id,
        )
        .join(User, User.id == LeaderInCharge.user_id)
        .where(
            User.active.is_(True),
            or_(
                LeaderInCharge.task_id.in_(task_ids),
                LeaderInCharge.section_id.in_(parent_of or {-1}),
                LeaderInCharge.plan_id.in_(plan_ids),
            ),
        )
    ).all()
    of_task = {r.task_id: r.user_id for r in named if r.task_id is not None}
    of_section = {r.section_id: r.user_id for r in named if r.section_id is not None}
    of_plan = {r.plan_id: r.user_id for r in named if r.plan_id is not None}
    out = {}
    for task in tasks:
        leader = leader_in_charge(
            of_task.get(task.id),
            [of_section.get(s) for s in section_chain(task.section_id, parent_of)],
            of_plan.get(task.plan_id),
        )
        if leader is not None:
            out[task.id] = [leader]
    return out
