"""A short soak in CI (issue 13): bench/soak.py runs gunicorn (2 sync workers, faulthandler
on through gunicorn.conf.py) on this test's database with the two seeded plans and three
accounts; two clients request signed-in pages for about 20 seconds, then the error log is
scanned. No worker may die (SIGSEGV, "Fatal Python error", a non-zero exit) and no page may
answer 5xx. The long runs and what they found: docs/deployment.md ("Worker crashes")."""

import json
import subprocess
import sys

from sqlalchemy import select
from support.nodes import ROOT, node_env

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.units.models import Unit


def test_short_soak_has_no_worker_deaths_and_no_5xx(seeded, make_user, database_url, tmp_path):
    unit_code = db.session.scalar(select(Unit.code).where(Unit.successor_id.is_(None)))
    make_user(Role.OFFICE, username="soak-office")
    make_user(Role.LEADER, username="soak-leader")
    make_user(Role.LIAISON, unit_code=unit_code, username="soak-liaison")
    db.session.commit()
    command = [
        *(sys.executable, str(ROOT / "bench" / "soak.py"), "--json"),
        *("--seconds", "20", "--workers", "2", "--clients", "2"),
        *("--database-url", database_url, "--instance", str(tmp_path / "instance")),
        *("--log", str(tmp_path / "gunicorn.log"), "--no-seed", "--password", "secret-pass-1"),
    ]
    env = node_env(database_url, tmp_path / "instance")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # how many depends on the machine's load (CI runs two suites at once): at least a few
    assert report["requests"] >= 4, report
    assert set(report["status"]) == {"200"}, report
    assert report["worker_deaths"] == [], report
    assert report["server_errors"] == [], report
    assert report["connection_errors"] == [], report
    assert report["master_alive_at_end"], report
    assert done.returncode == 0, report
