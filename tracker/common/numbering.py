"""Official document numbers (督办〔2026〕3号, 督查通报〔2026〕3号), once.

A number is the highest of its year plus one. Two offices can draft at the same moment: the
unique (year, seq) constraint refuses the second, which then tries once more with the next
number, inside a savepoint so the request's other work is kept.
"""

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from tracker.extensions import db


def next_seq(max_seq: int | None) -> int:
    """The next number of a year: 1 for its first document, else one more than the highest."""
    return (max_seq or 0) + 1


def add_numbered(build: Callable[[int], object], max_seq: Callable[[], int | None]):
    """Add the row `build(seq)` with the year's next number and flush it; on a clash with a
    number taken meanwhile, try once more with the next one (a second clash is raised)."""
    for attempt in (1, 2):
        row = build(next_seq(max_seq()))
        savepoint = db.session.begin_nested()
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            savepoint.rollback()
            if attempt == 2:
                raise
            continue
        savepoint.commit()
        return row
    raise AssertionError("unreachable")
