"""Who is calling the API: a bearer token, never the session cookie.

Every API request names a token (`Authorization: Bearer trk_…`). The token's user acts
(`current_user` is that user for the request, so the pages' permission functions apply
unchanged); a read-only token may not write; a service token limited to some units or
plans sees only their tasks. Requests are limited per token (TRACKER_API_RATE_LIMIT,
default 300 per minute, moving window, on Flask-Limiter's storage: Redis when
TRACKER_REDIS_URL is set). Writes are recorded in the audit log with the token's name
(tracker.audit reads `g.api_token_name`)."""

import math
import time
from datetime import timedelta

from flask import Flask, current_app, g, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import update

from tracker.accounts.models import Role, User
from tracker.api.models import ApiToken
from tracker.api.problems import Problem
from tracker.api.tokens import bearer, find_token
from tracker.database import writing
from tracker.extensions import db
from tracker.timeutil import utcnow

_EXTENSION = "tracker_api_limiter"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TOUCH_EVERY = timedelta(minutes=5)


class TokenLimiter:
    def __init__(self, app: Flask):
        self.storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.item = parse(app.config.get("TRACKER_API_RATE_LIMIT") or "300/minute")
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]

    def hit(self, token_id: int) -> int | None:
        """Count a request; None if allowed, else the seconds to wait."""
        ids = (self.prefix, "api-token", str(token_id))
        if self.strategy.hit(self.item, *ids):
            return None
        reset, _remaining = self.strategy.get_window_stats(self.item, *ids)
        return max(1, math.ceil(reset - time.time()))


def init_api_limiter(app: Flask) -> None:
    app.extensions[_EXTENSION] = TokenLimiter(app)


def authenticate() -> None:
    """before_request of the API blueprints: find the token or refuse (401 / 429)."""
    if request.method == "OPTIONS":
        return
    secret = bearer(request.headers.get("Authorization"))
    if secret is None:
        raise Problem(401, "unauthorized")
    token = find_token(secret)
    if token is None or not token.user.active:
        raise Problem(401, "token_invalid")
    user = token.user
    wait = current_app.extensions[_EXTENSION].hit(token.id)
    if wait is not None:
        problem = Problem(429, "rate_limited", seconds=wait)
        problem.headers["Retry-After"] = str(wait)
        raise problem
    if token.last_used_at is None or utcnow() - token.last_used_at > TOUCH_EVERY:
        with writing():
            db.session.execute(
                update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=utcnow())
            )
            db.session.commit()
    g.api_token = token
    g.api_token_name = token.name
    g._login_user = user  # Flask-Login's current_user for this request only
    if request.method not in SAFE_METHODS and not token.can_write:
        raise Problem(403, "read_only")


def unauthorized_challenge(response):
    """after_request: a 401 names the scheme it wants (RFC 9110)."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def caller() -> User:
    return g._login_user


def token() -> ApiToken:
    return g.api_token


def require_role(*roles: Role) -> User:
    user = caller()
    if not user.has_role(*roles):
        raise Problem(403, "forbidden")
    return user
