"""Sign-in throttling: failed sign-ins are counted per account and per address.

- An account is locked after TRACKER_SIGNIN_ACCOUNT_LIMIT failures (default 5 in 15
  minutes), an address after TRACKER_SIGNIN_ADDRESS_LIMIT failures (default 20 in 15
  minutes, whatever the user names tried: password spraying). A lock lifts by itself when
  the oldest failure leaves the window (a moving window), or when the admin unlocks it.
- On top, Flask-Limiter limits sign-in requests per address (TRACKER_SIGNIN_REQUEST_LIMIT,
  default 30 per minute), failed or not.
- The counters live in Redis when TRACKER_REDIS_URL is set (shared by every worker and
  surviving restarts), in memory otherwise (one process; fine for development and tests).
  RATELIMIT_KEY_PREFIX keeps several instances (or test runs) on one Redis apart.

Failures are counted with the `limits` library (Flask-Limiter's own engine) on the same
storage, because Flask-Limiter's decorators count requests, not failed attempts.
"""

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from tracker.accounts.rules import parse_limit

ACCOUNT, ADDRESS = "account", "address"
_EXTENSION = "tracker_signin_throttle"


@dataclass(frozen=True)
class Lock:
    """Why sign-in is refused now, and for how many more minutes at most."""

    scope: str  # ACCOUNT or ADDRESS
    minutes: int


class SignInThrottle:
    def __init__(self, app: Flask):
        uri = app.config["RATELIMIT_STORAGE_URI"]
        self.storage = storage_from_string(uri)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.prefix = app.config["RATELIMIT_KEY_PREFIX"]
        self.items: dict[str, RateLimitItem] = {
            ACCOUNT: parse(app.config["TRACKER_SIGNIN_ACCOUNT_LIMIT"]),
            ADDRESS: parse(app.config["TRACKER_SIGNIN_ADDRESS_LIMIT"]),
        }
        # fail at start-up on a limit the rules cannot read either
        parse_limit(app.config["TRACKER_SIGNIN_ACCOUNT_LIMIT"])
        parse_limit(app.config["TRACKER_SIGNIN_ADDRESS_LIMIT"])

    def _ids(self, scope: str, value: str) -> tuple[str, ...]:
        return (self.prefix, "signin-failures", scope, value)

    def lock(self, username: str, address: str | None) -> Lock | None:
        """The lock in force for this account or address, else None."""
        for scope, value in ((ACCOUNT, account_key(username)), (ADDRESS, address or "-")):
            item = self.items[scope]
            if not self.strategy.test(item, *self._ids(scope, value)):
                stats = self.strategy.get_window_stats(item, *self._ids(scope, value))
                wait = max(stats.reset_time - time.time(), 1)
                return Lock(scope, math.ceil(wait / 60))
        return None

    def failed(self, username: str, address: str | None) -> Lock | None:
        """Count a failure; the lock it causes (this failure was the last one allowed)."""
        self.strategy.hit(self.items[ACCOUNT], *self._ids(ACCOUNT, account_key(username)))
        self.strategy.hit(self.items[ADDRESS], *self._ids(ADDRESS, address or "-"))
        return self.lock(username, address)

    def succeeded(self, username: str) -> None:
        """A correct password clears the account's failures (not the address's)."""
        self.unlock(username)

    def unlock(self, username: str) -> None:
        self.strategy.clear(self.items[ACCOUNT], *self._ids(ACCOUNT, account_key(username)))

    def unlock_address(self, address: str) -> None:
        self.strategy.clear(self.items[ADDRESS], *self._ids(ADDRESS, address))

    def is_locked(self, username: str) -> bool:
        item = self.items[ACCOUNT]
        return not self.strategy.test(item, *self._ids(ACCOUNT, account_key(username)))


def account_key(username: str) -> str:
    """Counters ignore case and spaces: "Admin " and "admin" are one account to lock."""
    return (username or "").strip().lower()[:64] or "-"


def init_throttle(app: Flask) -> None:
    """Call after the blueprints are registered: the sign-in view gets its request limit.

    One Limiter per app (not one at module level): Flask-Limiter keeps its storage and
    limits on the instance, and tests build several apps in one process."""
    limiter = Limiter(key_func=get_remote_address, default_limits=[], app=app)
    view = app.view_functions["accounts.login"]
    app.view_functions["accounts.login"] = limiter.limit(request_limit, methods=["POST"])(view)
    app.extensions[_EXTENSION] = SignInThrottle(app)


def throttle() -> SignInThrottle:
    return current_app.extensions[_EXTENSION]


def request_limit() -> str:
    return current_app.config["TRACKER_SIGNIN_REQUEST_LIMIT"]
