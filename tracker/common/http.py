"""HTTP helpers shared by every feature: safe redirects, numbers and text from requests."""

import functools
from urllib.parse import urlsplit

from babel import support
from flask import Request, request
from flask_babel import get_locale
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.routing import UnicodeConverter
from wtforms.i18n import messages_path


def safe_next(target: str | None) -> str | None:
    """A same-site path to follow after a step ("next"), or None.

    Only a path on this site is followed: it starts with one "/", carries no scheme or host,
    no backslash (browsers read "/\\evil.example" as "//evil.example"), no control character
    or white space (browsers drop tabs and newlines, so "/\\t/evil.example" becomes
    "//evil.example"). Anything else is refused, and the caller goes to its default page.
    """
    if not target or not isinstance(target, str):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 33 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# --- numbers from forms and query strings -------------------------------------------------

# The largest value of the database's INTEGER (PostgreSQL's int4; SQLite's is larger): every id
# and count a request may carry. PostgreSQL refuses 2147483648 with an error, not a "not found".
DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)
_MAX_DIGITS = 12  # "-2147483648" has 11 characters: longer text is never a database integer


def parse_int(raw, minimum: int = DB_INT_MIN, maximum: int = DB_INT_MAX) -> int | None:
    """The whole number `raw` spells, if it lies within [minimum, maximum]; else None.

    Surrounding spaces are allowed; "1.5", "1e3", "0x10", "" and None are not numbers, and
    neither is anything the database's INTEGER could not hold (the bounds never exceed it).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        if not isinstance(raw, str):
            return None
        text = raw.strip()
        if not text or len(text) > _MAX_DIGITS:
            return None
        try:
            value = int(text, 10)
        except ValueError:
            return None
    if value < max(minimum, DB_INT_MIN) or value > min(maximum, DB_INT_MAX):
        return None
    return value


def int_arg(name: str, default: int | None = None, minimum: int = 1, maximum: int = DB_INT_MAX):
    """A query parameter as a whole number within [minimum, maximum] (ids and page numbers
    start at 1); `default` when it is missing, malformed or out of range — a filter that
    cannot match anything is dropped, never sent to the database."""
    value = parse_int(request.args.get(name), minimum, maximum)
    return default if value is None else value


# --- text from forms and query strings ----------------------------------------------------

# C0 control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL
# in text, and Excel and Word files cannot hold any of them (openpyxl and python-docx raise).
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}
_CONTROL[0x0B] = "\n"  # Word's manual line break, pasted from a document
_CONTROL[0x0C] = "\n"  # a page break


def clean_text(value: str) -> str:
    """`value` without the control characters no stored text may hold (see _CONTROL)."""
    return value.translate(_CONTROL)


def _cleaned(value):
    return clean_text(value) if isinstance(value, str) else value  # files stay as sent


class CleanParameters(ImmutableMultiDict):
    """request.args and request.form with their text cleaned once, as the request is read:
    no view, form or export ever sees a NUL or another control character."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
        else:
            super().__init__((_cleaned(k), _cleaned(v)) for k, v in iter_multi_items(mapping))


@functools.cache
def wtforms_catalog(locale: str):
    """WTForms' own messages ("This field is required." …) in `locale`, loaded once a
    process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class TrackerRequest(Request):
    """The app's request (create_app sets it): parameters as CleanParameters."""

    parameter_storage_class = CleanParameters

    @functools.cached_property
    def wtforms_translations(self):
        """Flask-WTF reads this attribute for WTForms' messages in the request's language
        and, when it is missing, loads the catalogue from disk — once a request that builds
        a form, ≈ 0.3 ms each (issue 13's surge). Here it comes from a process-wide cache."""
        return wtforms_catalog(str(get_locale()))


class PathText(UnicodeConverter):
    """<name> and <string:name> in routes: no control characters (a NUL in a token is "not
    found", not an error from PostgreSQL)."""

    def __init__(self, url_map, minlength=1, maxlength=None, length=None):
        super().__init__(url_map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


# --- response headers ---------------------------------------------------------------------

# Every HTML page: scripts, styles, images and fonts from this site only; no inline script or
# style (templates carry none: tests/test_templates.py), no plugins, no <base> elsewhere, no
# framing by another site, forms posting to this site only. ECharts draws on a canvas and sets
# styles through the CSSOM, which a CSP does not restrict; its images are data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)
# One year; no includeSubDomains: other intranet hosts under the same domain may still be HTTP.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def security_headers(mimetype: str | None, production: bool) -> dict[str, str]:
    """The headers every answer carries: the CSP on HTML pages (a download keeps its own
    sandbox policy), HSTS in production (served over HTTPS only, behind the proxy)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "same-origin",
    }
    if mimetype == "text/html":
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if production:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return headers
