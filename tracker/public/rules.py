"""What the public may read of a plan, as pure rules (no db, no request, no clock)."""

import re
import unicodedata

from tracker.plans.models import TaskStatus

# the only task fields the public page and its open data show (never report texts,
# evidence, return reasons, scores or people's names)
PUBLIC_TASK_FIELDS = (
    "number",
    "section",
    "title",
    "lead_unit",
    "co_units",
    "due_date",
    "status",
    "light",
    "percent",
)


def task_percent(status: str, accepted_percent: int | None) -> int | None:
    """A task's progress as the public (and the API) read it: 100 once closed; else the
    percentage of the lead unit's latest accepted report (None before any was accepted).
    A report not yet accepted by the office is never shown as progress."""
    if status == TaskStatus.CLOSED.value:
        return 100
    return accepted_percent


def shown_publicly(status: str) -> bool:
    """A withdrawn task (撤销, archived) is not on the public page."""
    return status != TaskStatus.ARCHIVED.value


def slug_for(key: str, plan_id: int) -> str:
    """A stable, readable address for a plan: its key (ASCII, lower case), else plan-<id>."""
    text = unicodedata.normalize("NFKD", key or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return text or f"plan-{plan_id}"
