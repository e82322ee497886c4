"""The people of a task: its leader in charge (分管领导) and its responsible persons (责任人)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db


class LeaderInCharge(db.Model):
    """A leader account named as 分管领导 of exactly one plan, section or task (the other two
    ids are empty). A task without its own row inherits from its section, then the enclosing
    sections, then its plan (tracker.plans.people.rules.leader_in_charge)."""

    __tablename__ = "leader_in_charge"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), unique=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), unique=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    set_at: Mapped[datetime]

    user = relationship("User", lazy="raise_on_sql")


class ResponsiblePerson(db.Model):
    """The person a unit names as 责任人 for its part of a task (lead or co-unit): a name and a
    phone, not necessarily an account."""

    __tablename__ = "responsible_person"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime]


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "plan.leader_set": _l("Leader in charge named"),
    "section.leader_set": _l("Leader in charge named"),
    "task.leader_set": _l("Leader in charge named"),
    "task.responsible_person_set": _l("Responsible person named"),
}
