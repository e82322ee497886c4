"""Soak test (issue 13): run gunicorn against a filled database for a while with a mix of
signed-in pages, then scan its error log for dead workers.

    .venv/bin/python bench/soak.py --minutes 30                       # SQLite, the demo
    .venv/bin/python bench/soak.py --minutes 30 --preload-lxml        # as before issue 13
    .venv/bin/python bench/soak.py --minutes 30 --reset-database \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_h5
    .venv/bin/python bench/soak.py --seconds 20 --workers 2 --clients 2 --database-url URL \\
        --no-seed                                                    # an already filled database

The data: `--data demo` (default: `flask seed --demo`) or `--data tiny|small|full` (the
province generator, bench/province.py, with its --reset). `--reset-database` empties a
PostgreSQL database first (DROP SCHEMA public) — never point it at one you want to keep.
The server runs with ./gunicorn.conf.py (faulthandler in every worker), `--workers` sync
workers; `--clients` threads sign in (office, leader, liaisons in turn) and request pages
until the time is up. `--downloads` adds the Excel and Word downloads (they load lxml in
the worker that serves them); `--preload-lxml` makes every worker import lxml, python-docx
and openpyxl at start, as every worker did before issue 13.

The report (stdout, JSON with --json): requests, status counts, 5xx, connection errors,
worker deaths (the log's "was sent SIGSEGV", "Fatal Python error", "Worker (pid:…) was sent
…" other than the SIGTERM of the final shutdown, "exited with code", "Garbage-collecting").
Exit status 1 when a worker died, a page answered 5xx or a connection failed.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "demo12345"  # tracker.demo.accounts.DEMO_PASSWORD
PROVINCE_PASSWORD = "province-pass-1"  # bench/province.py's PASSWORD
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
DEATHS = [
    re.compile(r"was sent SIG(?!TERM)\w+"),
    re.compile(r"Fatal Python error"),
    re.compile(r"exited with code \d+"),
    re.compile(r"Garbage-collecting"),
]
TIMEOUT = re.compile(r"WORKER TIMEOUT")  # a page slower than gunicorn's timeout: then SIGKILL
OFFICE_PAGES = [
    "/",
    "/dashboard",
    "/review",
    "/reports/overview",
    "/scores",
    "/tasks",
    "/plans",
    "/notifications",
    "/supervision/requests",
    "/notices",
    "/bulletins",
    "/units",
    "/search?q=%E4%BB%BB%E5%8A%A1",
]
LEADER_PAGES = ["/", "/dashboard", "/scores", "/tasks", "/plans"]
LIAISON_PAGES = ["/", "/reports", "/tasks", "/notifications", "/supervision/my"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    done = subprocess.run(
        [PYTHON, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fill(env: dict, data: str, url: str) -> None:
    """Migrate and fill the database: the demo, or the province generator (which builds the
    schema itself on an emptied database: its --reset)."""
    if data == "demo":
        flask(env, "db", "upgrade")
        flask(env, "seed", "--demo")
        return
    generator = ROOT / "bench" / "province.py"
    command = [PYTHON, str(generator), "--scale", data, "--url", url, "--reset"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def targets(url: str) -> dict:
    """Usernames and ids to visit, read from the database."""
    engine = create_engine(url)
    with engine.connect() as conn:

        def ids(sql: str) -> list:
            return list(conn.execute(text(sql)).scalars())

        found = {
            "office": ids("SELECT username FROM user_account WHERE role = 'office' LIMIT 3"),
            "leader": ids("SELECT username FROM user_account WHERE role = 'leader' LIMIT 2"),
            "liaison": ids("SELECT username FROM user_account WHERE role = 'liaison' LIMIT 6"),
            "plans": ids("SELECT id FROM plan ORDER BY id LIMIT 5"),
            "tasks": ids("SELECT id FROM task ORDER BY id DESC LIMIT 40"),
            # the province generator gives its first tasks the long audit history (hundreds to
            # thousands of saves): the task page that crashed most in issue 13
            "long_tasks": ids("SELECT id FROM task ORDER BY id LIMIT 3"),
            "units": ids("SELECT id FROM unit ORDER BY id LIMIT 20"),
            "notices": ids("SELECT id FROM supervision_notice ORDER BY id DESC LIMIT 5"),
            "bulletins": ids("SELECT id FROM bulletin ORDER BY id DESC LIMIT 3"),
        }
        # a liaison's task pages: the tasks its unit leads (others' answer 404 by design)
        found["own_tasks"] = {
            name: ids(
                "SELECT t.id FROM task t JOIN user_account u ON u.unit_id = t.lead_unit_id "
                f"WHERE u.username = '{name}' ORDER BY t.id DESC LIMIT 10"
            )
            for name in found["liaison"]
        }
    engine.dispose()
    return found


def pages_for(role: str, username: str, found: dict, downloads: bool) -> list[str]:
    if role == "liaison":
        pages = LIAISON_PAGES + [f"/tasks/{t}" for t in found["own_tasks"][username]]
    elif role == "leader":
        pages = LEADER_PAGES + [f"/dashboard/units/{u}" for u in found["units"][:5]]
    else:
        pages = OFFICE_PAGES + [f"/tasks/{t}" for t in found["tasks"]]
        # the long-history task pages and the plan pages weigh as much as the rest together
        pages += [f"/tasks/{t}" for t in found["long_tasks"]] * 10
        pages += [f"/plans/{p}" for p in found["plans"]] * 3
        pages += [f"/plans/{p}/wall-chart" for p in found["plans"][:2]]
        pages += [f"/dashboard/plans/{p}" for p in found["plans"]]
        pages += [f"/dashboard/units/{u}" for u in found["units"][:8]]
        pages += [f"/scores/units/{u}" for u in found["units"][:8]]
        pages += [f"/notices/{n}" for n in found["notices"]]
        if downloads:
            pages += [f"/plans/{p}/ledger.xlsx" for p in found["plans"][:2]]
            pages += ["/tasks/export.xlsx", "/scores/export.xlsx"]
            pages += [f"/notices/{n}.docx" for n in found["notices"][:2]]
            pages += [f"/bulletins/{b}.docx" for b in found["bulletins"][:1]]
    return pages


class Client:
    """A browser-like client: cookies, the login form's CSRF token, no keep-alive."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        status, body = self.get("/login")
        match = TOKEN.search(body.decode())
        if status != 200 or not match:
            raise RuntimeError(f"/login answered {status}")
        form = {"username": username, "password": password, "csrf_token": match.group(1)}
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=60) as response:
            if "/login" in response.url:  # a failed sign-in renders the form again
                raise RuntimeError(f"sign-in as {username} failed")


def drive(base: str, username: str, password: str, pages: list[str], until: float, tally: dict):
    """One client: sign in, then request random pages until `until`."""
    rng = random.Random(username)
    client = Client(base)
    try:
        client.sign_in(username, password)
    except Exception as error:  # noqa: BLE001  (reported, the run fails)
        with tally["lock"]:
            tally["errors"].append(f"sign-in {username}: {error!r}")
        return
    while time.monotonic() < until:
        path = rng.choice(pages)
        started = time.monotonic()
        try:
            status, _body = client.get(path)
        except Exception as error:  # noqa: BLE001  (a dying worker drops the connection)
            with tally["lock"]:
                tally["errors"].append(f"{path}: {error!r}")
            continue
        with tally["lock"]:
            tally["status"][status] += 1
            tally["seconds"].append(time.monotonic() - started)
            if status != 200:
                tally["refused"][f"{status} {path}"] += 1
            if status >= 500:
                tally["server_errors"].append(f"{status} {path}")


def wait_ready(base: str, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            with urllib.request.urlopen(base + "/login", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def scan(log_text: str) -> list[str]:
    """The log lines that tell of a worker that died (or a heap corrupted)."""
    return [line for line in log_text.splitlines() if any(p.search(line) for p in DEATHS)]


def soak(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    url = args.database_url or f"sqlite:///{folder / 'tracker.db'}"
    env = {
        **os.environ,
        "TRACKER_INSTANCE_PATH": str(args.instance or folder),
        "TRACKER_DATABASE_URL": url,
        "PYTHONFAULTHANDLER": "1",
    }
    # far more sign-ins from one address than a person makes; the throttle is not under test
    env.setdefault("TRACKER_SIGNIN_REQUEST_LIMIT", "10000 per minute")
    if args.preload_lxml:
        env["TRACKER_SOAK_PRELOAD_LXML"] = "1"
    if args.reset_database and url.startswith("postgresql"):
        reset_postgres(url)
    if not args.no_seed:
        fill(env, args.data, url)
    found = targets(url)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(args.log) if args.log else folder / "gunicorn.log"
    command = [
        *(PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
        *("-w", str(args.workers), "-b", f"127.0.0.1:{port}"),
        *("--error-logfile", str(log_path), "--log-level", "info"),
        "wsgi:app",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    tally = {
        "lock": threading.Lock(),
        "status": Counter(),
        "seconds": [],
        "errors": [],
        "server_errors": [],
        "refused": Counter(),
    }
    try:
        wait_ready(base, server)
        seconds = args.seconds if args.seconds else args.minutes * 60
        until = time.monotonic() + seconds
        password = args.password or (DEMO_PASSWORD if args.data == "demo" else PROVINCE_PASSWORD)
        roles = [("office", n) for n in found["office"]] + [("leader", n) for n in found["leader"]]
        roles += [("liaison", n) for n in found["liaison"]]
        threads = []
        for index in range(args.clients):
            role, username = roles[index % len(roles)]
            pages = pages_for(role, username, found, args.downloads)
            if args.only:  # e.g. --only /plans/ : the pages that crashed most in issue 13
                pages = [p for p in pages if p.startswith(tuple(args.only.split(",")))] or pages
            thread = threading.Thread(
                target=drive,
                args=(base, username, password, pages, until, tally),
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(seconds + 180)
        alive = server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    deaths = scan(log_path.read_text(errors="replace"))
    times = sorted(tally["seconds"]) or [0.0]
    report = {
        "database": url.split("://")[0],
        "data": "existing" if args.no_seed else args.data,
        "workers": args.workers,
        "clients": args.clients,
        "preload_lxml": args.preload_lxml,
        "downloads": args.downloads,
        "requests": sum(tally["status"].values()),
        "status": {str(k): v for k, v in sorted(tally["status"].items())},
        "p50_ms": round(times[len(times) // 2] * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1),
        "not_200": dict(tally["refused"].most_common(12)),
        "server_errors": tally["server_errors"][:20],
        "connection_errors": tally["errors"][:20],
        "worker_deaths": deaths[:50],
        "crashes": sum("Fatal Python error" in line for line in deaths),
        "timeouts": len(TIMEOUT.findall(log_path.read_text(errors="replace"))),
        "master_alive_at_end": alive,
        "log": str(log_path),
        "python": sys.version.split()[0],
    }
    if not args.keep:  # the database and the instance files; a --log kept elsewhere stays
        shutil.rmtree(folder, ignore_errors=True)
        if not args.log:
            report["log"] = None
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seconds", type=float, help="instead of --minutes (CI)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--data", default="demo", help="demo, or tiny|small|full (province)")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--reset-database", action="store_true", help="drop the PG schema first")
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--password", help="of every account used (default: the data's)")
    parser.add_argument("--instance", help="the instance folder (default: a temporary one)")
    parser.add_argument("--port", type=int)
    parser.add_argument("--log", help="keep gunicorn's error log here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--downloads", action="store_true", help="add Excel/Word downloads")
    parser.add_argument("--preload-lxml", action="store_true", help="lxml in every worker")
    parser.add_argument("--only", help="comma-separated path prefixes to request")
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    args = parser.parse_args(argv)
    report = soak(args)
    failed = bool(report["worker_deaths"] or report["server_errors"] or report["connection_errors"])
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key:>20}: {value}")
        print("FAILED" if failed else "OK: 0 worker deaths, no 5xx")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
