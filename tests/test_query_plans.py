"""The main queries of the province-scale pages use indexes: each page is requested, every
SELECT it ran is explained with its own parameters, and a full scan of a large table (task,
progress_report, audit_event, notification, alert) fails the test.

SQLite: EXPLAIN QUERY PLAN; a "SCAN <table>" line is a full scan (of the table or of a
whole index). PostgreSQL: EXPLAIN (FORMAT JSON) with enable_seqscan off, so the planner
takes an index whenever one can serve the query, on the small test database as on a big
one; a "Seq Scan" node left on a large table means no index can. A few queries read a
whole table on purpose; they are listed in ALLOWED with the reason (docs/performance-pages.md).
"""

import json
import re

import pytest
from sqlalchemy import event, select

from tracker.extensions import db
from tracker.units.models import Unit

LARGE = ("task", "progress_report", "audit_event", "notification", "alert")

# (page, a fragment of the statement): whole-table reads that are deliberate
ALLOWED = [
    # the dashboard's counts by plan, section, light and status: one pass over the covering
    # index ix_task_plan_section_status_due (a GROUP BY of every task, not a row per task)
    ("/dashboard", "GROUP BY task.plan_id, task.section_id"),
    ("/dashboard/charts.json", "GROUP BY task.plan_id, task.section_id"),
]


def _pages(ids):
    plan, task, unit = ids["own_plan"], ids["own_task"], ids["unit"]
    return [
        "/dashboard",
        "/dashboard/charts.json",
        f"/dashboard/plans/{plan}",
        f"/dashboard/units/{unit}",
        "/scores",
        f"/scores/units/{unit}",
        f"/plans/{plan}",
        f"/tasks/{task}",
        "/bulletins/new",
    ]


def _captured(client, path):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200, path
    return statements


def _sqlite_scans(conn, statement, parameters):
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    found = []
    for row in rows:
        match = re.match(r"SCAN (\w+)", row[-1])
        if match and match.group(1) in LARGE:
            found.append(row[-1])
    return found


def _pg_scans(conn, statement, parameters):
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    found = []

    def walk(node):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE:
            found.append(f"Seq Scan on {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def _allowed(path, statement):
    return any(path == page and fragment in statement for page, fragment in ALLOWED)


@pytest.mark.parametrize("role", ["office"])
def test_page_queries_do_not_scan_large_tables(world, client_for, role):
    client = client_for(role)
    world_ids = dict(world["ids"])
    world_ids["unit"] = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    explain = _pg_scans if db.engine.dialect.name == "postgresql" else _sqlite_scans
    problems = []
    for path in _pages(world_ids):
        for statement, parameters in _captured(client, path):
            if _allowed(path, statement):
                continue
            with db.engine.begin() as conn:
                scans = explain(conn, statement, parameters)
            if scans:
                problems.append((path, scans, statement[:300]))
    assert not problems, "\n\n".join(map(str, problems))
