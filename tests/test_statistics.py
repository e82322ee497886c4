"""The daily job keeps SQLite's planner statistics current (tracker.database.refresh_statistics)."""

from datetime import date

import pytest
from sqlalchemy import text

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
