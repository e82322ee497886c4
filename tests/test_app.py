"""The app factory, its settings and the database it talks to."""

import stat

import pytest
from sqlalchemy import select, text

from tracker import create_app
from tracker.audit import AuditEvent, AuditLogIsAppendOnly, record
from tracker.extensions import db


def test_settings_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'tracker.db'}"
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]  # kept, not regenerated
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-env")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///" + str(tmp_path / "other.db"))
    app2 = create_app()
    assert app2.config["SECRET_KEY"] == "from-env"
    assert app2.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app2.config["SESSION_COOKIE_SECURE"] is False


def test_production_sends_cookies_only_over_https(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_ENV", "production")
    assert create_app().config["SESSION_COOKIE_SECURE"] is True


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_audit_log_is_append_only(app):
    event = record("test.happened", subject_type="thing", subject_id=1)
    db.session.commit()
    event.action = "test.rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    # and in the database itself, for anyone bypassing the ORM
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    assert db.session.scalar(select(AuditEvent.action)) == "test.happened"


def test_not_found_page_is_friendly_and_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_server_error_shows_no_stack_trace(app_factory):
    app = app_factory(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body
    assert "未保存" in body or "没有保存" in body


def test_sqlite_writes_take_the_write_lock_at_begin(world, client_for, count_statements):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    client = client_for("admin")
    with count_statements() as counter:
        client.get("/plans")
    assert "BEGIN IMMEDIATE" not in counter.statements  # readers do not queue for the lock
    with count_statements() as counter:
        client.post("/lang", data={"lang": "en", "next": "/"})
        client.post("/logout")
    assert "BEGIN IMMEDIATE" in counter.statements


def test_an_id_too_large_for_the_database_is_not_found(client, seeded, world, login):
    assert login(client, world["users"]["office"]).status_code == 302
    for path in ("/plans/99999999999999999999", "/tasks/2147483648", "/reports/99999999999"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/tasks/{world['ids']['own_task']}").status_code == 200
