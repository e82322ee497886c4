"""The pure rules of reporting load (减负): the months a load row covers and which tasks'
titles are similar enough to be shown as overlapping (docs/reporting-load.md)."""

import re
from datetime import date

from rapidfuzz import fuzz

from tracker.timeutil import previous_month

LOAD_MONTHS = 6  # the load page's window: this month and the five before it
# partial_ratio on cleaned titles (0-100) from which two titles count as similar. Tested on
# the two seed plans: "鼓励发展其他“双创”载体" / "扩规提质双创载体" score 67 and are kept;
# unrelated titles such as "实施人才培育工程" / "完善人才创新体系" stay below (tests/reports/load).
SIMILAR_AT = 60
MAX_OVERLAP_TASKS = 300  # a unit's open tasks compared (pairs grow with the square)

_NOISE = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】,，.。;；:：、!！?？·—\-]+")


def load_months(today: date, count: int = LOAD_MONTHS) -> list[tuple[int, int]]:
    """The (year, month) pairs of the window, oldest first, ending with today's month."""
    months = [(today.year, today.month)]
    while len(months) < count:
        months.append(previous_month(*months[-1]))
    return list(reversed(months))


def clean_title(title: str) -> str:
    """A title without punctuation, quotes and spaces: “双创” and 双创 compare equal."""
    return _NOISE.sub("", title or "")


def title_similarity(a: str, b: str) -> int:
    """How alike two task titles are, 0-100: rapidfuzz's partial_ratio over cleaned titles
    (Chinese titles have no spaces, so token-based scorers compare whole strings; the best
    matching substring suits a short title inside a longer one)."""
    left, right = clean_title(a), clean_title(b)
    if not left or not right:
        return 0
    return round(fuzz.partial_ratio(left, right))


def overlapping_pairs(
    tasks: list[tuple[int, int, str]], threshold: int = SIMILAR_AT
) -> list[tuple[int, int, int]]:
    """Pairs (task a, task b, score) of tasks (id, plan id, title) in DIFFERENT plans whose
    titles score at least `threshold`, best first (then by ids)."""
    found = []
    for i, (a_id, a_plan, a_title) in enumerate(tasks):
        for b_id, b_plan, b_title in tasks[i + 1 :]:
            if a_plan == b_plan:
                continue
            score = title_similarity(a_title, b_title)
            if score >= threshold:
                low, high = sorted((a_id, b_id))
                found.append((low, high, score))
    return sorted(found, key=lambda p: (-p[2], p[0], p[1]))


def merged_group(existing_groups: set[int]) -> int | None:
    """The group that linking into several existing groups keeps: the oldest (smallest id);
    None when none of the tasks is linked yet (a new group is made)."""
    return min(existing_groups) if existing_groups else None
