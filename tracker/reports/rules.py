"""Pure rules for progress reports: readiness, lateness and the report's light.
No database, no request, no clock: `today` is passed in."""

from datetime import date, datetime

from tracker.plans.lights import GREEN, RED, YELLOW


def submission_problems(progress: str, percent: int | None) -> list[str]:
    """What keeps a report from being submitted (message keys); empty means ready."""
    problems = []
    if not (progress or "").strip():
        problems.append("progress_missing")
    if percent is None or not 0 <= percent <= 100:
        problems.append("percent_invalid")
    return problems


def is_late(submitted_on: date | None, due_date: date) -> bool:
    """A report is late if it was first submitted after the period's due date."""
    return submitted_on is not None and submitted_on > due_date


def report_light(
    state: str | None,
    due_date: date,
    submitted_on: date | None,
    today: date,
    working_days_left: int,
    warn_days: int = 5,
) -> str:
    """Green: in on time, or not yet due within `warn_days` working days.
    Yellow: not in, and due within `warn_days` working days. Red: not in after the due
    date, or came in late. `state` None means not started; returned counts as not in."""
    submitted = state in ("submitted", "accepted")
    if submitted:
        return RED if is_late(submitted_on, due_date) else GREEN
    if today > due_date:
        return RED
    if working_days_left <= warn_days:
        return YELLOW
    return GREEN


def local_date(moment: datetime | None, tz) -> date | None:
    """The Beijing date of a stored UTC moment."""
    if moment is None:
        return None
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()
