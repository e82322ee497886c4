"""The demo's clock: when its history starts, and steps played at the times they claim.

The demo builds its history through the feature services. A service stamps what it writes
with `timeutil.utcnow()`; each step runs inside `timeutil.stamped_at(moment)`, so every row,
audit event and notification it writes carries the step's moment at insert (the audit log
stays append-only: nothing is changed afterwards). Steps are played in time order, so within
a feature the ids follow the times; no step is stamped later than now.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from tracker.timeutil import LOCAL_TZ, local_date, previous_month, stamped_at, utcnow

HISTORY_MONTHS = 3  # the demo's reports go back three months before the current one


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`hour:minute` on `day` in Beijing, stored as naive UTC like the rest."""
    local = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def history_months(today: date) -> list[tuple[int, int]]:
    """The months of the demo's reports, oldest first, ending with today's month."""
    months = [(today.year, today.month)]
    for _ in range(HISTORY_MONTHS):
        months.insert(0, previous_month(*months[0]))
    return months


def history_start(today: date, calendar) -> date:
    """The day the office assigned the plans: the first working day from the 3rd of the
    history's first month."""
    year, month = history_months(today)[0]
    return calendar.next_workday(date(year, month, 3))


def loading_moment(today: date) -> datetime:
    """When the plans were loaded and the demo accounts made: the history's first morning."""
    year, month = history_months(today)[0]
    return at(date(year, month, 1), 8)


@contextmanager
def stamped(moment: datetime) -> Iterator[None]:
    """Write at `moment`, or now if that is earlier (nothing is stamped in the future)."""
    with stamped_at(min(moment, utcnow())):
        yield


@contextmanager
def demo_seeding(today: date) -> Iterator[None]:
    """`seed --demo` loads the plans at the history's first morning, before the history."""
    with stamped(loading_moment(today)):
        yield


@dataclass(order=True)
class Step:
    moment: datetime
    order: int
    run: Callable[[date], object] = field(compare=False)


@dataclass
class History:
    """Steps of several tasks and units, played in time order (ties in the order added).
    Each step is called with its Beijing date, which the services take as `today`."""

    steps: list[Step] = field(default_factory=list)

    def add(self, moment: datetime, run: Callable[[date], object]) -> None:
        self.steps.append(Step(moment, len(self.steps), run))

    def play(self) -> int:
        now = utcnow()
        for step in sorted(self.steps):
            moment = min(step.moment, now)
            with stamped_at(moment):
                step.run(local_date(moment))
        return len(self.steps)
