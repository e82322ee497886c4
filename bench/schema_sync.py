"""Bring a generated bench database up to the current models without regenerating it.

    .venv/bin/python bench/schema_sync.py --url sqlite:////tmp/province-full.db

Bench only, never on real data: while migrations are being written, a database generated an
hour ago lacks the tables, columns and indexes added since (and `flask db upgrade` may not
apply edits to a migration it already ran). This adds every missing table, column (as the
model declares it: new columns are nullable or have a server default) and index, then stamps
the newest revision. It never drops or alters anything.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic.migration import MigrationContext  # noqa: E402
from alembic.operations import Operations  # noqa: E402
from flask_migrate import stamp  # noqa: E402
from sqlalchemy import inspect  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402


def sync(url: str) -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "sync", "TESTING": True})
    done = []
    with app.app_context():
        with db.engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            missing = [t for t in db.metadata.sorted_tables if t.name not in existing]
            db.metadata.create_all(conn, tables=missing)
            done += [f"table {t.name}" for t in missing]
            op = Operations(MigrationContext.configure(conn))
            inspector = inspect(conn)
            for table in db.metadata.sorted_tables:
                if table in missing:
                    continue
                columns = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in columns:
                        op.add_column(table.name, column._copy())
                        done.append(f"column {table.name}.{column.name}")
                indexes = {i["name"] for i in inspector.get_indexes(table.name)}
                for index in table.indexes:
                    if index.name not in indexes:
                        index.create(conn)
                        done.append(f"index {index.name}")
        stamp()
        db.engine.dispose()
    return done


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    for line in sync(parser.parse_args().url):
        print(line)
