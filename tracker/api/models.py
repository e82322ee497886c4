"""API tokens: personal access tokens and the admin's service tokens. Only a hash is kept."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class ApiToken(db.Model):
    """A bearer token. It acts as its user (`user_id`) and can never do more than that user;
    `can_write` false makes it read-only; `unit_ids` / `plan_ids` (service tokens) narrow it
    further to some units' or plans' tasks. Revoking sets `revoked_at`: refused at once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # personal | service
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    can_write: Mapped[bool] = mapped_column(default=False)
    unit_ids: Mapped[list[int] | None] = mapped_column(JSON)
    plan_ids: Mapped[list[int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "event_endpoint.created": _l("Event endpoint registered"),
    "event_endpoint.updated": _l("Event endpoint changed"),
    "plan.published": _l("Plan published on the public progress page"),
    "plan.unpublished": _l("Plan taken off the public progress page"),
}
