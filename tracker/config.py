"""Settings, read from TRACKER_* environment variables.

TRACKER_DATABASE_URL   SQLAlchemy URL; default a SQLite file in the instance folder.
TRACKER_SECRET_KEY     session signing key; when unset, one is generated once and kept in
                       the instance folder (file `secret_key`, mode 0600).
TRACKER_INSTANCE_PATH  the instance folder (database, secret key, uploads); default ./instance.
TRACKER_ENV            `development` (default) or `production`.
TRACKER_SECURE_COOKIES `1` to send cookies only over HTTPS (default: on in production).
TRACKER_PROXY_FIX      `1` when behind a reverse proxy that sets X-Forwarded-* headers.
TRACKER_UPLOAD_MAX_BYTES  the largest evidence file accepted (default 20 MiB).
TRACKER_UPLOAD_MAX_UNPACKED_BYTES  an Office file or zip may unpack to at most this much
                       (default 200 MiB); TRACKER_UPLOAD_MAX_RATIO: … and at most this many
                       times its own size (default 100).
TRACKER_REDIS_URL      e.g. redis://127.0.0.1:6379/0: sign-in counters shared by every worker;
                       unset: in memory (one process only).
TRACKER_SIGNIN_ACCOUNT_LIMIT / _ADDRESS_LIMIT / _REQUEST_LIMIT  failed sign-ins per account
                       (default "5 per 15 minutes") and per address ("20 per 15 minutes");
                       sign-in requests per address ("30 per minute").
TRACKER_SESSION_IDLE_MINUTES  a session ends after this long without a request (default 30).
TRACKER_SESSION_MAX_HOURS     … and this long after sign-in, however busy (default 12).
"""

import os
import secrets
from pathlib import Path

SUPPORTED_LOCALES = ("zh_CN", "en")  # Chinese first: the default; English second
LOCALE_COOKIE = "tracker_lang"

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> Path:
    return Path(os.environ.get("TRACKER_INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()


def load_secret_key(folder: Path) -> str:
    """The secret key from the environment, else the one kept in the instance folder."""
    key = os.environ.get("TRACKER_SECRET_KEY")
    if key:
        return key
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def build_config(folder: Path) -> dict:
    """The app's configuration for the given instance folder."""
    env = os.environ.get("TRACKER_ENV", "development").strip().lower()
    production = env == "production"
    database_url = os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///{folder / 'tracker.db'}"
    secure = _flag("TRACKER_SECURE_COOKIES", production)
    upload_max = int(os.environ.get("TRACKER_UPLOAD_MAX_BYTES") or 20 << 20)
    max_hours = float(os.environ.get("TRACKER_SESSION_MAX_HOURS") or 12)
    return {
        "TRACKER_ENV": env,
        "SECRET_KEY": load_secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_NAME": "tracker_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        # the cookie outlives no session: the absolute lifetime is also checked per request
        "PERMANENT_SESSION_LIFETIME": int(max_hours * 3600),
        "TRACKER_SESSION_IDLE_MINUTES": float(os.environ.get("TRACKER_SESSION_IDLE_MINUTES") or 30),
        "TRACKER_SESSION_MAX_HOURS": max_hours,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "TRACKER_PROXY_FIX": _flag("TRACKER_PROXY_FIX", False),
        # evidence files: one file's limit, and the whole request's (a few files and the form)
        "TRACKER_UPLOAD_MAX_BYTES": upload_max,
        "MAX_CONTENT_LENGTH": upload_max + (1 << 20),
        "TRACKER_UPLOAD_MAX_UNPACKED_BYTES": int(
            os.environ.get("TRACKER_UPLOAD_MAX_UNPACKED_BYTES") or 200 << 20
        ),
        "TRACKER_UPLOAD_MAX_RATIO": int(os.environ.get("TRACKER_UPLOAD_MAX_RATIO") or 100),
        # sign-in throttling (Flask-Limiter and its `limits` engine)
        "RATELIMIT_STORAGE_URI": os.environ.get("TRACKER_REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": os.environ.get("TRACKER_REDIS_PREFIX") or "tracker",
        "RATELIMIT_HEADERS_ENABLED": False,
        # requests per API token (issue 15), in the `limits` notation
        "TRACKER_API_RATE_LIMIT": os.environ.get("TRACKER_API_RATE_LIMIT") or "300/minute",
        "TRACKER_SIGNIN_ACCOUNT_LIMIT": os.environ.get("TRACKER_SIGNIN_ACCOUNT_LIMIT")
        or "5 per 15 minutes",
        "TRACKER_SIGNIN_ADDRESS_LIMIT": os.environ.get("TRACKER_SIGNIN_ADDRESS_LIMIT")
        or "20 per 15 minutes",
        "TRACKER_SIGNIN_REQUEST_LIMIT": os.environ.get("TRACKER_SIGNIN_REQUEST_LIMIT")
        or "30 per minute",
    }
