"""Splits and category ranking as pure tables (tracker.units.rules, scoring.bulletins.ranking)."""

import pytest

from tracker.scoring.bulletins.ranking import rank_by_category
from tracker.units.rules import main_successor, routed_units


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], None),
        ([(None, False)], None),  # to confirm: not guessed
        ([(7, False)], 7),  # one successor
        ([(7, True), (8, False)], 7),  # a split follows its main successor
        ([(7, False), (8, True)], 8),
        ([(7, False), (8, False)], None),  # a split without a main one: none followed
        ([(None, False), (8, False)], 8),
    ],
)
def test_main_successor(rows, expected):
    assert main_successor(rows) == expected


# 1 = old unit (市经信委), 2 and 3 = its successors, 4, 5 = other units, 6 -> 5 superseded
SUCCESSORS = {1: 2, 6: 5}


@pytest.mark.parametrize(
    ("lead", "co", "successor", "expected"),
    [
        (1, [], 3, (3, [])),  # lead's part to the successor
        (1, [4, 5], 2, (2, [4, 5])),
        (4, [1, 5], 3, (4, [3, 5])),  # co-unit's part, same place
        (4, [5, 1], 3, (4, [5, 3])),
        (3, [1], 3, (3, [])),  # the successor already leads: named once
        (1, [3, 4], 3, (3, [4])),  # the successor was a co-unit: it now leads
        (4, [1, 3], 3, (4, [3])),  # already a co-unit: once
        (6, [1], 2, (5, [2])),  # an earlier superseded unit is named by its successor
        (4, [6, 5, 1], 3, (4, [5, 3])),
    ],
)
def test_routed_units(lead, co, successor, expected):
    assert routed_units(lead, co, 1, successor, SUCCESSORS) == expected


CITY, COUNTY, ZONE = (1, "市直部门"), (2, "县区"), (3, "开发区")


def row(unit_id, rank):
    return {"unit_id": unit_id, "rank": rank}


@pytest.mark.parametrize(
    ("ranking", "categories", "expected"),
    [
        ([], {}, []),
        (
            [row(1, 1), row(2, 2), row(3, 3)],
            {1: CITY, 2: COUNTY, 3: CITY},
            [("市直部门", [(1, 1), (3, 2)]), ("县区", [(2, 1)])],
        ),
        (  # ties stay ties within a category (1, 2, 2, 4 overall)
            [row(1, 1), row(2, 2), row(3, 2), row(4, 4)],
            {1: CITY, 2: CITY, 3: CITY, 4: CITY},
            [("市直部门", [(1, 1), (2, 2), (3, 2), (4, 4)])],
        ),
        (  # a tie across categories does not tie inside one
            [row(1, 1), row(2, 1), row(3, 3)],
            {1: COUNTY, 2: CITY, 3: CITY},
            [("市直部门", [(2, 1), (3, 2)]), ("县区", [(1, 1)])],
        ),
        (  # categories in the admin's order; uncategorised last
            [row(1, 1), row(2, 2), row(3, 3)],
            {1: None, 2: ZONE, 3: CITY},
            [("市直部门", [(3, 1)]), ("开发区", [(2, 1)]), (None, [(1, 1)])],
        ),
        ([row(5, 1)], {}, [(None, [(5, 1)])]),  # a unit unknown to the map: uncategorised
    ],
)
def test_rank_by_category(ranking, categories, expected):
    groups = rank_by_category(ranking, categories)
    assert [
        (g["category"], [(r["unit_id"], r["category_rank"]) for r in g["rows"]]) for g in groups
    ] == expected
