"""Issue 12, finding 10: `flask backup create|verify|restore` and maintenance mode.

A backup taken while the app writes restores, into an empty instance, to exactly what its
manifest says: every table (row counts and SHA-256 of the rows) and every evidence file. On
PostgreSQL (TRACKER_TEST_DATABASE_URL) the restore goes to a second database, `<name>_restore`,
created here if missing.
"""

import io
import os
import sqlite3
import subprocess
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage

from tracker.audit import record
from tracker.backup import database as dbpart
from tracker.extensions import db
from tracker.reports.evidence import services as evidence
from tracker.reports.models import Attachment, ProgressReport
from tracker.reports.periods import ensure_period
from tracker.units.models import Unit

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _fingerprints(url):
    if dbpart.dialect_of(url) == "postgresql":
        return dbpart.pg_live_fingerprints(url)
    return dbpart.sqlite_live_fingerprints(url)


def _restore_url(tmp_path) -> str:
    """An empty database for the restored instance."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'restored' / 'tracker.db'}"
    url = make_url(PG_URL)
    name = f"{url.database}_restore"
    target = url.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).first():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    engine = create_engine(target)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return target


@pytest.fixture
def report(world):
    unit = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    made = ProgressReport(
        task_id=world["ids"]["own_task"],
        unit_id=unit.id,
        period_id=ensure_period(2026, 11).id,
        state="draft",
    )
    db.session.add(made)
    db.session.commit()
    return made.id


def _upload(report_id, user, n):
    att = evidence.store_upload(
        FileStorage(io.BytesIO(PDF + f"% {n}\n".encode()), filename=f"材料{n}.pdf"),
        user=user,
        report=db.session.get(ProgressReport, report_id),
    )
    db.session.commit()
    return att


@pytest.fixture
def restored(app_factory, tmp_path, monkeypatch):
    """restored() -> an app on an empty database and an empty instance folder."""

    def make():
        folder = tmp_path / "restored"
        folder.mkdir(exist_ok=True)
        monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(folder))
        return app_factory(SQLALCHEMY_DATABASE_URI=_restore_url(tmp_path))

    return make


def _cli(app, *args):
    """Run a command on `app` (its own app context: the test holds another app's open)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_backup_and_restore_into_an_empty_instance(app, world, report, restored, tmp_path):
    user = world["users"]["liaison"]
    for n in range(3):
        _upload(report, user, n)
    archive = tmp_path / "backup.tar"
    code, output = _cli(app, "backup", "create", str(archive))
    assert code == 0, output
    assert "3 evidence files" in output
    assert _cli(app, "backup", "verify", str(archive))[0] == 0

    target = restored()
    assert _cli(target, "backup", "restore", str(archive))[0] != 0  # no maintenance mode
    assert _cli(target, "backup", "maintenance", "on")[0] == 0
    code, output = _cli(target, "backup", "restore", str(archive))
    assert code == 0, output
    assert _cli(target, "backup", "maintenance", "off")[0] == 0

    source_url = app.config["SQLALCHEMY_DATABASE_URI"]
    target_url = target.config["SQLALCHEMY_DATABASE_URI"]
    assert _fingerprints(target_url) == _fingerprints(source_url)  # every table identical
    source_files = Path(app.instance_path) / "evidence"
    target_files = Path(target.instance_path) / "evidence"
    assert sorted(p.name for p in target_files.iterdir()) == sorted(
        p.name for p in source_files.iterdir()
    )
    for path in source_files.iterdir():
        assert (target_files / path.name).read_bytes() == path.read_bytes()

    # the restored instance works: its liaison signs in and downloads the evidence
    client = target.test_client()
    assert (
        client.post(
            "/login", data={"username": "liaison1", "password": "secret-pass-1"}
        ).status_code
        == 302
    )
    with target.app_context():
        first = db.session.scalar(select(Attachment.id).order_by(Attachment.id))
    response = client.get(f"/attachments/{first}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_backup_under_concurrent_writes_is_consistent(
    app_factory, app, world, report, restored, tmp_path
):
    """Uploads, deletions and audit events go on while the backup runs; the archive still
    holds exactly the files its database rows point at, and restores table for table."""
    user_id = world["users"]["liaison"].id
    writer_app = app_factory()
    stop, wrote, errors = threading.Event(), [0], []

    def write():
        from tracker.accounts.models import User

        with writer_app.app_context():
            user = db.session.get(User, user_id)
            n = 100
            while not stop.is_set():
                try:
                    att = _upload(report, user, n)
                    record("test.concurrent_write", detail={"n": n})
                    db.session.commit()
                    if n % 3 == 0:  # and some deletions, whose files go after the commit
                        evidence.delete_attachment(db.session.get(Attachment, att.id), user=user)
                        db.session.commit()
                    wrote[0] += 1
                    n += 1
                    # ≤ 100 writes a second, far above an office's rate: a writer with no
                    # pause at all can change the evidence during each of the backup's
                    # attempts on a loaded machine, and the backup then rightly gives up
                    stop.wait(0.01)
                except Exception as exc:  # noqa: BLE001 (reported below)
                    db.session.rollback()
                    errors.append(repr(exc))
            db.session.remove()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while wrote[0] < 5:
            time.sleep(0.02)
        archive = tmp_path / "busy.tar"
        code, output = _cli(app, "backup", "create", str(archive))
        during = wrote[0]
        while wrote[0] < during + 3:  # writes went on after the snapshot
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert code == 0, output
    assert not errors, errors[:3]
    assert _cli(app, "backup", "verify", str(archive))[0] == 0

    with tarfile.open(archive) as tar:
        names = {m.name for m in tar.getmembers() if m.name.startswith("evidence/")}
        manifest = __import__("json").loads(tar.extractfile("manifest.json").read())
    assert len(names) == manifest["tables"]["attachment"]["rows"] == len(manifest["evidence"])

    target = restored()
    _cli(target, "backup", "maintenance", "on")
    code, output = _cli(target, "backup", "restore", str(archive))
    assert code == 0, output
    tables, attachments = _fingerprints(target.config["SQLALCHEMY_DATABASE_URI"])
    assert tables == manifest["tables"]
    folder = Path(target.instance_path) / "evidence"
    assert {p.name for p in folder.iterdir()} == {a["stored_name"] for a in attachments}


def test_verify_finds_a_damaged_archive(app, world, report, tmp_path):
    _upload(report, world["users"]["liaison"], 1)
    archive = tmp_path / "b.tar"
    assert _cli(app, "backup", "create", str(archive))[0] == 0
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("evidence/"):
                data = data.replace(b"%PDF", b"%PDX")
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    code, output = _cli(app, "backup", "verify", str(damaged))
    assert code != 0 and "does not match the manifest" in output
    (tmp_path / "junk.tar").write_bytes(b"not a tar")
    assert _cli(app, "backup", "verify", str(tmp_path / "junk.tar"))[0] != 0


def test_restore_refuses_an_instance_with_data_and_a_busy_writer(app, world, tmp_path):
    archive = tmp_path / "b.tar"
    assert _cli(app, "backup", "create", str(archive))[0] == 0
    _cli(app, "backup", "maintenance", "on")
    db.session.remove()  # the test's own session is a "writer" too while it is open
    code, output = _cli(app, "backup", "restore", str(archive))
    assert code != 0 and "--replace" in output
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if PG_URL:
        busy = create_engine(url).connect()
        busy.exec_driver_sql("BEGIN")
        busy.exec_driver_sql("SELECT 1")  # an open transaction: "idle in transaction"
    else:
        busy = sqlite3.connect(dbpart.sqlite_path(url), isolation_level=None)
        busy.execute("BEGIN IMMEDIATE")  # a writer holds the lock
    try:
        code, output = _cli(app, "backup", "restore", str(archive), "--replace", "--wait", "1")
        assert code != 0 and "stop the app" in output
    finally:
        busy.close()
    code, output = _cli(app, "backup", "restore", str(archive), "--replace")
    assert code == 0, output


def test_maintenance_mode_answers_503_on_every_page(app, world, client_for):
    client = client_for("office")
    _cli(app, "backup", "maintenance", "on")
    for path in ("/", "/plans", "/login", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert 'data-testid="maintenance"' in response.get_data(as_text=True)
    assert client.post("/logout").status_code == 503
    assert client.get("/static/css/tracker.css").status_code == 200
    _cli(app, "backup", "maintenance", "off")
    assert client.get("/plans").status_code == 200


@pytest.mark.postgres
def test_pg_dump_is_on_the_machine():
    if not PG_URL:
        pytest.skip("PostgreSQL only")
    assert subprocess.run(["pg_dump", "--version"], capture_output=True).returncode == 0
