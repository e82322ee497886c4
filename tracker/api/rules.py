"""Pure rules of the API feature (no db, no request, no clock)."""

from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def endpoint_url_problem(url: str, allow_local_http: bool = False) -> str | None:
    """Why an event endpoint's address is refused (a message key), else None.

    Events go to HTTPS addresses only: they carry task and report ids, and the signature
    proves who sent them but does not hide them. Plain HTTP is allowed only to this machine
    (127.0.0.1 / localhost), and only when the deployment says so (tests, a local relay)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return "endpoint_url_invalid"
    if not parts.netloc or not parts.hostname or parts.username or parts.password:
        return "endpoint_url_invalid"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_local_http and parts.hostname in LOCAL_HOSTS:
        return None
    return "endpoint_url_not_https"


def may_write(role: str, scope: str) -> bool:
    """A token is read/write only if asked for and its user's role writes anything through
    the API (an admin's token is always read-only: the admin writes nothing there)."""
    return scope == "write" and role in ("office", "liaison", "leader")
