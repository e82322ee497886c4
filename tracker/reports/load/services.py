"""Linking and unlinking tasks (一报多用): load, decide with rules, write, flush — the view
commits. Each task that joins or leaves a group gets an audit event on its timeline."""

from sqlalchemy import delete, select, update

from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.models import Task, TaskStatus
from tracker.reports.load import rules
from tracker.reports.load.models import TaskLink, TaskLinkGroup
from tracker.timeutil import utcnow

MAX_LINKED = 20  # tasks one link step may name


def link_tasks(task_ids: list[int], actor) -> int:
    """Link the tasks into one group and return its id. Tasks already linked bring their
    groups along (the oldest group is kept, the others merge into it). Refused: fewer than
    two distinct tasks, an unknown or withdrawn task."""
    ids = sorted(set(task_ids))
    if len(ids) < 2 or len(ids) > MAX_LINKED:
        raise StepRefused("link_two_tasks")
    found = db.session.execute(select(Task.id, Task.status).where(Task.id.in_(ids))).all()
    if len(found) != len(ids):
        raise StepRefused("link_unknown_task")
    if any(status == TaskStatus.ARCHIVED.value for _id, status in found):
        raise StepRefused("link_archived_task")
    current = dict(
        db.session.execute(
            select(TaskLink.task_id, TaskLink.group_id).where(TaskLink.task_id.in_(ids))
        ).all()
    )
    now = utcnow()
    keep = rules.merged_group(set(current.values()))
    if keep is None:
        group = TaskLinkGroup(created_at=now, created_by_id=getattr(actor, "id", None))
        db.session.add(group)
        db.session.flush()
        keep = group.id
    merged = set(current.values()) - {keep}
    moved = []
    if merged:
        moved = list(
            db.session.scalars(select(TaskLink.task_id).where(TaskLink.group_id.in_(merged)))
        )
        db.session.execute(
            update(TaskLink).where(TaskLink.group_id.in_(merged)).values(group_id=keep)
        )
        db.session.execute(delete(TaskLinkGroup).where(TaskLinkGroup.id.in_(merged)))
    joined = [task_id for task_id in ids if task_id not in current]
    for task_id in joined:
        db.session.add(
            TaskLink(
                task_id=task_id,
                group_id=keep,
                linked_at=now,
                linked_by_id=getattr(actor, "id", None),
            )
        )
    members = set(
        db.session.scalars(select(TaskLink.task_id).where(TaskLink.group_id == keep))
    ) | set(joined)
    for task_id in sorted(set(joined) | set(moved)):
        record(
            "task.linked",
            subject_type="task",
            subject_id=task_id,
            actor=actor,
            detail={"group": keep, "tasks": sorted(members - {task_id})},
        )
    db.session.flush()
    return keep


def unlink_task(task_id: int, actor) -> None:
    """Take a task out of its group. A group left with one task is dissolved: that task is
    unlinked too (a group of one serves nothing). Refused when the task is not linked."""
    link = db.session.get(TaskLink, task_id)
    if link is None:
        raise StepRefused("link_not_linked")
    group_id = link.group_id
    db.session.delete(link)
    db.session.flush()
    left = list(db.session.scalars(select(TaskLink.task_id).where(TaskLink.group_id == group_id)))
    record(
        "task.unlinked",
        subject_type="task",
        subject_id=task_id,
        actor=actor,
        detail={"group": group_id, "tasks": left},
    )
    if len(left) < 2:
        for other in left:
            record(
                "task.unlinked",
                subject_type="task",
                subject_id=other,
                actor=actor,
                detail={"group": group_id, "tasks": []},
            )
        db.session.execute(delete(TaskLink).where(TaskLink.group_id == group_id))
        db.session.execute(delete(TaskLinkGroup).where(TaskLinkGroup.id == group_id))
    db.session.flush()
