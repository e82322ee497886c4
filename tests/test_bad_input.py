"""No input makes a server error: random and oversized values on every route (hypothesis).

Every route of `app.url_map` is requested by every role that gets past its role check, with a
valid CSRF token, so the form handlers themselves run. The parameters sent are the ones the
handler reads: a first, empty request of each (route, role) records every name the view looks
up in `request.args` or `request.form` (WTForms included), and hypothesis then sends those
names with huge, negative, non-numeric, unicode, 100 KB and NUL-byte values, mixed with
plausible ones so the handlers get past their first check. Ids in paths are small real ids
(some another unit's) or the largest the database holds. Nothing may answer 500 — on SQLite
and on PostgreSQL, where an integer from 2147483648 on overflows a query.
"""

import os
import re
import time
import traceback

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing.converters import NumberConverter

from tracker.extensions import db

READ: set[str] = set()  # the parameter names the current request's handler looked up
# per (route, role): 6 keeps the module near a minute; TRACKER_FUZZ_EXAMPLES=50 for a long run
EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES") or 6)
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ROLES = ("office", "liaison", "admin", "leader")  # demo accounts (liaison: 市发改委)
PASSWORD = "demo12345"
# Routes that end the client's own session, or change what every later request sees: last.
LAST = ("accounts.logout", "security.", "accounts.user_edit")
HOSTILE = [
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "9" * 400,
    "-1",
    "-0",
    "1e400",
    "nan",
    "Infinity",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits: int() reads them
    "１２",  # full-width digits: int() reads them too
    " 7 ",
    "7.0",
    "7abc",
    "",
    "\x00",
    "1\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "[x](http://evil.example)",
    "\u202e𝔘𝔫𝔦",
    "2026-13-45",
    "9999-12-31",
    "0001-01-01",
    "x" * 100_000,
    "长" * 30_000,
]
PLAUSIBLE = [
    "1",
    "2",
    "3",
    "0",
    "submit",
    "save",
    "accept",
    "return",
    "approve",
    "reject",
    "on",
    "y",
    "2026-01",
    "2026-01-31",
    "zh_CN",
    "en",
    "green",
    "red",
    "submitted",
    "office",
    "liaison",
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(PLAUSIBLE),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(max_size=40),
)
ids = st.sampled_from([1, 2, 3, 4, 5, 8, 13, 21, 40, 2**31 - 1])


def _recording(request_class):
    """The app's request class, with parameters that note every name a handler looks up."""

    class Recording(request_class.parameter_storage_class):
        def __getitem__(self, key):
            READ.add(key)
            return super().__getitem__(key)

        def get(self, key, default=None, type=None):
            READ.add(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):
            READ.add(key)
            return super().getlist(key, type)

        def __contains__(self, key):
            READ.add(key)
            return super().__contains__(key)

    return type("RecordingRequest", (request_class,), {"parameter_storage_class": Recording})


class Session:
    """A test client signed in as one role, with its CSRF token; signs in again when a
    request ended its session (sign-out, a disabled account)."""

    def __init__(self, app, role):
        self.app, self.role = app, role
        self.sign_in()

    def sign_in(self):
        self.client = self.app.test_client()
        if self.role == "anonymous":
            self.token = self._token("/login")
            return
        token = self._token("/login")
        username = "fgw" if self.role == "liaison" else self.role
        answer = self.client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 302, self.role
        self.token = self._token("/")

    def _token(self, path):
        page = self.client.get(path, follow_redirects=True)
        found = CSRF.search(page.get_data(as_text=True))
        assert found, (self.role, path, page.status_code)
        return found.group(1)

    def send(self, method, path, params):
        """(status, error): an exception escaping the app counts as a server error."""
        query = {k: v for k, v in params.items() if k != "csrf_token"}
        form = {**query, "csrf_token": self.token}
        READ.clear()
        try:
            if method == "GET":
                answer = self.client.get(path, query_string=query)
            else:
                answer = self.client.post(path, data=form, query_string=query)
        except Exception:  # noqa: BLE001 (TESTING propagates the 500's exception)
            return 500, traceback.format_exc(limit=-3)
        if answer.status_code in (301, 302, 303) and "/login" in answer.location:
            if self.role != "anonymous" and not path.startswith(("/login", "/logout")):
                self.sign_in()
        return answer.status_code, ""


def _targets(app):
    """(endpoint, method, rule) for every route but static files; session-ending ones last."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.endpoint, method, rule))
    return sorted(found, key=lambda t: (t[0].startswith(LAST), t[0], t[1]))


def _path(rule, draw_id, draw_text):
    """The rule's path with an id for each number in it and text for each other part."""
    values = {}
    for name, converter in rule._converters.items():
        values[name] = draw_id() if isinstance(converter, NumberConverter) else draw_text()
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def demo_app(app_factory, demo_seed):
    """The demo (`seed --demo`: reports, notices, requests, scores) behind an app with CSRF
    on, sign-in limits out of the way and request parameters that record their reads."""
    demo_seed()
    app = app_factory(
        WTF_CSRF_ENABLED=True,
        TRACKER_SIGNIN_ACCOUNT_LIMIT="100000 per minute",
        TRACKER_SIGNIN_ADDRESS_LIMIT="100000 per minute",
        TRACKER_SIGNIN_REQUEST_LIMIT="100000 per minute",
    )
    app.request_class = _recording(app.request_class)
    return app


def _protect_fuzzing_accounts(app):
    """User ids the admin's user pages may be fuzzed on: none of the signed-in accounts."""
    from tracker.accounts.models import User

    with app.app_context():
        users = db.session.scalars(select(User).order_by(User.id)).all()
        kept = {"admin", "office", "leader", "fgw"}
        return [u.id for u in users if u.username not in kept][:5]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.generate],  # every failing request is reported below; no shrinking
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def _fuzz(data, session, method, rule, names, victims, failures, statuses):
    def draw_id():
        if "user_id" in rule.arguments and victims:
            return data.draw(st.sampled_from(victims))
        return data.draw(ids)

    path = _path(rule, draw_id, lambda: data.draw(st.text(min_size=1, max_size=20)))
    params = {}
    for name in sorted(names):
        value = data.draw(st.one_of(st.none(), values))
        if value is not None:
            params[name] = value
    status, error = session.send(method, path, params)
    statuses[status] = statuses.get(status, 0) + 1
    if status >= 500:
        _fail(failures, rule, f"{session.role} {method} {path}", params, error)


def _fail(failures, rule, request_line, params, error):
    """One example per (route, error): the request and the error's last lines."""
    last = error.strip().splitlines()[-1] if error else "HTTP 500"
    shown = {k: (v if len(v) < 60 else f"{v[:20]}…({len(v)})") for k, v in params.items()}
    failures.setdefault((rule.endpoint, last), f"{request_line} {shown}\n{error}")


def test_no_input_makes_a_server_error(demo_app):
    app = demo_app
    sessions = {role: Session(app, role) for role in (*ROLES, "anonymous")}
    victims = _protect_fuzzing_accounts(app)
    failures, statuses, covered, slow = {}, {}, 0, {}
    for endpoint, method, rule in _targets(app):
        roles = ("anonymous",) if endpoint.startswith("accounts.login") else ROLES
        if endpoint.startswith("security.second_factor"):
            roles = ("anonymous",)
        for role in roles:
            session = sessions[role]
            probe = _path(rule, lambda: 1, lambda: "x")
            status, error = session.send(method, probe, {})
            names = set(READ) - {"csrf_token"}
            if status >= 500:
                _fail(failures, rule, f"{role} {method} {probe}", {}, error)
            if status in (401, 403):
                continue  # this role never reaches the handler
            covered += 1
            started = time.perf_counter()
            _fuzz(
                session=session,
                method=method,
                rule=rule,
                names=names | {"page", "next"},
                victims=victims,
                failures=failures,
                statuses=statuses,
            )
            slow[f"{role} {method} {rule.rule}"] = time.perf_counter() - started
    print(f"\n{covered} (route, role) pairs fuzzed; answers by status: {sorted(statuses.items())}")
    print("slowest:", sorted(slow.items(), key=lambda kv: -kv[1])[:8])
    assert covered > 100
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures.values())
