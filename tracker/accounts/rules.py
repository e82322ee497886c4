"""Sign-in rules as pure functions: password strength, session lifetimes, lockout limits.

No database, no request, no clock: callers pass the values (and `now`) in.
"""

from datetime import datetime, timedelta

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # scrypt of a megabyte-long "password" is a denial of service
# zxcvbn's guess score, 0 (top-10 password) … 4 (very hard); 3 means ~10^10 guesses:
# safe against an offline attack on a stolen hash with a slow hash such as scrypt.
MIN_STRENGTH_SCORE = 3

# Problems a password may have; each is a message key that the view translates.
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
BLANK = "blank"
CONTAINS_USERNAME = "contains_username"
TOO_GUESSABLE = "too_guessable"


def password_problems(
    password: str, username: str = "", other_inputs: tuple[str, ...] = ()
) -> list[str]:
    """The reasons a new password is refused ([] = acceptable).

    - at least 8 and at most 128 characters, not only spaces;
    - not the user name, nor containing it (case-insensitive; names under 3 characters
      are ignored, "li" is part of many good phrases);
    - zxcvbn score ≥ 3: common passwords (`password`, `12345678`), keyboard walks, dates,
      repeats and l33t variants of dictionary words are refused whatever their length.
    """
    if not password or not password.strip():
        return [BLANK]
    if len(password) < MIN_PASSWORD_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [TOO_LONG]
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        return [CONTAINS_USERNAME]
    inputs = [name, *(i for i in other_inputs if i)] if name else list(other_inputs)
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_STRENGTH_SCORE:
        return [TOO_GUESSABLE]
    return []


# --- sessions --------------------------------------------------------------------------

IDLE = "idle"
TOO_OLD = "too_old"


def session_expiry(
    now: datetime,
    signed_in_at: datetime | None,
    last_seen: datetime | None,
    *,
    idle: timedelta,
    max_age: timedelta,
) -> str | None:
    """Why a signed-in session has ended, or None while it is alive.

    A session ends after `idle` without a request (default 30 minutes) and, however busy,
    `max_age` after sign-in (default 12 hours). A session without the times (made before
    this rule existed) has ended: the user signs in again once.
    """
    if signed_in_at is None or last_seen is None:
        return TOO_OLD
    if now - signed_in_at >= max_age:
        return TOO_OLD
    if now - last_seen >= idle:
        return IDLE
    return None


# --- lockout ---------------------------------------------------------------------------


def parse_limit(text: str) -> tuple[int, int]:
    """ "5 per 15 minutes" -> (5, 900): failures allowed and the window in seconds.

    The same notation as Flask-Limiter's; used to tell the user how long to wait.
    """
    amount, _, rest = text.strip().partition(" per ")
    parts = rest.split()
    if not amount.isdecimal() or not parts or len(parts) > 2:
        raise ValueError(f"not a limit: {text!r}")
    count, unit = (int(parts[0]), parts[1]) if len(parts) == 2 else (1, parts[0])
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]
    return int(amount), count * seconds
