"""Rows of a whole database kept in memory and written back with a few bulk inserts: how the
`seeded` and `demo` fixtures give each test the real seed's rows without seeding again."""

from sqlalchemy import bindparam, select, text

from tracker.extensions import db

MIGRATION_ROWS = {"dashboard_stamp"}  # tables a migration fills (the test template has them)


def take() -> dict[str, list[dict]]:
    """Every row of every non-empty table, as plain dicts (the current app's database)."""
    rows = {
        table.name: [dict(r._mapping) for r in db.session.execute(select(table)).all()]
        for table in db.metadata.sorted_tables
    }
    return {name: table_rows for name, table_rows in rows.items() if table_rows}


def _self_references(table) -> list[str]:
    """Columns of `table` that point at rows of the same table (a unit's successor): they may
    point at later rows, so they are written after every row is in."""
    return [
        fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.name
    ]


def restore(snapshot: dict[str, list[dict]]) -> None:
    """Write the rows back into the (empty) database of the current app, parents first, and
    move PostgreSQL's id sequences past them, as if they had been inserted one by one. A
    row a migration wrote (the dashboard's stamp) is replaced by the snapshot's."""
    for name in MIGRATION_ROWS & snapshot.keys():
        db.session.execute(db.metadata.tables[name].delete())
    for table in db.metadata.sorted_tables:
        rows = snapshot.get(table.name)
        if not rows:
            continue
        later = _self_references(table)
        if not later:
            db.session.execute(table.insert(), rows)
            continue
        db.session.execute(table.insert(), [{**r, **dict.fromkeys(later, None)} for r in rows])
        for column in later:
            linked = [{"rid": r["id"], "ref": r[column]} for r in rows if r[column] is not None]
            if linked:
                db.session.execute(
                    table.update()
                    .where(table.c.id == bindparam("rid"))
                    .values({column: bindparam("ref")}),
                    linked,
                )
    if db.engine.dialect.name == "postgresql":
        for name in snapshot:
            if "id" in db.metadata.tables[name].c:
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                    )
                )
    db.session.commit()
