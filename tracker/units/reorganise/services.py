"""Record a reorganisation, confirm an open successor, route an old unit's open tasks.

Each step loads what it needs, asks tracker.units.rules, writes, records audit events and
flushes; the view commits once. Routing reuses the reassignment (改派) of
tracker.plans.changes, so the owed rule, alerts, hand-over and scores follow it, and each
task's timeline shows the change with the reorganisation as its reason.
"""

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans import changes
from tracker.plans.models import Task, TaskCoUnit, TaskStatus
from tracker.units import rules
from tracker.units.models import Reorganisation, Succession, Unit
from tracker.units.services import successor_map

# tasks the routing moves: not closed and not archived (an unassigned task moves too)
ROUTABLE = (TaskStatus.PENDING.value, TaskStatus.ASSIGNED.value, TaskStatus.IN_PROGRESS.value)


def reorganisations() -> list[Reorganisation]:
    """Every reorganisation, newest first, with its successions and their units."""
    return list(
        db.session.scalars(
            select(Reorganisation)
            .options(
                selectinload(Reorganisation.successions).options(
                    joinedload(Succession.unit), joinedload(Succession.successor)
                )
            )
            .order_by(Reorganisation.effective_on.desc().nulls_last(), Reorganisation.id.desc())
        )
    )


def load_reorganisation(reorganisation_id: int) -> Reorganisation | None:
    rows = [r for r in reorganisations() if r.id == reorganisation_id]
    return rows[0] if rows else None


def successors_in(reorganisation: Reorganisation, unit_id: int) -> list[Succession]:
    """The unit's named successors in this reorganisation (the main one first)."""
    rows = [s for s in reorganisation.successions if s.unit_id == unit_id and s.successor_id]
    return sorted(rows, key=lambda s: (not s.is_main, s.id))


def _set_main_successor(unit: Unit, rows: list[Succession], user) -> None:
    main = rules.main_successor((s.successor_id, s.is_main) for s in rows)
    if main is None or main == unit.successor_id:
        return
    if rules.creates_cycle(unit.id, main, successor_map()):
        raise StepRefused("successor_cycle")
    before = unit.successor_id
    unit.successor_id = main
    detail = {"before": {"successor_id": before}, "after": {"successor_id": main}}
    record("unit.updated", unit, actor=user, detail=detail)


def record_reorganisation(data: dict, user) -> Reorganisation:
    """A reorganisation (found by title, else created) in which `unit_id` is succeeded by the
    given successors [(unit id, duties)], the first being the main one the rules follow."""
    unit = db.session.get(Unit, data["unit_id"]) if data.get("unit_id") else None
    if unit is None:
        raise StepRefused("reorg_unit_required", "unit_id")
    targets = [(sid, duties) for sid, duties in data["successors"] if sid]
    if not targets:
        raise StepRefused("reorg_successor_required", "successor_1")
    ids = [sid for sid, _duties in targets]
    if len(set(ids)) != len(ids) or unit.id in ids:
        raise StepRefused("reorg_bad_successors", "successor_1")
    current = dict(
        db.session.execute(select(Unit.id, Unit.successor_id).where(Unit.id.in_(ids))).all()
    )
    if set(ids) - set(current) or any(current[i] is not None for i in ids):
        raise StepRefused("bad_unit", "successor_1")
    title = data["title"].strip()
    reorganisation = db.session.scalar(select(Reorganisation).where(Reorganisation.title == title))
    if reorganisation is None:
        reorganisation = Reorganisation(title=title)
        db.session.add(reorganisation)
    reorganisation.doc_number = (data.get("doc_number") or "").strip() or None
    reorganisation.effective_on = data.get("effective_on")
    reorganisation.note = (data.get("note") or "").strip() or None
    db.session.flush()
    existing = db.session.scalars(
        select(Succession).where(
            Succession.reorganisation_id == reorganisation.id, Succession.unit_id == unit.id
        )
    ).all()
    for old in existing:  # recording again replaces the unit's rows in this reorganisation
        db.session.delete(old)
    db.session.flush()
    rows = [
        Succession(
            reorganisation_id=reorganisation.id,
            unit_id=unit.id,
            successor_id=sid,
            duties=(duties or "").strip() or None,
            is_main=index == 0,
        )  # fmt: skip
        for index, (sid, duties) in enumerate(targets)
    ]
    db.session.add_all(rows)
    db.session.flush()
    _set_main_successor(unit, rows, user)
    record("reorganisation.recorded", unit, actor=user, detail={
        "reorganisation": reorganisation.title, "doc_number": reorganisation.doc_number,
        "effective_on": data["effective_on"].isoformat() if data.get("effective_on") else None,
        "successors": ids})  # fmt: skip
    db.session.flush()
    return reorganisation


def confirm_succession(succession: Succession, successor_id: int | None, user) -> None:
    """The office settles a successor the record left open: a named successor (which becomes
    the main one when the unit has none), or none — the unit continues (the row goes)."""
    if succession.successor_id is not None:
        raise StepRefused("reorg_already_confirmed")
    unit = db.session.get(Unit, succession.unit_id)
    detail = {"reorganisation_id": succession.reorganisation_id, "successor_id": successor_id}
    if successor_id is None:
        db.session.delete(succession)
    else:
        target = db.session.get(Unit, successor_id)
        if target is None or target.successor_id is not None or target.id == unit.id:
            raise StepRefused("bad_unit", "successor_id")
        succession.successor_id = successor_id
        succession.is_main = unit.successor_id is None
        db.session.flush()
        if succession.is_main:
            _set_main_successor(unit, [succession], user)
    record("reorganisation.confirmed", unit, actor=user, detail=detail)
    db.session.flush()


def open_tasks_of(unit_id: int) -> list[Task]:
    """The unit's tasks that are not closed or archived, as lead unit or co-unit, with their
    units (two statements whatever the number of tasks)."""
    co = select(TaskCoUnit.task_id).where(TaskCoUnit.unit_id == unit_id)
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.status.in_(ROUTABLE), or_(Task.lead_unit_id == unit_id, Task.id.in_(co)))
            .options(
                joinedload(Task.lead_unit),
                joinedload(Task.plan),
                selectinload(Task.co_unit_links).joinedload(TaskCoUnit.unit),
            )  # fmt: skip
            .order_by(Task.plan_id, Task.number)
        ).unique()
    )


def route_reason(reorganisation: Reorganisation, duties: str | None) -> str:
    """The reason written on each routed task's timeline."""
    head = reorganisation.title
    if reorganisation.doc_number:
        head += f"（{reorganisation.doc_number}）"
    return f"{head}：{duties}" if duties else head


def route_tasks(
    reorganisation: Reorganisation, unit: Unit, routes: dict[int, int], user, *, today: date
) -> int:
    """Route each open task of `unit` named in `routes` {task id: successor id} to that
    successor (it takes the old unit's part); the others stay where they are. Refuses a
    successor outside this reorganisation's record for the unit. Returns the count."""
    successors = {s.successor_id: s for s in successors_in(reorganisation, unit.id)}
    if not successors:
        raise StepRefused("reorg_no_successor")
    if any(sid not in successors for sid in routes.values()):
        raise StepRefused("bad_unit")
    if not routes:
        raise StepRefused("reorg_nothing_routed")
    tasks = {t.id: t for t in open_tasks_of(unit.id)}
    successor_of = successor_map()
    if set(routes) - set(tasks):
        raise StepRefused("reorg_task_gone")
    for task_id, successor_id in routes.items():
        task = tasks[task_id]
        co = [link.unit_id for link in task.co_unit_links]
        new_lead, new_co = rules.routed_units(
            task.lead_unit_id, co, unit.id, successor_id, successor_of
        )
        reason = route_reason(reorganisation, successors[successor_id].duties)
        changes.reassign(task, new_lead, new_co, reason, user, today=today)
    return len(routes)
