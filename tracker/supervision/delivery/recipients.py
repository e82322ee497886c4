"""Who hears of an alert (issue 13): the people who act on it, not every office user.

Pure: no database, no clock. notify.py loads the people and calls `alert_recipients`.

Rules (docs/alerts.md, "Who is notified"):
- every alert: the liaisons of the unit that answers for it (its current successor; an
  overdue answer to an instruction or a supervision notice: the task's lead unit);
- from level 2 (催办) on, and for an overdue answer at any level: also the office user(s)
  who handle the task — those who assigned it (交办). Only when nobody is named (a task
  assigned before this was recorded, or its handler has left) do all office users hear;
- at level 4 (named in the next bulletin): also the task's leader in charge (分管领导),
  when one is named.
"""

LEVEL_URGING, LEVEL_BULLETIN = 2, 4
ANSWER_KINDS = frozenset({"instruction_answer_overdue", "notice_answer_overdue"})


def tells_office(kind: str, level: int) -> bool:
    """True if the office hears of this alert (its handlers, or all office users)."""
    return level >= LEVEL_URGING or kind in ANSWER_KINDS


def tells_leader(level: int) -> bool:
    """True if the task's leader in charge hears of this alert."""
    return level >= LEVEL_BULLETIN


def alert_recipients(
    kind: str,
    level: int,
    liaison_ids: list[int],
    handler_ids: list[int],
    office_ids: list[int],
    leader_ids: list[int],
) -> list[int]:
    """The user ids told of one alert, each once, in a stable order: the unit's liaisons,
    then the task's handlers (all office users when no handler is named), then the leader
    in charge. `handler_ids` and `leader_ids` hold active users only."""
    people = list(liaison_ids)
    if tells_office(kind, level):
        people += handler_ids or office_ids
    if tells_leader(level):
        people += leader_ids
    return list(dict.fromkeys(people))
