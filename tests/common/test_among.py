"""tracker.database.among: `column IN values` as one array parameter on PostgreSQL, an IN list
elsewhere — the same rows either way, and one compiled statement for any number of ids."""

from sqlalchemy import select

from tracker.database import among
from tracker.extensions import db
from tracker.plans.models import Task


def _ids(values):
    return sorted(db.session.scalars(select(Task.id).where(among(Task.id, values, db.session))))


def test_among_finds_what_in_finds(world):
    every = sorted(db.session.scalars(select(Task.id)))
    assert len(every) > 40
    for values in ([], [every[0]], every[::3], every, {every[1], every[-1], 10**9}):
        expected = sorted(db.session.scalars(select(Task.id).where(Task.id.in_(list(values)))))
        assert _ids(values) == expected
    assert _ids([10**9]) == []


def test_among_is_one_parameter_on_postgresql(world):
    statement = select(Task.id).where(among(Task.id, [1, 2, 3, 4], db.session))
    sql = str(statement.compile(db.engine))
    if db.engine.dialect.name == "postgresql":
        assert "= ANY" in sql and sql.count("%(") == 1
    else:
        assert " IN " in sql
