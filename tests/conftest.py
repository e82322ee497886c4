"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
TRACKER_TEST_DATABASE_URL is set), the app, a client, users and a statement counter."""

import contextlib
import contextvars
import gc
import os
import shutil
import uuid
from pathlib import Path

import freezegun
import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, select, text
from support import snapshot
from support.smtp import running_smtp_server

from tracker import create_app, kept
from tracker.extensions import db

# A frozen clock never freezes pytest's own timer (freezegun's default ignore entry
# "_pytest.runner." misses the module itself), so --durations stays true.
freezegun.configure(extend_ignore_list=["_pytest"])

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
PASSWORD = "secret-pass-1"


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run keeps the tests that use the test database (the `database_url`
    fixture, directly or through `app`, `client`, `seeded`, ...) and those marked `postgres`
    (they reach PostgreSQL by other means). The rest never open a database — pure rules,
    templates, files, routes — and give the same answer on both runs: they run on SQLite."""
    if not PG_URL:
        return
    keep, other = [], []
    for item in items:
        uses_database = "database_template" in getattr(item, "fixturenames", ())
        (keep if uses_database or item.get_closest_marker("postgres") else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = keep


# Each test leaves an app behind (~1 MB of objects in reference cycles: blueprints, URL map,
# Jinja environment) that only a full garbage collection frees. With the default thresholds
# the collector runs a full pass every few tests, and each pass walks every object of the
# process — the imported modules of Flask, SQLAlchemy, the app and the tests themselves —
# which took ~20 % of the suite's CPU. So: once everything is imported, those objects are
# moved out of the collector's sight (gc.freeze: they live as long as the process anyway),
# and the young generations are collected less often. Full passes still run every few dozen
# tests, so memory stays bounded. Figures in docs/testing.md.
GC_THRESHOLDS = (50_000, 20, 20)


def pytest_collection_finish(session):
    """After collection (every test module imported) and one throw-away app (every view
    module imported): freeze what exists into the permanent generation, then raise the
    collector's thresholds (GC_THRESHOLDS)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        previous = os.environ.get("TRACKER_INSTANCE_PATH")
        os.environ["TRACKER_INSTANCE_PATH"] = folder
        try:
            create_app(
                {"TESTING": True, "SECRET_KEY": "gc", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
            )
        finally:
            if previous is None:
                os.environ.pop("TRACKER_INSTANCE_PATH")
            else:
                os.environ["TRACKER_INSTANCE_PATH"] = previous
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class IsolatedClient(FlaskClient):
    """Each request runs in its own context, as in production: its own app context,
    `g` and database session, even while the test itself holds an app context open."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _migrate(url: str, instance: Path) -> None:
    """Build the schema from empty with the real migrations (flask db upgrade)."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "schema", "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Once per run: an empty, migrated database (a template file on SQLite)."""
    instance = tmp_path_factory.mktemp("instance")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            # The test database's commits need not wait for the disk (a crash loses nothing a
            # test needs; what each transaction sees is unchanged). It is a setting of this
            # database, so the suite's own connections, its subprocesses and pg_dump all get it.
            with contextlib.suppress(Exception), conn.begin_nested():
                conn.execute(text(f'ALTER DATABASE "{engine.url.database}" {_NO_SYNC}'))
        engine.dispose()
        _migrate(PG_URL, instance)
        return PG_URL
    template = instance / "template.db"
    _migrate(f"sqlite:///{template}", instance)
    return template


_NO_SYNC = "SET synchronous_commit = off"
_cleaners: dict[str, object] = {}
_VACUUM_EVERY = 100  # emptyings; the deleted rows stay as dead ones until a VACUUM
_emptied: dict[str, set] = {}
_emptyings: dict[str, int] = {}


def _empty_postgres(url: str) -> None:
    """Every table empty and every sequence back at its start, as after the migrations.

    Only the tables that hold rows are emptied (one query finds them; a test fills a few of
    ~40), with DELETE: a TRUNCATE of every table makes new files for each table and index and
    cost ~10x the server CPU and ~20x the time. The session runs as a replica so that neither
    the audit log's append-only triggers nor the foreign keys fire: every row of those tables
    goes. When that is not allowed (not a superuser), TRUNCATE every table as before."""
    engine = _cleaners.get(url)
    if engine is None:
        engine = _cleaners[url] = create_engine(url, pool_size=1, pool_pre_ping=True)
    names = [t.name for t in db.metadata.sorted_tables]
    find = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    try:
        with engine.begin() as conn:
            used = conn.execute(text(find)).scalars().all()
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for name in reversed(used):
                conn.execute(text(f'DELETE FROM "{name}"'))
            _emptied.setdefault(url, set()).update(used)
            # every sequence used, also those of tables left empty (a rollback keeps nextval)
            conn.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false)"
                    " FROM pg_sequences"
                    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )
    except Exception:
        everything = ", ".join(f'"{n}"' for n in names)
        with engine.begin() as conn:
            # TRUNCATE does not fire the audit log's append-only row triggers.
            conn.execute(text(f"TRUNCATE {everything} RESTART IDENTITY CASCADE"))
        return
    _emptyings[url] = _emptyings.get(url, 0) + 1
    if _emptyings[url] % _VACUUM_EVERY == 0 and _emptied.get(url):
        # without it (or with autovacuum off) the tables and indexes keep growing
        tables = ", ".join(f'"{n}"' for n in sorted(_emptied.pop(url)))
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text(f"VACUUM {tables}"))


@pytest.fixture(scope="session", autouse=True)
def _dispose_cleaners():
    yield
    for engine in _cleaners.values():
        engine.dispose()
    _cleaners.clear()


@pytest.fixture
def database_url(database_template, tmp_path):
    if PG_URL:
        _empty_postgres(PG_URL)
        return PG_URL
    path = tmp_path / "tracker.db"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_factory(database_url, tmp_path, monkeypatch):
    """Build apps on this test's database; each is disposed after the test."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    made = []

    def make(**overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            # fast hashing in tests only; production keeps werkzeug's scrypt default
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
        config.update(overrides)
        application = create_app(config)
        application.test_client_class = IsolatedClient
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    application = app_factory()
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def seeded_rows(database_template, tmp_path_factory):
    """Once per run: every row `seed()` writes, so that each test restores them with a few
    bulk inserts instead of seeding again (the rows are the real seed's, not a copy of it)."""
    from tracker.plans.seeding import seed

    if PG_URL:
        _empty_postgres(PG_URL)
        url = PG_URL
    else:
        path = tmp_path_factory.mktemp("seeded") / "seeded.db"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
    application = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "seed"}
    )
    with application.app_context():
        seed()
        db.session.commit()
        rows = snapshot.take()
        db.session.remove()
        db.engine.dispose()
    return rows


@pytest.fixture
def seeded(app, seeded_rows):
    """The two real plans and their units, as `seed()` loads them from seeds/."""
    snapshot.restore(seeded_rows)
    return app


_demo_rows: dict = {}


@pytest.fixture
def demo_seed(app, runner):
    """demo_seed() fills this test's still empty database with what `flask seed --demo` writes
    on today's date (the frozen one inside `on(day)`). The real command runs the first time a
    day is asked for in a run; later tests get its rows back with a few bulk inserts (~10x
    cheaper: docs/testing.md). Returns the command's output, or None when restored."""
    from tracker.timeutil import today

    def run():
        day = today()
        rows = _demo_rows.get(day)
        if rows is not None:
            snapshot.restore(rows)
            return None
        result = runner.invoke(args=["seed", "--demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        _demo_rows[day] = snapshot.take()
        return result.output

    return run


@pytest.fixture
def make_user(app):
    """Factory: make_user(role, unit_code=None, username=None, active=True) -> User."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.units.models import Unit

    def make(role, unit_code=None, username=None, active=True):
        unit = None
        if unit_code:
            unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
            assert unit is not None, unit_code
        user = User(
            username=username or f"{role}-{unit_code or 'x'}",
            display_name=f"{role} {unit_code or ''}".strip(),
            role=str(role),
            unit_id=unit.id if unit else None,
            active=active,
            password_hash="",
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login():
    """login(client, user_or_name, password=PASSWORD) -> response of the sign-in POST."""

    def do(client, user, password=PASSWORD):
        username = getattr(user, "username", user)
        return client.post("/login", data={"username": username, "password": password})

    return do


@pytest.fixture
def count_statements(app):
    """with count_statements() as counter: ...; counter.count is the SQL statements run.
    Counted cold: what the process kept between requests (tracker.kept) is dropped first,
    so a page's count does not depend on what ran before it; `cold=False` counts as the
    process stands (a test of what is kept)."""

    class Counter:
        count = 0
        statements: list[str]

    @contextlib.contextmanager
    def counting(cold=True):
        counter = Counter()
        counter.statements = []
        if cold:
            kept.forget()

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.count += 1
            counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def world(seeded, make_user):
    """Users of every role; `liaison` belongs to 市发改委 (fgw), `other_liaison` to 市科技局.

    Task 1 of 长发〔2017〕29号 is led by 市发改委 (own_task), task 17 has it as co-unit
    (co_task, lead 市科技局), task 2 is 市科技局's alone (other_task).
    """
    from tracker.accounts.models import Role
    from tracker.plans.models import Plan, Task
    from tracker.units.models import Unit

    users = {
        "admin": make_user(Role.ADMIN, username="admin1"),
        "office": make_user(Role.OFFICE, "kjj", username="office1"),
        "leader": make_user(Role.LEADER, username="leader1"),
        "liaison": make_user(Role.LIAISON, "fgw", username="liaison1"),
        "other_liaison": make_user(Role.LIAISON, "kjj", username="liaison2"),
    }
    plan = db.session.scalar(select(Plan).where(Plan.key == "changfa-2017-29"))
    zone = db.session.scalar(select(Plan).where(Plan.key == "czgxq-shuangchuang-2021"))
    own_task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 1))
    co_task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 17))
    other_task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == 2))
    unit = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    return {
        "users": users,
        "ids": {
            "own_plan": plan.id,
            "other_plan": zone.id,
            "own_task": own_task.id,
            "co_task": co_task.id,
            "other_task": other_task.id,
            "unit": unit.id,
            "user": users["office"].id,
        },
    }


@pytest.fixture
def client_for(app, world, login):
    """client_for(role) -> a test client signed in as that `world` user ('anonymous': none)."""

    def make(role):
        client = app.test_client()
        if role != "anonymous":
            response = login(client, world["users"][role])
            assert response.status_code == 302, role
        return client

    return make


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; `.envelopes` holds what it accepted, `.config` is the
    SMTP channel's setting pointing at it."""
    with running_smtp_server() as handler:
        yield handler


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the real Redis at 127.0.0.1:6379, its keys deleted
    afterwards. Without Redis the test is skipped — or fails when TRACKER_REQUIRE_REDIS is set
    (CI: a missing Redis fails, never skips)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("TRACKER_REQUIRE_REDIS"):
            pytest.fail("no Redis at 127.0.0.1:6379 (TRACKER_REQUIRE_REDIS is set)")
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"tracker-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
