"""Pure rules about units and reorganisations (no db, no request, no clock).

`successor_of` maps every unit id to its successor's id (None: the unit exists today); load it
with tracker.units.services.successor_map(). Rules:

- a unit's open work answers today to the end of its successor chain (final_successor);
- a unit sees the work of every unit whose chain of successors leads to it (predecessor_closure):
  a liaison's unit scope;
- a unit cannot succeed itself, directly or through others (creates_cycle);
- a unit scope takes part in a task as its lead unit, as a co-unit, or not at all
  (role_in_task); a scope that holds a predecessor of a named unit takes that unit's part;
- a reorganisation may give a unit several successors (a split); the rules above follow its
  main successor (main_successor) and the office routes each open task explicitly
  (routed_units): the successor takes the old unit's part in the task.
"""

from collections.abc import Collection, Iterable

LEAD = "lead"
CO = "co"


def successor_chain(unit_id: int, successor_of: dict[int, int | None]) -> list[int]:
    """The unit followed by its successor, that one's successor, and so on.

    A cycle (which the unit form refuses) stops before a unit repeats.
    """
    chain = [unit_id]
    seen = {unit_id}
    while (nxt := successor_of.get(chain[-1])) is not None and nxt not in seen:
        seen.add(nxt)
        chain.append(nxt)
    return chain


def final_successor(unit_id: int, successor_of: dict[int, int | None]) -> int:
    """The unit that answers today for `unit_id`: the end of its successor chain."""
    return successor_chain(unit_id, successor_of)[-1]


def predecessors(unit_id: int, successor_of: dict[int, int | None]) -> list[int]:
    """The units `unit_id` directly succeeded (one step back), by id."""
    return sorted(uid for uid, succ in successor_of.items() if succ == unit_id and uid != unit_id)


def predecessor_closure(unit_id: int, successor_of: dict[int, int | None]) -> set[int]:
    """The unit and every unit whose chain of successors leads to it.

    Cycles are cut (a unit is visited once).
    """
    result = {unit_id}
    changed = True
    while changed:
        changed = False
        for uid, succ in successor_of.items():
            if succ in result and uid not in result:
                result.add(uid)
                changed = True
    return result


def creates_cycle(
    unit_id: int | None, successor_id: int | None, successor_of: dict[int, int | None]
) -> bool:
    """True if making `successor_id` the successor of `unit_id` would close a loop: the unit
    itself, or a unit whose successor chain already leads back to it. A new unit (no id yet)
    cannot close a loop."""
    if successor_id is None or unit_id is None:
        return False
    return unit_id in successor_chain(successor_id, successor_of)


def role_in_task(
    scope: Collection[int], lead_unit_id: int, co_unit_ids: Iterable[int]
) -> str | None:
    """The part a unit scope (a unit and the units it succeeded) plays in a task: LEAD when
    it holds the lead unit, CO when it holds a co-unit, None when it has no part. The lead's
    part wins when the scope holds both."""
    if lead_unit_id in scope:
        return LEAD
    if any(unit_id in scope for unit_id in co_unit_ids):
        return CO
    return None


def main_successor(rows: Iterable[tuple[int | None, bool]]) -> int | None:
    """The successor the rules follow, from one unit's (successor id, is main) rows of its
    latest reorganisation: the one marked main, else the only one. None when the record names
    no successor yet (to confirm) or several without a main one."""
    named = [(successor, main) for successor, main in rows if successor is not None]
    marked = [successor for successor, main in named if main]
    if marked:
        return marked[0]
    return named[0][0] if len(named) == 1 else None


def routed_units(
    lead_unit_id: int,
    co_unit_ids: Iterable[int],
    old_unit_id: int,
    successor_id: int,
    successor_of: dict[int, int | None] | None = None,
) -> tuple[int, list[int]]:
    """The task's units after routing the old unit's part to `successor_id`: the successor
    takes its place as lead unit or co-unit. A reassignment names current units only, so the
    task's other units replaced in earlier reorganisations are named by their final successor
    (they answered through it already). A unit named twice keeps one place (the lead's part
    wins); the other units keep their order."""
    successor_of = successor_of or {}

    def current(unit_id: int) -> int:
        if unit_id == old_unit_id:
            return successor_id
        return final_successor(unit_id, successor_of)

    lead = current(lead_unit_id)
    result: list[int] = []
    for unit_id in map(current, co_unit_ids):
        if unit_id != lead and unit_id not in result:
            result.append(unit_id)
    return lead, result
