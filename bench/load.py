"""Page timings, throughput, batch jobs and the deadline surge on a generated province (issue 13).

    .venv/bin/python bench/province.py --scale full --reset                 # the database
    .venv/bin/python bench/load.py --url sqlite:////tmp/province-full.db    # pages, batch
    .venv/bin/python bench/load.py --url … --modes pages,throughput,batch,surge --rounds 20 \\
        --out /tmp/bench.json

Starts gunicorn (gunicorn.conf.py's sync workers, one per core, or --workers;
bench/wsgi_bench.py: the app plus an X-Bench-Statements header) on the database, signs in as
each role (the sign-in limits raised for the bench) and requests every page (PAGES: the
issue's table, every page added since, the downloads and the API's lists with a read-only
token), sequentially: p50 / p95 ms, bytes, SQL statements,
status. Modes (comma-separated --modes, run in that order):
  pages       every page, --rounds times each (first one uncounted request per worker)
  throughput  pages/s at --connections (default: the review queue and the overview at 4)
  batch       the alert sweep (twice: first run, then a rerun) and the monthly scorecard,
              timed in-process through their CLI commands
  surge       --clients liaisons at once, each: save a report, submit it, reload the month
              page as a browser does (redirects followed); then --clients other liaisons
              that only POST (submit at once, no month page): both submissions/s, POST
              p50/p95, errors, "database is locked"
Worker deaths (a SIGSEGV, "Worker … was sent", "Booting worker" beyond the first) are
counted from the gunicorn log. Output: a Markdown table on stdout, JSON with --out.

Longer than 450 lines: one script a reader runs and reads whole (server, sign-in, the four
modes, the report); bench only, nothing imports it but the CI smoke test.
"""

import argparse
import html
import http.client
import json
import os
import platform
import re
import runpy
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

PASSWORD = "province-pass-1"  # bench/province.py
USERS = {"office": "office1", "leader": "leader1", "liaison": "liaison1-1", "admin": "admin"}
# (role, page, kind): kind "html", "download" or "json"; the {…} are pick_ids()'s: {task} is
# the task with the longest history, {plan} the largest plan. The first 25 rows are the
# issue's table (compare with older runs); the rest are every page added since (issue 14 and
# others). tests/test_bench_smoke.py checks that every GET route without path parameters is
# here or in EXCLUDED, so a new page cannot be forgotten. Role "api": a read-only bearer token
# of office1 (api_token()).
PAGES = [
    ("office", "/", "html"),
    ("office", "/dashboard", "html"),
    ("office", "/review", "html"),
    ("office", "/tasks/{task}", "html"),
    ("office", "/reports/overview", "html"),
    ("office", "/scores", "html"),
    ("office", "/scores/units/{unit}", "html"),
    ("office", "/plans/{plan}", "html"),
    ("office", "/supervision/requests", "html"),
    ("office", "/dashboard/units/{unit}", "html"),
    ("office", "/notifications", "html"),
    ("office", "/bulletins/new", "html"),
    ("office", "/tasks", "html"),
    ("office", "/notices", "html"),
    ("office", "/plans", "html"),
    ("liaison", "/", "html"),
    ("liaison", "/reports", "html"),
    ("liaison", "/notifications", "html"),
    ("liaison", "/tasks/{liaison_task}", "html"),
    ("leader", "/", "html"),
    ("leader", "/dashboard", "html"),
    ("admin", "/", "html"),
    ("admin", "/admin/audit", "html"),
    ("office", "/plans/{plan}/ledger.xlsx", "download"),
    ("office", "/scores/export.xlsx", "download"),
    # the office: lists, filters, the plan's pages, intake, supervision
    ("office", "/pace", "html"),
    ("office", "/reporting-load", "html"),
    ("office", "/reporting-load/units/{unit}", "html"),
    ("office", "/tasks?behind=1", "html"),
    ("office", "/tasks?light=red", "html"),
    ("office", "/review?light=red", "html"),
    ("office", "/scores?category={category}", "html"),
    ("office", "/scores/rules", "html"),
    ("office", "/search", "html"),
    ("office", "/search?q=%E4%BB%BB%E5%8A%A1", "html"),
    ("office", "/plans/{plan}/wall-chart", "html"),
    ("office", "/plans/{plan}/people", "html"),
    ("office", "/leaders/{leader_user}/wall-chart", "html"),
    ("office", "/dashboard/plans/{plan}", "html"),
    ("office", "/dashboard/plans/{plan}/sections/{section}", "html"),
    ("office", "/dashboard/charts.json", "json"),
    ("office", "/supervision/contests", "html"),
    ("office", "/notices/{notice}", "html"),
    ("office", "/notices/new?task={open_task}", "html"),
    ("office", "/bulletins", "html"),
    ("office", "/units", "html"),
    ("office", "/settings", "html"),
    ("office", "/admin/calendar", "html"),
    ("office", "/intake/deadlines", "html"),
    ("office", "/intake/quick", "html"),
    ("office", "/intake/plans/new", "html"),
    ("office", "/intake/plans/{plan}/edit", "html"),
    ("office", "/intake/tasks/{task}/edit", "html"),
    ("office", "/plans/import", "html"),
    ("office", "/plans/documents/import", "html"),
    ("office", "/public/manage", "html"),
    ("office", "/reorganisations", "html"),
    ("office", "/reorganisations/new", "html"),
    ("office", "/notifications/preferences", "html"),
    ("office", "/account/password", "html"),
    ("office", "/account/second-factor", "html"),
    ("office", "/account/tokens", "html"),
    ("office", "/tasks/export.xlsx", "download"),
    ("office", "/scores/export.json", "download"),
    # the leader's pages
    ("leader", "/leading", "html"),
    ("leader", "/leaders/{leader_user}/wall-chart", "html"),
    ("leader", "/tasks", "html"),
    ("leader", "/scores", "html"),
    ("leader", "/reports/overview", "html"),
    ("leader", "/supervision/requests", "html"),
    ("leader", "/dashboard/units/{unit}", "html"),
    ("leader", "/plans/{plan}/wall-chart", "html"),
    # the liaison's pages
    ("liaison", "/supervision/my", "html"),
    ("liaison", "/tasks", "html"),
    ("liaison", "/plans", "html"),
    ("liaison", "/plans/{plan}/wall-chart", "html"),
    ("liaison", "/notices", "html"),
    ("liaison", "/units", "html"),
    # the admin's pages
    ("admin", "/admin/users", "html"),
    ("admin", "/admin/users/new", "html"),
    ("admin", "/admin/users/{liaison_user}", "html"),
    ("admin", "/admin/security", "html"),
    ("admin", "/admin/service-tokens", "html"),
    ("admin", "/admin/event-endpoints", "html"),
    ("admin", "/admin/webhooks", "html"),
    ("admin", "/units/categories", "html"),
    ("admin", "/units/new", "html"),
    ("admin", "/units/{unit}/edit", "html"),
    # the API's lists (first page each), with a bearer token
    ("api", "/api/v1/plans", "json"),
    ("api", "/api/v1/sections", "json"),
    ("api", "/api/v1/tasks", "json"),
    ("api", "/api/v1/units", "json"),
    ("api", "/api/v1/reports", "json"),
    ("api", "/api/v1/alerts", "json"),
    ("api", "/api/v1/notices", "json"),
    ("api", "/api/v1/instructions", "json"),
    ("api", "/api/v1/scorecards", "json"),
]
# GET routes without path parameters that the walk leaves out on purpose, and why
EXCLUDED = {
    "/login": "the sign-in form: every session of the walk signs in through it",
    "/login/second-factor": "only while a sign-in waits for its second factor (else redirects)",
    "/api/v1/docs": "Swagger UI's static shell",
    "/api/v1/openapi.json": "the API description, built from the code, not the data",
    "/plans/import/template.xlsx": "a fixed empty template, not the data",
}
THROUGHPUT = [("office", "/review"), ("office", "/reports/overview")]


class Forms(HTMLParser):
    """Every <form>: its action and its fields (inputs, textareas, checked radios)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif self.forms and tag in ("input", "button") and a.get("name"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            if tag == "button" or a.get("type") == "submit":
                self.forms[-1].setdefault("buttons", []).append((a["name"], a.get("value", "")))
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""
        elif self.forms and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1]["fields"][a["name"]] = ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    return found.group(1) if found else ""


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=60)
    response = session.post(
        f"{base}/login",
        data={"csrf_token": csrf_of(page.text), "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {username} answered {response.status_code}")
    return session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on the bench database; the log is scanned for worker deaths at the end."""

    def __init__(self, url: str, workers: int | None = None, redis: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="bench-"))
        self.log = self.folder / "gunicorn.log"
        self.workers = workers or runpy.run_path(str(ROOT / "gunicorn.conf.py"))["cores"]()
        env = {
            **os.environ,
            "TRACKER_DATABASE_URL": url,
            "TRACKER_INSTANCE_PATH": str(self.folder),
            "TRACKER_SECRET_KEY": "bench-secret",
            "TRACKER_SIGNIN_ACCOUNT_LIMIT": "100000 per minute",
            "TRACKER_SIGNIN_ADDRESS_LIMIT": "100000 per minute",
            "TRACKER_SIGNIN_REQUEST_LIMIT": "100000 per minute",
            "TRACKER_SESSION_IDLE_MINUTES": "600",
            "PYTHONFAULTHANDLER": "1",
        }
        if redis:
            env["TRACKER_REDIS_URL"] = redis
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",  # the production settings and hooks (faulthandler, templates compiled at start)
            str(ROOT / "gunicorn.conf.py"),
            "--chdir",
            str(ROOT / "bench"),
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "300",
            "--error-logfile",
            str(self.log),
            "wsgi_bench:app",
        ]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/login", timeout=60).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
            except BaseException:
                self.stop()
                raise
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def deaths(self) -> dict:
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        booted = log.count("Booting worker")
        return {
            "signals": len(re.findall(r"Worker \(pid:\d+\) was sent", log)),
            "segfaults": log.count("Fatal Python error") + log.count("SIGSEGV"),
            "extra_boots": max(0, booted - self.workers),
            "database_locked": log.count("database is locked"),
            "log": str(self.log),
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def pick_ids(url: str) -> dict:
    """The task with the longest history, the largest plan, a unit, a liaison's task."""
    engine = create_engine(url)
    with engine.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
        ids = {
            "task": one(
                "SELECT subject_id FROM audit_event WHERE subject_type = 'task' "
                "GROUP BY subject_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "plan": one(
                "SELECT plan_id FROM task GROUP BY plan_id ORDER BY count(*) DESC, plan_id LIMIT 1"
            ),
            "unit": one("SELECT unit_id FROM user_account WHERE username = 'liaison1-1'"),
            "liaison_task": one(
                "SELECT id FROM task WHERE lead_unit_id = (SELECT unit_id FROM "
                "user_account WHERE username = 'liaison1-1') ORDER BY id LIMIT 1"
            ),
            "liaison_user": one("SELECT id FROM user_account WHERE username = 'liaison1-1'"),
            "leader_user": one("SELECT id FROM user_account WHERE username = 'leader1'"),
            "category": one(
                "SELECT coalesce((SELECT category_id FROM unit u JOIN user_account a ON "
                "a.unit_id = u.id WHERE a.username = 'liaison1-1'), "
                "(SELECT min(id) FROM unit_category), 0)"
            ),
            "notice": one("SELECT max(id) FROM supervision_notice"),
        }
        ids["section"] = one(f"SELECT min(id) FROM section WHERE plan_id = {ids['plan']}")
        ids["open_task"] = one(
            f"SELECT min(id) FROM task WHERE plan_id = {ids['plan']} "
            "AND status IN ('assigned', 'in_progress')"
        )
    engine.dispose()
    return ids


def api_token(url: str, username: str = USERS["office"]) -> str:
    """A new read-only personal API token of `username` (written to the bench database)."""
    from tracker import create_app  # noqa: PLC0415 - bench only, after sys.path is set
    from tracker.accounts.models import User  # noqa: PLC0415
    from tracker.api.tokens import create_token  # noqa: PLC0415
    from tracker.extensions import db  # noqa: PLC0415

    os.environ.setdefault("TRACKER_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        owner = db.session.scalar(db.select(User).where(User.username == username))
        _token, secret = create_token(owner, "bench load.py")
        db.session.commit()
        db.engine.dispose()
    return secret


def sign_in_all(base: str, url: str) -> dict:
    """A signed-in session per role of USERS, and "api": a session with a bearer token."""
    sessions = {role: sign_in(base, name) for role, name in USERS.items()}
    sessions["api"] = requests.Session()
    sessions["api"].headers["Authorization"] = f"Bearer {api_token(url)}"
    return sessions


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


def measure_pages(base: str, sessions: dict, ids: dict, rounds: int, warm: int = 1) -> list[dict]:
    """Each page `warm` times uncounted (one per worker: each compiles its templates once),
    then `rounds` times."""
    out = []
    for role, template, kind in PAGES:
        path = template.format(**ids)
        session = sessions[role]
        times, sizes, statements, codes = [], [], [], []
        for n in range(rounds + warm):
            started = time.perf_counter()
            response = session.get(base + path, allow_redirects=False, timeout=300)
            took = (time.perf_counter() - started) * 1000
            if n < warm:
                continue
            times.append(took)
            sizes.append(len(response.content))
            statements.append(int(response.headers.get("X-Bench-Statements", -1)))
            codes.append(response.status_code)
        out.append(
            {
                "role": role,
                "page": template,
                "path": path,
                "kind": kind,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "bytes": max(sizes),
                "statements": max(statements),
                "status": sorted(set(codes)),
            }
        )
    return out


def throughput(base: str, role: str, path: str, connections: int, seconds: float) -> dict:
    sessions = [sign_in(base, USERS[role]) for _ in range(connections)]
    done, errors = [0], [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(session):
        while time.monotonic() < stop_at:
            try:
                response = session.get(base + path, allow_redirects=False, timeout=300)
            except requests.RequestException:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                if response.status_code == 200:
                    done[0] += 1
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    return {
        "role": role,
        "page": path,
        "connections": connections,
        "seconds": round(took, 1),
        "pages_per_s": round(done[0] / took, 2),
        "errors": errors[0],
    }


def batch(url: str) -> dict:
    """The alert sweep (first run and rerun) and last month's scorecard, in-process."""
    from tracker import create_app  # noqa: PLC0415 - bench only, after sys.path is set
    from tracker.extensions import db  # noqa: PLC0415
    from tracker.timeutil import today  # noqa: PLC0415

    os.environ.setdefault("TRACKER_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    runner = app.test_cli_runner()
    day = today()
    last = date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1).strftime("%Y-%m")
    out = {}
    for name, args in [
        ("alert sweep (first run)", ["alerts", "run-once", "--json"]),
        ("alert sweep (rerun)", ["alerts", "run-once", "--json"]),
        (f"scorecard {last}", ["scores", "compute", "--period", last]),
    ]:
        with app.app_context():
            started = time.perf_counter()
            result = runner.invoke(args=args)
            took = time.perf_counter() - started
        out[name] = {
            "seconds": round(took, 2),
            "exit": result.exit_code,
            "output": (result.output or repr(result.exception))[:300],
            "calibration_ms": CpuMeter.calibrate(),  # the host's speed right after
        }
    # the job itself, as the scheduler's nightly run does it for each month, one transaction
    # each: last month's 2,000 scorecards computed with nothing stored (its stored cards
    # deleted first, outside the timing), then the same month again (unchanged cards keep
    # their rows, as on most nights)
    from sqlalchemy import delete, select  # noqa: PLC0415

    from tracker.database import writing  # noqa: PLC0415
    from tracker.scoring.models import Scorecard, ScoreEntry  # noqa: PLC0415
    from tracker.scoring.services import store_month  # noqa: PLC0415

    with app.app_context(), writing():
        cards_of_month = select(Scorecard.id).where(Scorecard.period == last)
        db.session.execute(delete(ScoreEntry).where(ScoreEntry.scorecard_id.in_(cards_of_month)))
        db.session.execute(delete(Scorecard).where(Scorecard.period == last))
        db.session.commit()
    for name in (
        f"scorecard {last} (store_month, nothing stored)",
        f"scorecard {last} (store_month, unchanged rerun)",
    ):
        with app.app_context(), writing():
            started = time.perf_counter()
            cards = store_month(last, day)
            db.session.commit()
            out[name] = {
                "seconds": round(time.perf_counter() - started, 2),
                "exit": 0,
                "output": f"{len(cards)} cards",
                "calibration_ms": CpuMeter.calibrate(),
            }
    with app.app_context():
        db.engine.dispose()
    return out


REPORT_TEXT = {"progress": "本月按计划推进，完成阶段目标。", "percent": "50"}


_SAVE_FORM = re.compile(r'<form\b[^>]*\baction="([^"]*/reports/save[^"]*)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def editable(page: str) -> list[dict]:
    """The month page's (or a card page's) report forms that can still be saved or
    submitted: action and fields (hidden inputs, values, textareas as a browser sends them:
    the first line break after <textarea> dropped). Regular expressions over the page the
    app writes, not a full HTML parser: the surge's client shares the server's two cores,
    and html.parser cost it ≈ 1.5 ms a page."""
    out = []
    for action, body in _SAVE_FORM.findall(page):
        fields = {}
        for attrs in _INPUT.findall(body):
            a = dict(_ATTR.findall(attrs))
            if "name" in a and a.get("type") not in ("submit", "radio", "checkbox", "file"):
                fields[a["name"]] = html.unescape(a.get("value", ""))
        for name, content in _TEXTAREA.findall(body):
            content = content[2:] if content.startswith("\r\n") else content.removeprefix("\n")
            fields[name] = html.unescape(content)
        if "progress" in fields:
            out.append({"action": html.unescape(action), "fields": fields})
    return out


class Answer:
    """What LeanBrowser.request returns: status_code, headers, text (as requests names them)."""

    def __init__(self, status_code: int, headers, text: str):
        self.status_code, self.headers, self.text = status_code, headers, text


class LeanBrowser:
    """The surge's client: a browser's requests (cookies kept, forms posted URL-encoded)
    over http.client, a new connection each request (gunicorn's sync workers close it).
    requests.Session cost ≈ 1 ms of CPU a request in this process, on the same two cores
    as the server it measures; this costs a fraction of that."""

    def __init__(self, base: str):
        where = urllib.parse.urlsplit(base)
        self.host, self.port = where.hostname, where.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        path = urllib.parse.urlsplit(path)._replace(scheme="", netloc="", fragment="").geturl()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _eq, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Answer(response.status, response.headers, text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Answer:
        return self.request("POST", path, data)

    @classmethod
    def signed_in(cls, base: str, username: str) -> "LeanBrowser":
        browser = cls(base)
        page = browser.get("/login")
        answer = browser.post(
            "/login",
            {"csrf_token": csrf_of(page.text), "username": username, "password": PASSWORD},
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in of {username} answered {answer.status_code}")
        return browser


def _ticks(pid: int) -> int:
    """utime + stime of a process in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _pids(match) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            head, tail = stat.rsplit(")", 1)
            if match(int(entry.name), head.split("(", 1)[1], int(tail.split()[1])):
                out.append(int(entry.name))
    return out


class CpuMeter:
    """CPU seconds spent during a phase by the bench's own client (this process, every
    thread), the app (gunicorn's workers) and the database server (PostgreSQL's backends):
    the surge shares two cores with its client, so where the CPU goes says what bounds it.
    Read from /proc (Linux); zeros elsewhere."""

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def sample(self) -> dict[str, float]:
        import resource  # noqa: PLC0415

        me = resource.getrusage(resource.RUSAGE_SELF)
        app = _pids(lambda pid, _name, ppid: ppid == self.server_pid) if self.server_pid else []
        database = _pids(lambda _pid, name, _ppid: name.startswith("postgres"))
        return {
            "client": me.ru_utime + me.ru_stime,
            "app": sum(_ticks(p) for p in app) / self.hz,
            "database": sum(_ticks(p) for p in database) / self.hz,
        }

    @staticmethod
    def calibrate() -> float:
        """ms of one fixed pure-Python workload in this process: how fast the machine's
        cores are right now (the surge's figures moved with the host's load; a figure is
        comparable with another only when this is too)."""
        started = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        return round((time.process_time() - started) * 1000, 1)

    @staticmethod
    def per(before: dict, after: dict, count: int) -> dict[str, float]:
        """ms of CPU per unit of work (a submission), by part."""
        return {
            f"cpu_{part}_ms": round((after[part] - before[part]) * 1000 / max(count, 1), 1)
            for part in before
        }


def surge(base: str, clients: int, seconds: float, server_pid: int | None = None) -> dict:
    """The deadline surge, two phases of `seconds` each, `clients` liaisons of their own units.

    browser: liaison<u>-1 for u in 1..clients, as a browser does: save the report (POST, then
      the report's card page it redirects to), submit it (POST, then the card page again,
      which offers the next report to file: the loop goes on with that one).
      submissions/s of the whole loop; the POSTs' and the month pages' p50/p95 apart.
    post_only: the next `clients` units' liaisons load the month page once (before the clock
      starts), then only POST: each report submitted at once, the redirect not followed.
      submissions/s the server takes when nothing else is asked of it.
    Both count errors (5xx, timeouts), refusals (the form shown again) and pages saying
    "database is locked"; the gunicorn log's count is in run()'s "workers"."""
    meter = CpuMeter(server_pid)
    browser = surge_phase(base, range(1, clients + 1), seconds, follow=True, meter=meter)
    post_only = surge_phase(
        base, range(clients + 1, 2 * clients + 1), seconds, follow=False, meter=meter
    )
    return {**browser, "clients": clients, "post_only": post_only}


def surge_phase(base: str, units: range, seconds: float, follow: bool, meter=None) -> dict:
    sessions = [LeanBrowser.signed_in(base, f"liaison{u}-1") for u in units]
    first = [s.get("/reports") for s in sessions]
    tally = {"submissions": 0, "errors": 0, "database_locked": 0, "refused": 0, "loops": 0}
    times = {"post": [], "month_page": []}
    lock = threading.Lock()

    def count(key, n=1):
        with lock:
            tally[key] += n

    def timed(kind, call):
        started = time.perf_counter()
        response = call()
        with lock:
            times[kind].append((time.perf_counter() - started) * 1000)
        if "database is locked" in response.text:
            count("database_locked")
        if response.status_code >= 500:
            count("errors")
        return response

    def post(session, form, action):
        """The POST alone; True when it was taken (a redirect to the month page)."""
        data = {**form["fields"], **REPORT_TEXT, "action": action}
        response = timed("post", lambda: session.post(form["action"], data))
        if response.status_code == 302:
            return response
        if response.status_code < 500:  # the form shown again: the step was refused
            count("refused")
        return None

    def month_page(session, response):
        return timed("month_page", lambda: session.get(response.headers["Location"]))

    def key(form):
        """A card: its task and its month (an earlier month's card carries the period)."""
        return form["fields"].get("task_id"), form["fields"].get("period_id")

    def loop(session, page, stop_at):
        seen = set()
        forms = editable(page.text)  # POST only: the month page read once
        while time.monotonic() < stop_at:
            if follow:
                forms = editable(page.text)
            forms = [f for f in forms if key(f) not in seen]
            if not forms:
                break
            form = forms[0]
            card = key(form)
            seen.add(card)
            count("loops")
            if not follow:  # POST only: submit at once
                if post(session, form, "submit"):
                    count("submissions")
                continue
            saved = post(session, form, "save")
            if not saved:
                continue
            page = month_page(session, saved)
            again = [f for f in editable(page.text) if key(f) == card]
            if not again:
                continue
            submitted = post(session, again[0], "submit")
            if submitted:
                count("submissions")
                page = month_page(session, submitted)

    def worker(session, page, stop_at):
        try:
            loop(session, page, stop_at)
        except (OSError, http.client.HTTPException):  # a timeout: counted, the client gives up
            count("errors")

    calibration = [CpuMeter.calibrate()]
    cpu_before = meter.sample() if meter else None
    started = time.monotonic()
    stop_at = started + seconds
    threads = [
        threading.Thread(target=worker, args=(s, page, stop_at))
        for s, page in zip(sessions, first, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    cpu = meter.per(cpu_before, meter.sample(), tally["submissions"]) if meter else {}
    calibration.append(CpuMeter.calibrate())
    out = {
        **tally,
        **cpu,
        "mode": "browser" if follow else "post_only",
        "clients": len(sessions),
        "seconds": round(took, 1),
        "submissions_per_s": round(tally["submissions"] / took, 2),
        "calibration_ms": calibration,  # CpuMeter.calibrate() before and after
    }
    for kind, values in times.items():
        if values:
            out[f"{kind}_p50_ms"] = round(statistics.median(values), 1)
            out[f"{kind}_p95_ms"] = round(percentile(values, 0.95), 1)
    return out


def machine(url: str) -> dict:
    import sqlite3  # noqa: PLC0415

    import sqlalchemy  # noqa: PLC0415

    info = {
        "nproc": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "calibration_ms": CpuMeter.calibrate(),  # a fixed pure-Python workload, at the start
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "flask": metadata.version("flask"),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "url": url,
    }
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def markdown(result: dict) -> str:
    lines = [
        "| role | page | p50 ms | p95 ms | bytes | SQL | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in result.get("pages", []):
        lines.append(
            f"| {p['role']} | {p['page']} | {p['p50_ms']} | {p['p95_ms']} | "
            f"{p['bytes']:,} | {p['statements']} | {p['status']} |"
        )
    for t in result.get("throughput", []):
        lines.append(
            f"\nthroughput {t['page']} ({t['role']}) at {t['connections']} connections: "
            f"{t['pages_per_s']} pages/s, {t['errors']} errors"
        )
    for name, b in result.get("batch", {}).items():
        lines.append(f"\nbatch {name}: {b['seconds']} s (exit {b['exit']})")
    if "surge" in result:
        for s in (result["surge"], result["surge"].get("post_only")):
            if not s:
                continue
            lines.append(
                f"\nsurge ({s.get('mode', 'browser')}) {s['clients']} clients: "
                f"{s['submissions']} submissions in {s['seconds']} s = "
                f"{s['submissions_per_s']}/s, {s['errors']} errors, {s['refused']} refused, "
                f"{s['database_locked']} database is locked; POST p50/p95 "
                f"{s.get('post_p50_ms')}/{s.get('post_p95_ms')} ms, month page "
                f"{s.get('month_page_p50_ms')}/{s.get('month_page_p95_ms')} ms; CPU per "
                f"submission: client {s.get('cpu_client_ms')}, app {s.get('cpu_app_ms')}, "
                f"database {s.get('cpu_database_ms')} ms; calibration "
                f"{s.get('calibration_ms')} ms"
            )
    if "workers" in result:
        lines.append(f"\nworkers: {json.dumps(result['workers'])}")
    return "\n".join(lines)


def run(
    url: str,
    modes: list[str],
    rounds: int = 10,
    connections: int = 4,
    seconds: float = 20,
    clients: int = 32,
    workers: int | None = None,
    redis: str | None = None,
    out: str | None = None,
) -> dict:
    """The modes in the order given (e.g. "batch,pages": the sweep first, as each night);
    with `out`, the JSON so far is written after each mode."""
    result = {"machine": machine(url)}
    server = None
    try:
        for mode in modes:
            if mode != "batch" and server is None:
                server = Server(url, workers, redis)
            if mode == "batch":
                result["batch"] = batch(url)
            elif mode == "pages":
                ids = pick_ids(url)
                sessions = sign_in_all(server.base, url)
                result["pages"] = measure_pages(server.base, sessions, ids, rounds, server.workers)
            elif mode == "throughput":
                result["throughput"] = [
                    throughput(server.base, role, path, connections, seconds)
                    for role, path in THROUGHPUT
                ]
            elif mode == "surge":
                result["surge"] = surge(server.base, clients, seconds, server.process.pid)
            else:
                raise SystemExit(f"unknown mode {mode!r}")
            if out:
                Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    finally:
        if server is not None:
            server.stop()
            result["workers"] = server.deaths()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="sqlite:////tmp/province-tiny.db")
    parser.add_argument("--modes", default="pages,batch")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: one per core, as gunicorn.conf.py)"
    )
    parser.add_argument("--redis", help="e.g. redis://127.0.0.1:6379/5 for the sign-in limits")
    parser.add_argument("--out", help="write the JSON here")
    args = parser.parse_args()
    result = run(
        args.url,
        args.modes.split(","),
        args.rounds,
        args.connections,
        args.seconds,
        args.clients,
        args.workers,
        args.redis,
        args.out,
    )
    print(markdown(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
