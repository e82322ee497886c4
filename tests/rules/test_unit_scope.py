"""Which units' tasks a liaison sees: its unit and the units it succeeded (pure rule)."""

import pytest

from tracker.units.rules import predecessor_closure


@pytest.mark.parametrize(
    ("unit", "successor_of", "expected"),
    [
        (1, {1: None}, {1}),
        (1, {1: None, 2: None}, {1}),
        (1, {1: None, 2: 1}, {1, 2}),  # 2 renamed to 1
        (1, {1: None, 2: 1, 3: 1}, {1, 2, 3}),  # two merged into 1
        (1, {1: None, 2: 3, 3: 1}, {1, 2, 3}),  # 2 -> 3 -> 1, two reforms
        (3, {1: None, 2: 3, 3: 1}, {2, 3}),  # the middle unit keeps only its own past
        (2, {1: None, 2: 1}, {2}),  # a predecessor does not see its successor's tasks
        (1, {1: 2, 2: 1}, {1, 2}),  # a bad cycle terminates
        (9, {1: None}, {9}),
    ],
)
def test_predecessor_closure(unit, successor_of, expected):
    assert predecessor_closure(unit, successor_of) == expected
