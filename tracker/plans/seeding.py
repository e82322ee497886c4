"""Load units and plans from the data files in seeds/. Idempotent.

Rules:
- units are matched by name (as written in the documents), plans by key, sections by
  (plan, number), tasks by (plan, number);
- a missing record is created; an existing one gets the document's wording again (title,
  text, source reference, dates of the plan), but what the office manages after seeding
  (a task's lead unit and its basis, co-units, due date and status) is never overwritten;
- a second run over the same files changes nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit import record
from tracker.config import PROJECT_ROOT
from tracker.extensions import db
from tracker.plans.milestones.models import SEED, Milestone
from tracker.plans.milestones.rules import phase_milestones
from tracker.plans.milestones.services import add_milestone
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.units.models import Unit
from tracker.units.seeding import load_categories, load_reorganisations

SEEDS_PATH = PROJECT_ROOT / "seeds"


class SeedError(Exception):
    """The data files are inconsistent (e.g. a task names an unknown unit)."""


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _assign(obj, values: dict) -> bool:
    """Set attributes that differ; True if anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def load_units(path: Path, result: SeedResult) -> dict[str, Unit]:
    data = json.loads(path.read_text(encoding="utf-8"))["units"]
    existing = {u.name: u for u in db.session.scalars(select(Unit)).all()}
    created: set[str] = set()
    for row in data:
        values = {
            "name": row["name"],
            "full_name": row.get("full_name"),
            "code": row["code"],
            "kind": row["kind"],
            "aliases": list(row.get("aliases") or []),
            "successor_note": row.get("successor_note"),
        }
        unit = existing.get(row["name"])
        if unit is None:
            unit = Unit(**values)
            db.session.add(unit)
            existing[unit.name] = unit
            created.add(unit.name)
            result.count("created", "units")
        elif _assign(unit, values):
            result.count("updated", "units")
    db.session.flush()
    for row in data:
        successor = row.get("successor")
        if successor and successor not in existing:
            raise SeedError(f"unit {row['name']}: unknown successor {successor}")
        successor_id = existing[successor].id if successor else None
        unit = existing[row["name"]]
        if unit.successor_id != successor_id:
            unit.successor_id = successor_id
            if unit.name not in created:
                result.count("updated", "units")
    db.session.flush()
    raw = json.loads(path.read_text(encoding="utf-8"))  # categories, reorganisations (issue 14)
    for counts in (load_categories(raw, existing), load_reorganisations(raw, existing)):
        for kind, n in counts.items():
            result.created[kind] = result.created.get(kind, 0) + n
    return existing


def load_plan(path: Path, units: dict[str, Unit], result: SeedResult) -> Plan:
    data = json.loads(path.read_text(encoding="utf-8"))

    def unit(name: str) -> Unit:
        if name not in units:
            raise SeedError(f"{path.name}: unknown unit {name}")
        return units[name]

    plan = db.session.scalar(select(Plan).where(Plan.key == data["key"]))
    values = {
        "key": data["key"],
        "doc_number": data.get("doc_number"),
        "title": data["title"],
        "issuer": data["issuer"],
        "issued_on": _date(data.get("issued_on")),
        "period_start": _date(data.get("period_start")),
        "period_end": _date(data.get("period_end")),
        "working_group": data.get("working_group"),
        "source": data.get("source"),
        "note": data.get("note"),
        "phases": list(data.get("phases") or []),
    }
    if plan is None:
        plan = Plan(**values)
        db.session.add(plan)
        db.session.flush()
        record("plan.seeded", plan, detail={"source": plan.source})
        result.count("created", "plans")
    elif _assign(plan, values):
        result.count("updated", "plans")

    sections = {
        s.number: s
        for s in db.session.scalars(select(Section).where(Section.plan_id == plan.id)).all()
    }
    tasks = {
        t.number: t
        for t in db.session.scalars(
            select(Task).where(Task.plan_id == plan.id).options(selectinload(Task.co_unit_links))
        ).all()
    }
    for s_row in data["sections"]:
        section = sections.get(s_row["number"])
        s_values = {"number": s_row["number"], "label": s_row["label"], "title": s_row["title"]}
        if section is None:
            section = Section(plan_id=plan.id, **s_values)
            db.session.add(section)
            db.session.flush()
            result.count("created", "sections")
        elif _assign(section, s_values):
            result.count("updated", "sections")
        for t_row in s_row["tasks"]:
            documentary = {
                "section_id": section.id,
                "title": t_row["title"],
                "text": t_row["text"],
                "due_phrase": t_row.get("due_phrase"),
                "source_ref": t_row.get("source_ref"),
            }
            task = tasks.get(t_row["number"])
            if task is not None:
                if _assign(task, documentary):
                    result.count("updated", "tasks")
                continue
            task = Task(
                plan_id=plan.id,
                number=t_row["number"],
                lead_unit_id=unit(t_row["lead_unit"]).id,
                lead_unit_basis=t_row.get("lead_unit_basis"),
                due_date=_date(t_row.get("due_date")),
                status=TaskStatus(t_row.get("status", "pending")).value,
                **documentary,
            )
            task.co_unit_links = [
                TaskCoUnit(unit_id=unit(name).id, position=i)
                for i, name in enumerate(t_row.get("co_units") or [], start=1)
            ]
            db.session.add(task)
            db.session.flush()
            record(
                "task.seeded",
                task,
                detail={"source": plan.source, "source_ref": task.source_ref},
            )
            result.count("created", "tasks")
    db.session.flush()
    load_phase_milestones(plan, result)
    return plan


def load_phase_milestones(plan: Plan, result: SeedResult) -> None:
    """The plan's phases (e.g. the zone plan's 2021/2022/2023) as milestones of each of its
    measures (docs/milestones.md). A task that already has a milestone from the seed gets
    none again, so a second run changes nothing."""
    if not plan.phases:
        return
    seeded = set(
        db.session.scalars(
            select(Milestone.task_id)
            .join(Task, Task.id == Milestone.task_id)
            .where(Task.plan_id == plan.id, Milestone.source == SEED)
        )
    )
    tasks = db.session.scalars(
        select(Task).where(Task.plan_id == plan.id).options(selectinload(Task.co_unit_links))
    ).all()
    for task in tasks:
        if task.id in seeded or task.status in (TaskStatus.CLOSED, TaskStatus.ARCHIVED):
            continue
        for due, phrase in phase_milestones(plan.phases, task.due_date):
            add_milestone(task, due_date=due, deliverable=phrase, source=SEED, phrase=phrase)
            result.count("created", "milestones")


def seed(seeds_path: Path = SEEDS_PATH) -> SeedResult:
    """Load every unit and plan file. The caller commits."""
    result = SeedResult()
    units = load_units(seeds_path / "units.json", result)
    for path in sorted((seeds_path / "plans").glob("*.json")):
        load_plan(path, units, result)
    return result
