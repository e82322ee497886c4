"""Linked tasks (一报多用): tasks the office groups so that one report serves them all."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class TaskLinkGroup(db.Model):
    """A group of two or more linked tasks. A task belongs to at most one group; a group
    left with fewer than two tasks is removed (docs/reporting-load.md)."""

    __tablename__ = "task_link_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class TaskLink(db.Model):
    """One task's membership of a link group (the task id is the key: one group per task)."""

    __tablename__ = "task_link"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_link_group.id"), index=True)
    linked_at: Mapped[datetime]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "task.linked": _l("Linked to other tasks (one report serves them all)"),
    "task.unlinked": _l("Unlinked from its linked tasks"),
}
