"""Read models of the public page (and the API's task percentages): a constant number of
statements whatever the number of tasks."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.lights import task_lights
from tracker.plans.models import Plan, Section, Task, TaskCoUnit
from tracker.public.models import PublishedPlan
from tracker.public.rules import shown_publicly, task_percent
from tracker.reports.models import ProgressReport, ReportingPeriod, ReportState
from tracker.settings import get_setting


def accepted_percents(tasks) -> dict[int, int | None]:
    """{task id: percent} of each task's lead unit's latest accepted report (one query).

    The reports are found by the (task, unit) index from the page's tasks and lead units;
    which pairs are lead pairs and the state are checked here, not in WHERE: SQLite's
    sampled statistics (ANALYSIS_LIMIT) rate the state index as selective and then read
    every accepted report (≈0.3 s at province scale), and a join to the task table made
    PostgreSQL misjudge the rows and loop over the months."""
    leads = {t.id: t.lead_unit_id for t in tasks}
    if not leads:
        return {}
    rows = db.session.execute(
        select(
            ProgressReport.task_id,
            ProgressReport.unit_id,
            ProgressReport.state,
            ProgressReport.percent,
            ReportingPeriod.year,
            ReportingPeriod.month,
            ProgressReport.revision,
        )
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .where(
            ProgressReport.task_id.in_(leads),
            ProgressReport.unit_id.in_(set(leads.values())),
        )
    ).all()
    best: dict[int, tuple] = {}
    for task_id, unit_id, state, percent, year, month, revision in rows:
        if unit_id != leads[task_id] or state != ReportState.ACCEPTED.value:
            continue
        rank = (year, month, revision)
        if task_id not in best or rank > best[task_id][0]:
            best[task_id] = (rank, percent)
    return {t.id: task_percent(t.status, best.get(t.id, (None, None))[1]) for t in tasks}


def lights_and_percents(tasks, today) -> tuple[dict, dict]:
    lights = task_lights(tasks, today, load_calendar(), int(get_setting("yellow_working_days")))
    return lights, accepted_percents(tasks)


def published(slug: str) -> PublishedPlan | None:
    """The published plan with this address; None once unpublished (the page is gone)."""
    return db.session.scalar(
        select(PublishedPlan)
        .options(joinedload(PublishedPlan.plan))
        .where(PublishedPlan.slug == slug, PublishedPlan.published.is_(True))
    )


def public_plan(entry: PublishedPlan, today) -> dict:
    """The plan's public read model: sections, and per task only the public fields."""
    plan = entry.plan
    sections = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
    ).all()
    tasks = [
        t
        for t in db.session.scalars(
            select(Task)
            .options(
                joinedload(Task.lead_unit),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )
            .where(Task.plan_id == plan.id)
            .order_by(Task.number)
        )
        if shown_publicly(t.status)
    ]
    lights, percents = lights_and_percents(tasks, today)
    section_of = {s.id: s for s in sections}
    rows = [
        {
            "number": t.number,
            "section": (section_of[t.section_id].path or section_of[t.section_id].label)
            + " "
            + section_of[t.section_id].title
            if t.section_id in section_of
            else "",
            "section_id": t.section_id,
            "title": t.title,
            "lead_unit": t.lead_unit.name,
            "co_units": [u.name for u in t.co_units],
            "due_date": t.due_date.isoformat() if t.due_date else None,
            "status": t.status,
            "light": lights[t.id],
            "percent": percents[t.id],
        }
        for t in tasks
    ]
    counts = {"green": 0, "yellow": 0, "red": 0}
    for row in rows:
        counts[row["light"]] += 1
    known = [r["percent"] for r in rows if r["percent"] is not None]
    return {
        "plan": plan,
        "sections": sections,
        "tasks": rows,
        "counts": counts,
        "closed": sum(1 for r in rows if r["status"] == "closed"),
        "average_percent": round(sum(known) / len(rows)) if rows and known else None,
    }


def publishable_plans() -> list[tuple[Plan, PublishedPlan | None]]:
    """Every plan not archived, with its publication if any (the office's page)."""
    plans = db.session.scalars(
        select(Plan).where(Plan.archived_at.is_(None), Plan.inbox_kind.is_(None)).order_by(Plan.id)
    ).all()
    entries = {e.plan_id: e for e in db.session.scalars(select(PublishedPlan)).all()}
    counts = dict(
        db.session.execute(select(Task.plan_id, func.count()).group_by(Task.plan_id)).all()
    )
    return [(p, entries.get(p.id), counts.get(p.id, 0)) for p in plans]
