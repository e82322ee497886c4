"""Pure rules about units and reorganisations (no db, no request, no clock).

- a unit's open work answers today to the end of its successor chain (final_successor);
- a unit sees the work of every unit whose chain of successors leads to it (predecessor_closure).
"""


def final_successor(unit_id: int, successor_of: dict[int, int | None]) -> int:
    """The unit that answers today for `unit_id`: the end of its successor chain.

    A cycle (which the unit form refuses) stops at the last unit before it repeats.
    """
    seen = {unit_id}
    current = unit_id
    while (nxt := successor_of.get(current)) is not None and nxt not in seen:
        seen.add(nxt)
        current = nxt
    return current


def predecessor_closure(unit_id: int, successor_of: dict[int, int | None]) -> set[int]:
    """The unit and every unit whose chain of successors leads to it.

    Pure: `successor_of` maps unit id -> successor id. Cycles are cut (a unit is visited once).
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
