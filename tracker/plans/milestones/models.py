"""A milestone (节点): a dated step of a task, with its deliverable and who answers for it."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

# where a milestone came from
MANUAL, DOCUMENT, EXCEL, SEED = "manual", "document", "excel", "seed"


class Milestone(db.Model):
    """One dated step of a task (e.g. the zone plan's "到2021年底…" phase).

    `unit_id` is the unit that answers for it: None means the task's lead unit (whoever leads
    it now, so a reassignment moves it too), else one of its co-units. `expected_percent` is
    the progress the task should show once it is met (序时进度); None spreads the milestones
    evenly (tracker.plans.milestones.rules.pace_points). Done is `done_on` (the Beijing day it
    was marked done) with a note on the evidence.
    """

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    # a task deleted before it was ever assigned (intake) takes its milestones with it
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    deliverable: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    expected_percent: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default=MANUAL, server_default=MANUAL)
    phrase: Mapped[str | None] = mapped_column(String(200))  # the document's own words
    done_on: Mapped[date | None] = mapped_column(Date)
    done_note: Mapped[str | None] = mapped_column(Text)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    task = relationship("Task", lazy="raise_on_sql")
    unit = relationship("Unit", lazy="raise_on_sql")


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "milestone.added": _l("Milestone added"),
    "milestone.updated": _l("Milestone changed"),
    "milestone.done": _l("Milestone marked done"),
    "milestone.reopened": _l("Milestone reopened"),
    "milestone.deleted": _l("Milestone deleted"),
}


class TaskPace(db.Model):
    """An open task's pace as the one rule computed it (issue 13): the expected percent on
    `computed_on` and the lead unit's newest submitted or accepted percent. Written only by
    `tracker.plans.milestones.pace.refresh_pace` (the daily sweep, and one task when a report
    of its lead unit, its milestones or its lead unit change); read by the pace queries,
    which compare the two against the margin setting in SQL at read time."""

    __tablename__ = "task_pace"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    expected_percent: Mapped[int | None] = mapped_column(Integer)
    reported_percent: Mapped[int | None] = mapped_column(Integer)
    computed_on: Mapped[date] = mapped_column(Date)
