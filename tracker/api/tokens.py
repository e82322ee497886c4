"""Personal access tokens and service tokens: made, shown once, stored as a SHA-256 hash,
revoked at once. A token acts as its user and never does more (tracker.api.auth)."""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.api.models import ApiToken
from tracker.api.rules import may_write
from tracker.audit import record
from tracker.extensions import db
from tracker.timeutil import utcnow

TOKEN_PREFIX = "trk_"
PERSONAL, SERVICE = "personal", "service"


def new_secret() -> str:
    """A new token: the prefix and 32 random bytes, URL-safe (about 47 characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    if not header:
        return None
    scheme, _sep, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(TOKEN_PREFIX) or len(value) > 200:
        return None
    return value


def create_token(
    owner: User,
    name: str,
    *,
    can_write: bool = False,
    kind: str = PERSONAL,
    created_by: User | None = None,
    unit_ids: list[int] | None = None,
    plan_ids: list[int] | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for `owner`; returns it and its secret, which is never stored (shown
    once). An admin's own token is read-only: the admin writes nothing through the API."""
    secret = new_secret()
    token = ApiToken(
        name=name.strip()[:100],
        kind=kind,
        user_id=owner.id,
        created_by_id=(created_by or owner).id,
        token_hash=token_hash(secret),
        prefix=secret[:12],
        can_write=may_write(owner.role, "write" if can_write else "read"),
        unit_ids=sorted(set(unit_ids)) if unit_ids else None,
        plan_ids=sorted(set(plan_ids)) if plan_ids else None,
        created_at=utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token.created",
        token,
        actor=created_by or owner,
        detail={"name": token.name, "kind": kind, "write": token.can_write},
    )
    return token, secret


def revoke(token: ApiToken, by: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", token, actor=by, detail={"name": token.name})
    db.session.flush()


def find_token(secret: str) -> ApiToken | None:
    """The active token with this secret and an active user, else None."""
    return db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None))
    )


def tokens_of(user: User) -> list[ApiToken]:
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.kind == PERSONAL)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ).all()


def service_tokens() -> list[ApiToken]:
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.kind == SERVICE)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ).all()
