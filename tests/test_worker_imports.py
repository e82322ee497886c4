"""A web worker serving ordinary pages never loads lxml (issue 13: workers died with SIGSEGV;
lxml, loaded in every worker through python-docx and openpyxl, was the suspect). python-docx,
openpyxl and pypdf are imported only inside the functions that make or read Word, Excel or
PDF files. The check runs in a fresh interpreter, as a gunicorn worker starts: `import wsgi`,
sign in through the real login form, request pages, look at sys.modules."""

import json
import os
import subprocess
import sys

from sqlalchemy import select
from support.nodes import ROOT, node_env

from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.models import Plan, Task
from tracker.units.models import Unit

HEAVY = ("lxml", "docx", "openpyxl", "pypdf")

WORKER = """
import json, re, sys
import wsgi

client = wsgi.app.test_client()
def sign_in(username):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"username": username, "password": "secret-pass-1", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302, username

paths, downloads = json.loads(sys.argv[1]), json.loads(sys.argv[2])
statuses = {}
sign_in("imports-office")
for path in paths:
    statuses[path] = client.get(path).status_code
heavy = {name: name in sys.modules for name in ("lxml", "docx", "openpyxl", "pypdf")}
for path in downloads:  # the control: an Excel download does load openpyxl (and lxml)
    statuses[path] = client.get(path).status_code
after = {name: name in sys.modules for name in ("lxml", "openpyxl")}
print(json.dumps({"statuses": statuses, "heavy": heavy, "after": after}))
"""


def test_ordinary_pages_never_load_lxml(seeded, make_user, database_url, tmp_path):
    make_user(Role.OFFICE, username="imports-office")
    plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id))
    task_id = db.session.scalar(select(Task.id).order_by(Task.id))
    unit_id = db.session.scalar(select(Unit.id).order_by(Unit.id))
    db.session.commit()
    paths = [
        "/",
        "/dashboard",
        "/tasks",
        "/plans",
        f"/plans/{plan_id}",
        f"/tasks/{task_id}",
        f"/dashboard/units/{unit_id}",
        "/review",
        "/reports/overview",
        "/scores",
        "/notifications",
        "/notices",
        "/bulletins",
        "/supervision/requests",
        "/units",
        "/search?q=x",
    ]
    # the control: the intake template is made with openpyxl (the ledger no longer is:
    # tracker.scoring.xlsx writes it without openpyxl or lxml)
    downloads = [f"/plans/{plan_id}/ledger.xlsx", "/plans/import/template.xlsx"]
    env = node_env(database_url, tmp_path / "instance", TRACKER_SECRET_KEY="imports")
    env.pop("PYTHONFAULTHANDLER")
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(paths), json.dumps(downloads)],
        cwd=ROOT,
        env={**env, "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {p: s for p, s in result["statuses"].items() if s != 200} == {}
    assert result["heavy"] == dict.fromkeys(HEAVY, False)
    assert result["after"] == {"lxml": True, "openpyxl": True}  # the check itself works
