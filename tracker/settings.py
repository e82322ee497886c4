"""Settings the office or admin changes at run time (e.g. the reports' due day)."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.timeutil import utcnow

DEFAULTS: dict[str, Any] = {
    "report_due_day": 25,  # the 25th of each month, moved to the next working day
    "ack_working_days": 3,  # a unit acknowledges an assignment within 3 working days
    # contest (退回交办, issue 14): the lead unit may return an assignment within this many
    # working days after it (docs/workflow.md)
    "contest_working_days": 3,
    "instruction_answer_working_days": 5,
    # lights and alerts (issue 4)
    "yellow_working_days": 5,  # yellow light: due within 5 working days
    # pace (序时进度, issue 14): behind pace when the reported percent trails the expected
    # one by more than this many points (docs/milestones.md)
    "pace_margin_points": 15,
    "notice_answer_working_days": 5,  # a supervision notice is answered within 5 working days
    # escalation ladder: working days without action before each next step
    "escalate_urge_after": 3,  # reminder -> urging (催办) to the unit's head and the office
    "escalate_notice_after": 5,  # -> a suggested supervision notice
    "escalate_bulletin_after": 10,  # -> named in the next bulletin
    # intake (issue 10): each source kind's default deadline for a new item, as
    # [amount, "working_days" | "days" | "months"]; null: no default (tracker.plans.rules)
    "intake_default_deadlines": {
        "policy_document": None,
        "meeting": [20, "working_days"],
        "instruction": [5, "working_days"],
        "assigned_from_above": [10, "working_days"],
        "proposal": [3, "months"],
        "other": None,
    },
}


class Setting(db.Model):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


def get_setting(key: str) -> Any:
    value = db.session.scalar(select(Setting.value).where(Setting.key == key))
    return DEFAULTS[key] if value is None else value


def set_setting(key: str, value: Any, user=None) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_at = utcnow()
    row.updated_by_id = getattr(user, "id", None)


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "settings.updated": _l("Settings changed"),
}
