"""One runner for the route × role (× own/other unit) permission matrices.

Each `tests/<feature>/test_*permissions.py` states its matrix as data — cases of
`(method, path, form, expected per role)` — and hands them to `run_matrix`, which signs in,
sends each request and checks its outcome. An expected outcome is one of:

- `LOGIN`: a redirect to the sign-in page;
- `WRITE`: a redirect (not to sign-in), and the snapshot changed;
- `REFUSED`: a redirect with a message (not to sign-in), and nothing changed;
- a status code (200, 302, 400, 403, 404 …): exactly that status;
- `None`: this role's outcome is not checked by the matrix.

With a `snapshot` (a callable returning everything the routes could write), a refused
request — `LOGIN`, `REFUSED` or any 4xx — must leave it unchanged; `reads_change_nothing`
extends that to every other non-`WRITE` request (pages read, plain redirects).

Paths and form values are templates filled from `ids` (`"/tasks/{own_task}"`); a form may
be a callable returning the form, for file uploads that can be read once only.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from werkzeug.routing import Map

ROLES = ("anonymous", "admin", "office", "leader", "liaison", "other_liaison")
LOGIN, WRITE, REFUSED, PAGE = "login", "write", "refused", 200

Case = tuple[str, str, Any, Sequence[Any]]


def expect(default: Any = 403, *, roles: Sequence[str] = ROLES, **by_role: Any) -> list[Any]:
    """Expected outcome per role: anonymous goes to sign-in, unnamed roles get `default`."""
    return [by_role.get(role, LOGIN if role == "anonymous" else default) for role in roles]


def run_matrix(
    cases: Iterable[Case],
    role: str,
    *,
    client_for: Callable[[str], Any],
    ids: dict[str, Any],
    roles: Sequence[str] = ROLES,
    snapshot: Callable[[], Any] | None = None,
    fresh_client: bool = False,
    reads_change_nothing: bool = False,
    check_response: Callable[[Any, Any, str], None] | None = None,
    written: Callable[[Any, Any], bool] | None = None,
) -> None:
    """Send every case as `role` and check its outcome (see the module docstring).

    `fresh_client`: sign in again before each case (a case may sign the client out, and
    sign-in writes are then never counted as the route's). `check_response(response, want,
    label)` adds a file's own checks on the response, e.g. that a refused page leaks nothing.
    `written(before, after)` says whether a `WRITE` wrote (default: the snapshots differ).
    """
    client = None
    for method, template, form, expected in cases:
        want = expected[roles.index(role)]
        if want is None:
            continue
        if client is None or fresh_client:
            client = client_for(role)
        path = template.format(**ids)
        before = snapshot() if snapshot else None
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=_fill(form, ids))
        label = f"{role} {method} {path}: {response.status_code}"
        check_outcome(response, want, label)
        if snapshot:
            after = snapshot()
            if want == WRITE:
                changed = written(before, after) if written else after != before
                assert changed, f"{label}: nothing was written"
            elif reads_change_nothing or _refused(want):
                assert after == before, f"{label}: data changed"
        if check_response:
            check_response(response, want, label)


def check_outcome(response, want, label: str) -> None:
    """The status (and redirect target) of one response against its expected outcome."""
    status = response.status_code
    if want == LOGIN:
        assert status == 302, label
        assert "/login" in response.headers["Location"], label
    elif want in (WRITE, REFUSED):
        assert status == 302, label
        assert "/login" not in response.headers["Location"], label
    else:
        assert status == want, label


def endpoints_of(url_map: Map, cases: Iterable[Case]) -> set[str]:
    """The endpoints the cases reach, for "every endpoint is in the matrix" tests."""
    adapter = url_map.bind("localhost")
    found = set()
    for method, template, _form, _expected in cases:
        path = _any_ids(template.split("?")[0])
        endpoint, _args = adapter.match(path, method=method)
        found.add(endpoint)
    return found


def _refused(want) -> bool:
    return want in (LOGIN, REFUSED) or (isinstance(want, int) and want >= 400)


def _fill(form, ids: dict[str, Any]) -> dict[str, Any]:
    if callable(form):
        form = form()
    return {
        key: value if isinstance(value, tuple) else str(value).format(**ids)
        for key, value in (form or {}).items()
    }


def _any_ids(template: str) -> str:
    return re.sub(r"\{\w+\}", "1", template)
