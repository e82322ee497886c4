"""The card page's read model (views.card: where a save or a submission lands): the cards of
some (period, task) keys, and the next report still to file after one is in."""

from tracker.accounts.models import User
from tracker.reports import backlog
from tracker.reports import month as month_page


def card_rows(user: User, current, keys) -> list[month_page.MonthRow]:
    """The cards of `keys` ((period, task id), in that order), `current` being this month's
    period: one month_rows a month."""
    found = {}
    for period in dict.fromkeys(p for p, _t in keys):
        for row in month_page.month_rows(user, period, [t for p, t in keys if p is period]):
            if period is not current:
                row.period, row.last = period, None  # an earlier month's card (补报)
            found[(period, row.task.id)] = row
    return [found[k] for k in keys if k in found]


def next_to_file(user: User, current, exclude, facts):
    """(period, task id) of the next report still to file, other than `exclude`: in the
    list the liaison is working through first — after this month's report, this month's
    next not started, draft or returned one in plan order; after an earlier month's
    (补报), the next of those (backlog.earlier_keys, oldest first) — then in the other list.
    None when all are in. Worked out from ids and states over the whole unit (the earlier
    months' list only when needed); only the card shown is loaded."""

    def earlier():
        return backlog.first_earlier_key(user, current, exclude, facts)

    def this_month():
        task_ids = month_page.filing_task_ids(user, [current], facts)[current.id]
        todo = month_page.still_to_file(user, current, task_ids)
        return next(((current, t) for t in todo if (current, t) != exclude), None)

    lists = (this_month, earlier) if exclude[0] is current else (earlier, this_month)
    for find in lists:
        found = find()
        if found:
            return found
    return None
