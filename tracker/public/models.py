"""Which plans the office has published on the public progress page."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class PublishedPlan(db.Model):
    """A plan's public page. The slug stays the same when the plan is unpublished and
    published again (a stable address); `published` false takes the page down at once."""

    __tablename__ = "published_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    published: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unpublished_at: Mapped[datetime | None]

    plan = relationship("Plan", lazy="raise_on_sql")
