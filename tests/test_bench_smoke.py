"""The province bench at its tiny scale (issue 13), as a smoke test: not timed.

bench/province.py builds a database with the real migrations and fills it; every page of
bench/load.py's walk (each role, the API with a token, downloads included) must answer 200
with the right kind (HTML, JSON, a file), the liaison's
save / submit loop must work, and the batch jobs must run. On SQLite the database is a
temporary file. With TRACKER_TEST_DATABASE_URL set, the bench gets a database of its own
(that URL's database name + "_bench_smoke", created and dropped here) so the suite's
database is never touched; when that cannot be created the PostgreSQL run is skipped.
"""

import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tracker import create_app
from tracker.extensions import db

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import load  # noqa: E402
import province  # noqa: E402


@pytest.fixture
def bench_url(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'province.db'}"
        return
    server = make_url(PG_URL)
    name = f"{server.database}_bench_smoke"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no right to create databases: skip, never use the suite's
        admin.dispose()
        pytest.skip(f"cannot create a bench database on PostgreSQL: {exc}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_page_is_walked_or_excluded_with_a_reason():
    """Each GET route without path parameters is in load.PAGES (any query string, any role)
    or in load.EXCLUDED with its reason: a new page cannot be left out of the bench."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "routes"})
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    }
    walked = {template.split("?")[0] for _role, template, _kind in load.PAGES}
    assert sorted(routes - walked - set(load.EXCLUDED)) == []
    assert all(reason.strip() for reason in load.EXCLUDED.values())
    assert sorted(set(load.EXCLUDED) - routes) == [], "an exclusion of a route that is gone"
    assert sorted(set(load.EXCLUDED) & walked) == [], "walked and excluded at once"
    assert {role for role, _template, _kind in load.PAGES} == {*load.USERS, "api"}


@pytest.mark.postgres  # its own database, not the database_url fixture's
def test_tiny_province_every_page_answers(bench_url):
    built = province.build(bench_url, "tiny", quiet=True)
    counts = built["counts"]
    assert counts["task"] == 48 and counts["reporting_period"] == 6
    assert counts["progress_report"] > 200 and counts["alert"] > 0
    assert counts["notification"] > 0 and counts["scorecard"] > 0

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": bench_url,
            "SECRET_KEY": "smoke",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    ids = load.pick_ids(bench_url)
    assert None not in ids.values(), ids
    clients = {}
    for role, username in load.USERS.items():
        clients[role] = app.test_client()
        response = clients[role].post(
            "/login", data={"username": username, "password": province.PASSWORD}
        )
        assert response.status_code == 302, role
    clients["api"] = app.test_client()
    headers = {"api": {"Authorization": f"Bearer {load.api_token(bench_url)}"}}
    failures = []
    for role, template, kind in load.PAGES:
        path = template.format(**ids)
        response = clients[role].get(path, headers=headers.get(role))
        if response.status_code != 200:
            failures.append((role, path, response.status_code))
        elif kind == "download":
            assert len(response.data) > 1000, path
        elif kind == "json":
            assert response.is_json, path
        else:
            assert response.mimetype == "text/html", path
    assert failures == []

    # the surge's loop once: save, then submit, each followed by the month page
    def submitted() -> int:
        with app.app_context():
            n = db.session.execute(
                text(
                    "SELECT count(*) FROM progress_report WHERE unit_id = :u "
                    "AND state = 'submitted'"
                ),
                {"u": ids["unit"]},
            ).scalar()
            db.session.remove()
        return n

    before = submitted()
    client = clients["liaison"]
    forms = [
        f
        for f in load.Forms(client.get("/reports").get_data(as_text=True)).forms
        if "/reports/save" in f["action"] and "progress" in f["fields"]
    ]
    assert forms, "the liaison has reports to file this month"
    # the surge's lean reader (regular expressions) reads what a full HTML parser reads
    month_page = client.get("/reports").get_data(as_text=True)
    assert load.editable(month_page) == [
        {"action": f["action"], "fields": _as_sent(f["fields"])}
        for f in load.Forms(month_page).forms
        if "/reports/save" in f["action"] and "progress" in f["fields"]
    ]
    task_id = forms[0]["fields"]["task_id"]
    data = {**forms[0]["fields"], "progress": "本月按计划推进。", "percent": "40"}
    page = client.post("/reports/save", data={**data, "action": "save"}, follow_redirects=True)
    assert page.status_code == 200
    again = [
        f
        for f in load.Forms(page.get_data(as_text=True)).forms
        if f["fields"].get("task_id") == task_id and "progress" in f["fields"]
    ]
    data = {**again[0]["fields"], "progress": "本月按计划推进。", "percent": "40"}
    response = client.post("/reports/save", data={**data, "action": "submit"})
    assert response.status_code == 302
    assert submitted() == before + 1
    with app.app_context():
        db.engine.dispose()

    # the surge itself, through gunicorn with the lean client: two liaisons, two seconds
    server = load.Server(bench_url, workers=1)
    try:
        surge = load.surge_phase(
            server.base, range(1, 3), 2, follow=True, meter=load.CpuMeter(server.process.pid)
        )
    finally:
        server.stop()
    assert surge["submissions"] >= 1 and surge["loops"] >= surge["submissions"], surge
    assert (surge["errors"], surge["refused"], surge["database_locked"]) == (0, 0, 0), surge
    assert surge["cpu_app_ms"] > 0 and surge["cpu_client_ms"] > 0, surge
    assert server.deaths()["extra_boots"] == 0

    jobs = load.batch(bench_url)
    assert {name: job["exit"] for name, job in jobs.items()} == dict.fromkeys(jobs, 0), jobs


def _as_sent(fields: dict) -> dict:
    """A form's fields as a browser sends them: the line break that opens a <textarea> is
    not part of its value."""
    return {
        name: value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
        for name, value in fields.items()
    }
