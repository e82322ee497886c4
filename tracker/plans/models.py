"""Plans, sections, tasks and units: the documents and who answers for them."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.units.models import Unit


class TaskStatus(enum.StrEnum):
    """The task's own state, as set by the office and the units (not the computed light)."""

    PENDING = "pending"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(TASK_STATUS_LABELS[self])


# a task that has been assigned and is not closed: its units report on it and it can run late
OPEN_STATUSES = (TaskStatus.ASSIGNED.value, TaskStatus.IN_PROGRESS.value)

TASK_STATUS_LABELS = {
    TaskStatus.PENDING: _l("Not yet assigned"),
    TaskStatus.ASSIGNED: _l("Assigned"),
    TaskStatus.IN_PROGRESS: _l("In progress"),
    TaskStatus.CLOSED: _l("Closed"),
}


class Plan(db.Model):
    """A policy document that sets out tasks, e.g. 长发〔2017〕29号."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    doc_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    working_group: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # The document's own timetable, e.g. [{"year": 2021, "phrase": "2021年架梁立柱", …}].
    phases: Mapped[list[dict]] = mapped_column(JSON, default=list)

    sections = relationship(
        "Section", back_populates="plan", order_by="Section.number", lazy="raise_on_sql"
    )


class Section(db.Model):
    """A chapter of a plan: a programme (工程) or a part (部分)."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))

    plan = relationship("Plan", back_populates="sections", lazy="raise_on_sql")
    tasks = relationship(
        "Task", back_populates="section", order_by="Task.number", lazy="raise_on_sql"
    )


class Task(db.Model):
    """One numbered action item or measure of a plan, with its lead unit and co-units."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # Why this unit leads when the document names none (e.g. the zone plan's measures):
    # shown beside the lead unit until the office reassigns the task.
    lead_unit_basis: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_phrase: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.PENDING.value)
    source_ref: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None]

    plan = relationship("Plan", lazy="raise_on_sql")
    section = relationship("Section", back_populates="tasks", lazy="raise_on_sql")
    lead_unit = relationship("Unit", lazy="raise_on_sql")
    co_unit_links = relationship(
        "TaskCoUnit",
        order_by="TaskCoUnit.position",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )

    @property
    def co_units(self) -> list[Unit]:
        """The co-units in the order the document names them."""
        return [link.unit for link in self.co_unit_links]

    @property
    def status_enum(self) -> TaskStatus:
        return TaskStatus(self.status)


class TaskCoUnit(db.Model):
    """A co-unit (配合单位) of a task, with its place in the document's list."""

    __tablename__ = "task_co_unit"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
    position: Mapped[int]

    unit = relationship("Unit", lazy="raise_on_sql")
