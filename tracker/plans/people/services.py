"""Naming the people of a task: load, check, write, flush() — the view commits."""

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task
from tracker.plans.people.models import LeaderInCharge, ResponsiblePerson
from tracker.timeutil import utcnow

_COLUMN = {"plan": LeaderInCharge.plan_id, "section": LeaderInCharge.section_id}
_COLUMN["task"] = LeaderInCharge.task_id


def set_leader(subject: Plan | Section | Task, leader_id: int | None, actor) -> bool:
    """Name (or with None, clear) the leader in charge of a plan, section or task. Only an
    active leader account may be named. Recorded on the subject's timeline; returns False
    when nothing changed."""
    kind = subject.__tablename__
    leader = None
    if leader_id is not None:
        leader = db.session.get(User, leader_id)
        if leader is None or not leader.active or leader.role != Role.LEADER.value:
            raise StepRefused("people_not_a_leader", "leader_id")
    row = db.session.scalar(select(LeaderInCharge).where(_COLUMN[kind] == subject.id))
    before = row.user_id if row else None
    if before == leader_id:
        return False
    if leader is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            LeaderInCharge(**{f"{kind}_id": subject.id}, user_id=leader.id, set_at=utcnow())
        )
    else:
        row.user_id, row.set_at = leader.id, utcnow()
    old_name = db.session.get(User, before).display_name if before else None
    action = (
        "plan.leader_set"
        if kind == "plan"
        else "section.leader_set"
        if kind == "section"
        else "task.leader_set"
    )
    record(
        action,
        subject,
        actor=actor,
        detail={"from": old_name, "to": leader.display_name if leader else None},
    )
    db.session.flush()
    return True


def set_responsible_person(task: Task, unit_id: int, name: str, phone: str, actor) -> bool:
    """Name the responsible person (责任人) of one of the task's units (its lead unit or a
    co-unit); an empty name clears it. Recorded on the task's timeline."""
    units = {task.lead_unit_id: task.lead_unit, **{u.id: u for u in task.co_units}}
    if unit_id not in units:
        raise StepRefused("people_bad_unit", "unit_id")
    name, phone = name.strip(), phone.strip()
    row = db.session.scalar(
        select(ResponsiblePerson).where(
            ResponsiblePerson.task_id == task.id, ResponsiblePerson.unit_id == unit_id
        )
    )
    if row is not None and (row.name, row.phone or "") == (name, phone):
        return False
    if row is None and not name:
        return False
    if not name:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            ResponsiblePerson(
                task_id=task.id,
                unit_id=unit_id,
                name=name,
                phone=phone or None,
                updated_at=utcnow(),
            )
        )
    else:
        row.name, row.phone, row.updated_at = name, phone or None, utcnow()
    record(
        "task.responsible_person_set",
        task,
        actor=actor,
        detail={
            "unit_id": unit_id,
            "unit": units[unit_id].name,
            "name": name or None,
            "phone": phone or None,
        },
    )
    db.session.flush()
    return True
