"""Following a unit to its successor, and the part a unit plays in a task (tracker.units.rules)."""

import pytest

from tracker.units.rules import (
    CO,
    LEAD,
    creates_cycle,
    final_successor,
    predecessors,
    role_in_task,
    successor_chain,
)

# 2 was renamed 3, 3 merged into 1; 4 exists alone; 5 -> 6 -> 5 is a bad loop
REFORMS = {1: None, 2: 3, 3: 1, 4: None, 5: 6, 6: 5}


@pytest.mark.parametrize(
    ("unit", "chain"),
    [
        (1, [1]),
        (3, [3, 1]),
        (2, [2, 3, 1]),
        (4, [4]),
        (9, [9]),  # unknown unit: itself
        (5, [5, 6]),  # a loop stops before repeating
        (6, [6, 5]),
    ],
)
def test_successor_chain_and_final_successor(unit, chain):
    assert successor_chain(unit, REFORMS) == chain
    assert final_successor(unit, REFORMS) == chain[-1]


@pytest.mark.parametrize(
    ("unit", "expected"),
    [(1, [3]), (3, [2]), (2, []), (4, []), (5, [6])],
)
def test_predecessors_one_step_back(unit, expected):
    assert predecessors(unit, REFORMS) == expected


@pytest.mark.parametrize(
    ("unit", "successor", "cycle"),
    [
        (4, None, False),  # no successor
        (None, 1, False),  # a new unit
        (4, 4, True),  # itself
        (4, 1, False),
        (1, 2, True),  # 2 -> 3 -> 1 already leads back to 1
        (1, 3, True),
        (3, 4, False),
        (2, 4, False),
        (4, 9, False),  # a successor the map does not know
    ],
)
def test_creates_cycle(unit, successor, cycle):
    assert creates_cycle(unit, successor, REFORMS) is cycle


@pytest.mark.parametrize(
    ("scope", "lead", "co_units", "role"),
    [
        ({1}, 1, [4], LEAD),
        ({4}, 1, [4], CO),
        ({7}, 1, [4], None),
        ({1, 2, 3}, 2, [4], LEAD),  # via a predecessor
        ({1, 2, 3}, 4, [3], CO),  # co-unit via a predecessor
        ({1}, 1, [1], LEAD),  # lead wins over co
        (set(), 1, [4], None),  # a liaison without a unit
        ({4}, 1, [], None),
    ],
)
def test_role_in_task(scope, lead, co_units, role):
    assert role_in_task(scope, lead, co_units) == role
