"""The daily job keeps SQLite's planner statistics current (tracker.database.refresh_statistics)."""

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tracker import create_app
from tracker.database import refresh_statistics
from tracker.extensions import db
from tracker.scheduler import sweep_job


def test_the_daily_sweep_job_refreshes_sqlite_statistics(seeded):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's autovacuum keeps its statistics")
    assert not db.session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    )
    sweep_job(seeded, date(2026, 12, 1))
    tables = db.session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")).all()
    assert {"task", "unit", "section", "plan"} <= set(tables)


def test_statistics_are_left_to_postgresql(app):
    assert refresh_statistics(db.session) is (db.engine.dialect.name == "sqlite")


def test_statistics_are_refreshed_only_for_tables_that_grew(seeded):
    """After a full ANALYZE, a table is analysed again once it holds 10 % more rows than
    its statistics say; until then the daily job only checks (tracker.database.GROWTH)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's autovacuum keeps its statistics")
    assert refresh_statistics(db.session, force=True)

    def analysed(table):
        return db.session.scalar(
            text("SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = :t"),
            {"t": table},
        )

    assert refresh_statistics(db.session) is False  # nothing grew
    rows = analysed("audit_event") or 0
    db.session.execute(
        text(
            "INSERT INTO audit_event (occurred_at, action, subject_type, detail) "
            "SELECT occurred_at, action, subject_type, detail FROM audit_event"
        )
    )
    db.session.commit()
    assert refresh_statistics(db.session) is True
    assert analysed("audit_event") > rows
    assert refresh_statistics(db.session) is False


def test_statistics_count_every_row_of_a_low_variety_column(seeded):
    """A sampled ANALYZE recorded about 1,000 rows per key for a column of few values, so the
    planner took its index for a selective one; the statistics now count every row."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's autovacuum keeps its statistics")
    db.session.execute(text("CREATE TABLE stats_probe (id INTEGER PRIMARY KEY, state TEXT)"))
    db.session.execute(text("CREATE INDEX ix_stats_probe_state ON stats_probe (state)"))
    db.session.execute(
        text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
            "INSERT INTO stats_probe (state) "
            "SELECT CASE WHEN i % 6 = 0 THEN 'draft' ELSE 'accepted' END FROM n"
        )
    )
    db.session.commit()
    assert refresh_statistics(db.session, force=True)
    stat = db.session.scalar(
        text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_stats_probe_state'")
    )
    rows, per_key = (int(x) for x in stat.split()[:2])
    assert rows == 6000
    assert per_key == 3000  # 6,000 rows over two states, not a sample's "about 1,000"


def test_a_new_index_is_analysed_without_waiting_for_growth(seeded):
    """A migration that adds an index: its table is analysed at the next daily job, though
    it did not grow."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's autovacuum keeps its statistics")
    assert refresh_statistics(db.session, force=True)
    assert refresh_statistics(db.session) is False
    db.session.execute(text("CREATE INDEX ix_unit_probe ON unit (name, code)"))
    db.session.commit()
    assert refresh_statistics(db.session) is True
    assert db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_unit_probe'"))
    assert refresh_statistics(db.session) is False


def test_the_upgrade_counts_sampled_statistics_again(tmp_path, monkeypatch):
    """Migration 0024: statistics an earlier version sampled (1,000 rows an index) are
    counted again over every row, once, at the upgrade."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s"})
    with app.app_context():
        upgrade(revision="0023_list_indexes")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)"
                    " INSERT INTO unit (name, code, kind, aliases)"
                    " SELECT 'u' || i, 'c' || i, CASE WHEN i % 6 = 0 THEN 'a' ELSE 'b' END, '[]'"
                    " FROM n"
                )
            )
            conn.execute(text("CREATE INDEX ix_unit_kind_probe ON unit (kind)"))
            conn.execute(text("PRAGMA analysis_limit = 1000"))
            conn.execute(text("ANALYZE"))

        def per_key():
            with db.engine.connect() as conn:
                stat = conn.execute(
                    text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_unit_kind_probe'")
                ).scalar()
            return int(stat.split()[1])

        assert per_key() < 2000  # the sample's guess, not the 3,000 a kind there are
        upgrade()
        assert per_key() == 3000
        db.engine.dispose()
