"""Publishing a plan on the public progress page, and taking it down. Flushes only."""

from sqlalchemy import select

from tracker.audit import record
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.public.models import PublishedPlan
from tracker.public.rules import slug_for
from tracker.timeutil import utcnow


def publish(plan: Plan, user) -> PublishedPlan:
    """Publish (or publish again, at the same address)."""
    entry = db.session.scalar(select(PublishedPlan).where(PublishedPlan.plan_id == plan.id))
    if entry is None:
        slug = slug_for(plan.key, plan.id)
        if db.session.scalar(select(PublishedPlan.id).where(PublishedPlan.slug == slug)):
            slug = f"{slug[:70]}-{plan.id}"
        entry = PublishedPlan(plan_id=plan.id, slug=slug)
        db.session.add(entry)
    entry.published = True
    entry.published_at = utcnow()
    entry.published_by_id = user.id
    entry.unpublished_at = None
    db.session.flush()
    record("plan.published", plan, actor=user, detail={"slug": entry.slug})
    return entry


def unpublish(plan: Plan, user) -> None:
    """Take the page and its downloads down at once (404 from the next request on)."""
    entry = db.session.scalar(select(PublishedPlan).where(PublishedPlan.plan_id == plan.id))
    if entry is None or not entry.published:
        return
    entry.published = False
    entry.unpublished_at = utcnow()
    db.session.flush()
    record("plan.unpublished", plan, actor=user, detail={"slug": entry.slug})
