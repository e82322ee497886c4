"""Plans, sections, tasks and units: the documents and who answers for them."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.units.models import Unit


class TaskStatus(enum.StrEnum):
    """The task's own state, as set by the office and the units (not the computed light)."""

    PENDING = "pending"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    ARCHIVED = "archived"  # 撤销: withdrawn with a reason, history kept (issue 10)

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
    TaskStatus.ARCHIVED: _l("Archived"),
}


class PlanKind(enum.StrEnum):
    """Where work comes from (立项来源)."""

    POLICY_DOCUMENT = "policy_document"
    MEETING = "meeting"
    INSTRUCTION = "instruction"
    ASSIGNED_FROM_ABOVE = "assigned_from_above"
    PROPOSAL = "proposal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(PLAN_KIND_LABELS[self])


PLAN_KIND_LABELS = {
    PlanKind.POLICY_DOCUMENT: _l("Policy document"),
    PlanKind.MEETING: _l("Meeting minutes / agreed items"),
    PlanKind.INSTRUCTION: _l("Leader's written instruction"),
    PlanKind.ASSIGNED_FROM_ABOVE: _l("Assigned from above"),
    PlanKind.PROPOSAL: _l("Deputies' and members' proposals"),
    PlanKind.OTHER: _l("Other"),
}


class Plan(db.Model):
    """A policy document that sets out tasks, e.g. 长发〔2017〕29号.

    Identified by document number + title: one notice often carries two documents under one
    number (a 工作方案 and its 若干政策措施 issued together).
    """

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("doc_number", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    doc_number: Mapped[str | None] = mapped_column(String(64), index=True)
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
    # 立项来源 (PlanKind); a meeting's minutes number (纪要号) and date
    kind: Mapped[str] = mapped_column(
        String(32), default=PlanKind.POLICY_DOCUMENT.value, server_default="policy_document"
    )
    minutes_number: Mapped[str | None] = mapped_column(String(64))
    meeting_date: Mapped[date | None] = mapped_column(Date)
    source_text: Mapped[str | None] = mapped_column(Text)
    # the original file, stored like evidence: under the instance folder, generated name
    original_file: Mapped[str | None] = mapped_column(String(64))
    original_filename: Mapped[str | None] = mapped_column(String(255))
    original_content_type: Mapped[str | None] = mapped_column(String(100))
    # a per-kind, per-year inbox for quick-entry items (e.g. "会议议定事项 2026")
    inbox_kind: Mapped[str | None] = mapped_column(String(32))
    archived_at: Mapped[datetime | None]
    archive_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def kind_enum(self) -> PlanKind:
        return PlanKind(self.kind)

    sections = relationship(
        "Section", back_populates="plan", order_by="Section.number", lazy="raise_on_sql"
    )


class Section(db.Model):
    """A chapter of a plan: a programme (工程) or a part (部分), nested at any depth.

    `number` orders the plan's sections (depth first); `label` is the document's own
    numbering (一、 / (一) / 1.) and `path` the display number built from the labels, e.g. 三(二)3.
    """

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    path: Mapped[str | None] = mapped_column(String(100))

    plan = relationship("Plan", back_populates="sections", lazy="raise_on_sql")
    tasks = relationship(
        "Task", back_populates="section", order_by="Task.number", lazy="raise_on_sql"
    )


class Task(db.Model):
    """One numbered action item or measure of a plan, with its lead unit and co-units."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        # issue 13: the plan page by section; light and status counts in SQL read only
        # this index (it covers them)
        Index("ix_task_plan_section_status_due", "plan_id", "section_id", "status", "due_date"),
        # the dashboard's red tasks by lead unit from the index alone (migration 0022)
        Index("ix_task_status_due_lead", "status", "due_date", "lead_unit_id", "id"),
        # /tasks and /notices: counts, light filters and the page's order from the index
        # alone (migration 0023)
        Index("ix_task_list", "status", "due_date", "archived_at", "plan_id", "number", "id"),
    )

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
    due_date: Mapped[date | None] = mapped_column(Date, index=True)  # lights, due filters
    due_phrase: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.PENDING.value)
    source_ref: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None]
    # the passage of the source document (or the leader's words) the task comes from
    source_excerpt: Mapped[str | None] = mapped_column(Text)
    # "default" when the due date is the source kind's default deadline (set by the admin)
    due_basis: Mapped[str | None] = mapped_column(String(16))
    archived_at: Mapped[datetime | None]
    archive_reason: Mapped[str | None] = mapped_column(Text)
    # a sub-task (split off for another unit) points to its parent; a duplicate merged
    # into another task points to it (and is archived)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)

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


class TaskUnitChange(db.Model):
    """A unit added to or removed from a task by a reassignment (改派), as lead or co-unit.

    `period` ("YYYY-MM") is the reporting period in which the office made the change: a
    removed unit still owes that period's report, an added unit owes from the next period on
    (tracker.plans.rules.answers_for_period). A removed unit keeps reading the task and the reports
    it filed.
    """

    __tablename__ = "task_unit_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # "lead" | "co"
    change: Mapped[str] = mapped_column(String(8))  # "added" | "removed"
    period: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime]

    unit = relationship("Unit", lazy="raise_on_sql")


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "plan.seeded": _l("Plan loaded from its source document"),
    "task.seeded": _l("Loaded from the source document"),
    "task.status_changed": _l("Status changed"),
    "plan.created": _l("Plan created"),
    "plan.updated": _l("Plan changed"),
    "plan.archived": _l("Plan archived"),
    "plan.deleted": _l("Plan deleted"),
    "section.created": _l("Section added"),
    "section.updated": _l("Section changed"),
    "task.created": _l("Task created"),
    "task.updated": _l("Task changed"),
    "task.archived": _l("Task archived"),
    "task.deleted": _l("Task deleted"),
    "task.redated": _l("Due date changed by the office"),
    "task.reassigned": _l("Reassigned"),
    "task.split": _l("Split into sub-tasks"),
    "task.merged": _l("Merged into another task"),
    "task.merged_in": _l("A duplicate was merged into this task"),
    "plan.imported": _l("Plan imported from Excel"),
    "plan.tasks_imported": _l("Tasks imported from Excel"),
    "task.imported": _l("Imported from Excel"),
}
