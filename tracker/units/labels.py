"""How a unit is named where its work is shown: a unit merged or renamed in a reorganisation
(市经信委 → 市工信局) is shown as the unit that answers for its work today, with its own name
kept as history: "市工信局（原市经信委）". Pages format the pair through the template macro
`unit_with_history` (reports/_macros.html, translated); the Excel exports use the Chinese
pattern below."""

from tracker.units.rules import final_successor
from tracker.units.services import successor_map_and_names

# The exports (台账 Excel) are Chinese documents whatever the reader's language.
CHINESE_PATTERN = "%(current)s（原%(former)s）"


def with_history(current: str, former: str | None, pattern: str = CHINESE_PATTERN) -> str:
    """`current` alone when the unit was not reorganised, else both names in the pattern."""
    if not former or former == current:
        return current
    return pattern % {"current": current, "former": former}


def answering_units(only=None) -> dict[int, tuple[int, str, str | None]]:
    """{unit id: (id of the unit answering for it today, that unit's name, the unit's own
    name when it was reorganised, else None)}. One statement for every unit; `only`: the
    ids a page shows (the task page's units), the others left out of the map."""
    successor_of, names = successor_map_and_names()
    result = {}
    for unit_id in names if only is None else [u for u in dict.fromkeys(only) if u in names]:
        current = final_successor(unit_id, successor_of)
        result[unit_id] = (current, names[current], names[unit_id] if current != unit_id else None)
    return result


def unit_label(units: dict, unit_id: int, pattern: str = CHINESE_PATTERN) -> str:
    """The name with history of `unit_id` from an `answering_units()` map."""
    _current_id, current, former = units[unit_id]
    return with_history(current, former, pattern)
