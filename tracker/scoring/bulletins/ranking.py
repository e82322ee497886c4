"""分类考核: ranking units within their category as well as overall (issue 14, item 6).

Pure: no db, no request, no clock. The overall ranking (tracker.scoring.rules.rank) decides
the order; within a category a unit's rank is one more than the number of units of its
category ranked strictly above it overall, so ties stay ties (1, 2, 2, 4). Categories come in
the admin's order (their position); units without a category form a last group.
"""

from collections.abc import Iterable

UNCATEGORISED = None


def rank_by_category(ranking: Iterable[dict], category_of: dict[int, tuple | None]) -> list[dict]:
    """[{"category": name or None, "rows": [{**row, "category_rank": n}, …]}, …] from the
    overall `ranking` (dicts with "unit_id" and "rank", best first) and each unit's category
    as (position, name, …)."""
    groups: dict[tuple | None, list[dict]] = {}
    for row in sorted(ranking, key=lambda r: r["rank"]):
        groups.setdefault(category_of.get(row["unit_id"]), []).append(row)
    result = []
    for key in sorted(groups, key=lambda k: (k is None, k or (0, ""))):
        rows = groups[key]
        ranked = []
        for index, row in enumerate(rows):
            above = sum(1 for other in rows[:index] if other["rank"] < row["rank"])
            ranked.append({**row, "category_rank": above + 1})
        result.append({"category": key[1] if key else UNCATEGORISED, "rows": ranked})
    return result


def category_cards(cards: list, category_of: dict, category_id: int | None) -> list:
    """The scorecard page's rows as [(card, rank shown)]: every card with its overall rank,
    or with a category chosen (its id), that category's cards with their rank within it.
    `category_of` maps unit ids to (position, name, category id)
    (tracker.units.services.category_map)."""
    if not category_id:
        return [(card, card.rank) for card in cards]
    chosen = {uid for uid, cat in category_of.items() if cat and cat[-1] == category_id}
    rows = [{"unit_id": c.unit.id, "rank": c.rank} for c in cards if c.unit.id in chosen]
    groups = rank_by_category(rows, {})
    ranks = {r["unit_id"]: r["category_rank"] for g in groups for r in g["rows"]}
    return [(card, ranks[card.unit.id]) for card in cards if card.unit.id in ranks]
