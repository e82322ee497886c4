"""Beyond one machine (issue 13, docs/deployment.md "Several app nodes"): two app nodes —
two gunicorn processes on two ports, each with its own instance folder — on ONE database,
behind one address (a round-robin proxy), with one SECRET_KEY, the sign-in counters in
Redis and the evidence on a folder both nodes share. Runs on PostgreSQL when
TRACKER_TEST_DATABASE_URL is set, else on the SQLite file of the test (one machine).

- a session signed in through the proxy is honoured by both nodes (signed cookies);
- evidence uploaded through one node downloads through the other;
- sign-in failures counted on one node count on the other (Redis);
- a second scheduler exits while the first holds the lock (PostgreSQL: an advisory lock,
  whichever node it runs on; SQLite: a file lock in the one machine's instance folder)."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from support.nodes import ROOT, AppNode, Browser, RoundRobinProxy, node_env

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import Attachment, ProgressReport
from tracker.reports.periods import ensure_period
from tracker.timeutil import today
from tracker.units.models import Unit

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "secret-pass-1"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SHARED = ("evidence", "imports", "plan_files")  # the instance's folders all nodes must share


def node_instance(tmp_path: Path, name: str) -> Path:
    """A node's own instance folder whose evidence, imports and plan files are the shared
    storage's (on real hosts: one NFS/CIFS mount; here: symlinks to one folder)."""
    folder = tmp_path / name
    folder.mkdir()
    for sub in SHARED:
        (tmp_path / "shared" / sub).mkdir(parents=True, exist_ok=True)
        (folder / sub).symlink_to(tmp_path / "shared" / sub, target_is_directory=True)
    return folder


@pytest.fixture
def world(seeded, make_user):
    """An office user, and a liaison with a draft report of this month on its unit's task."""
    task = db.session.scalar(select(Task).order_by(Task.id))
    unit_code = db.session.scalar(select(Unit.code).where(Unit.id == task.lead_unit_id))
    make_user(Role.OFFICE, username="nodes-office")
    make_user(Role.LIAISON, unit_code=unit_code, username="nodes-liaison")
    day = today()
    period = ensure_period(day.year, day.month)
    report = ProgressReport(
        task_id=task.id, unit_id=task.lead_unit_id, period_id=period.id, state="draft"
    )
    db.session.add(report)
    db.session.commit()
    return {"task": task.id, "report": report.id}


@pytest.fixture
def cluster(world, database_url, redis_prefix, tmp_path):
    common = {
        "TRACKER_SECRET_KEY": "one-key-for-every-node",
        "TRACKER_REDIS_URL": REDIS_URL,
        "TRACKER_REDIS_PREFIX": redis_prefix,
    }
    nodes = [
        AppNode(node_env(database_url, node_instance(tmp_path, name), **common), tmp_path / log)
        for name, log in (("a", "a.log"), ("b", "b.log"))
    ]
    try:
        for node in nodes:
            node.wait_ready()
        proxy = RoundRobinProxy([node.port for node in nodes])
        shared = tmp_path / "shared"
        yield {
            "nodes": nodes,
            "proxy": proxy,
            "shared": shared,
            "redis_prefix": redis_prefix,
            **world,
        }
        proxy.close()
    finally:
        for node in nodes:
            node.stop()


def errors(cluster) -> str:
    """The end of both nodes' error logs, for a failure's message."""
    return "\n".join(node.log.read_text()[-2500:] for node in cluster["nodes"])


def test_two_nodes_share_sessions_evidence_and_sign_in_counters(cluster):
    node_a, node_b = cluster["nodes"]
    proxy = cluster["proxy"]

    # one address: sign in there (the GET of the form and the POST land on different nodes)
    office = Browser()
    status, final, _body = office.sign_in(proxy.url, "nodes-office", PASSWORD)
    assert status == 200 and not final.endswith("/login"), final
    for path in ("/", "/tasks", "/plans", "/dashboard", "/review", "/notifications"):
        status, final, _body = office.request(proxy.url + path)
        assert status == 200 and "/login" not in final, (path, status, errors(cluster))
    assert min(proxy.served) >= 3, proxy.served  # both nodes served signed-in pages

    # evidence: uploaded through node A, downloaded through node B
    liaison = Browser()
    status, final, _body = liaison.sign_in(node_a.url, "nodes-liaison", PASSWORD)
    assert status == 200 and "/login" not in final
    token = liaison.token(f"{node_b.url}/tasks/{cluster['task']}")  # B's page, A's session
    upload = f"{node_a.url}/reports/{cluster['report']}/attachments"
    status, _final, _body = liaison.upload(upload, token, "现场照片.pdf", PDF, "application/pdf")
    assert status == 200
    db.session.expire_all()
    attachment = db.session.scalar(
        select(Attachment).where(Attachment.report_id == cluster["report"])
    )
    assert attachment is not None, "the upload through node A stored nothing"
    assert [p.read_bytes() for p in (cluster["shared"] / "evidence").rglob("*") if p.is_file()] == [
        PDF
    ]
    status, _final, body = liaison.request(f"{node_b.url}/attachments/{attachment.id}")
    assert (status, body) == (200, PDF)

    # sign-in failures: 3 on node A and 2 on node B lock the account on both nodes (Redis)
    for node, times in ((node_a, 3), (node_b, 1)):
        for _ in range(times):
            status, final, _body = Browser().sign_in(node.url, "nodes-office", "wrong-pass-1")
            assert status == 200 and final.endswith("/login")
    status, _final, _body = Browser().sign_in(node_b.url, "nodes-office", "wrong-pass-1")
    assert status == 429  # the 5th failure, counted across the two nodes, locks the account
    status, _final, _body = Browser().sign_in(node_a.url, "nodes-office", PASSWORD)
    assert status == 429  # … on node A as well
    stored = redis.Redis.from_url(REDIS_URL)
    assert any(stored.scan_iter(match=f"*{cluster['redis_prefix']}*"))
    stored.close()


def scheduler(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lock(process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "lock held" in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"the scheduler exited: {process.stderr.read()[-2000:]}")
    raise AssertionError("the scheduler did not take the lock")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_second_scheduler_runs_no_jobs_while_the_first_holds_the_lock(
    seeded, database_url, tmp_path
):
    db.session.commit()
    postgres = database_url.startswith("postgresql")
    first_instance = node_instance(tmp_path, "a")
    # PostgreSQL: the advisory lock spans hosts, so the second runs "on another node" (its
    # own instance folder); SQLite is one machine, so both share the instance folder.
    second_instance = node_instance(tmp_path, "b") if postgres else first_instance
    first = scheduler(node_env(database_url, first_instance))
    try:
        wait_for_lock(first)
        second = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
            cwd=ROOT,
            env=node_env(database_url, second_instance),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 3, second.stderr[-2000:]
        assert "another scheduler is already running" in second.stderr
        assert "start-up sweep" not in second.stdout  # it ran no job
    finally:
        stop(first)
    third = scheduler(node_env(database_url, second_instance))  # the lock is free again
    try:
        wait_for_lock(third)
    finally:
        stop(third)
