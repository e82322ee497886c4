"""Issue 13: the queries of pagesA's pages (review queue, overview, month page, supervision
lists, notification centre, liaison and office home) use indexes — the same check as
tests/test_query_plans.py (EXPLAIN of every SELECT a page ran; a full scan of a large table
fails), with the deliberate whole-table reads listed and explained."""

from datetime import date

import pytest

from tests.support.clock import on
from tests.test_query_plans import _captured, _pg_scans, _sqlite_scans
from tracker.extensions import db
from tracker.reports.periods import ensure_period

PAGES = {
    "office": [
        "/review",
        "/review?light=red",
        "/review?state=&period={period}&light=yellow",
        "/reports/overview?period={period}",
        "/supervision/requests",
        "/notifications",
    ],
    "liaison": ["/reports", "/supervision/my", "/notifications"],
}
# (page, a fragment of the statement): whole reads that are deliberate — none on these pages
ALLOWED: list[tuple[str, str]] = []


@pytest.mark.parametrize("role", ["office", "liaison"])
def test_pagesA_queries_do_not_scan_large_tables(open_tasks, client_for, role):
    with on(date(2026, 11, 20)):
        period = ensure_period(2026, 11)
        db.session.commit()
        client = client_for(role)
        explain = _pg_scans if db.engine.dialect.name == "postgresql" else _sqlite_scans
        problems = []
        for template in PAGES[role]:
            path = template.format(period=period.id)
            for statement, parameters in _captured(client, path):
                if any(path.startswith(p) and f in statement for p, f in ALLOWED):
                    continue
                with db.engine.begin() as conn:
                    scans = explain(conn, statement, parameters)
                if scans:
                    problems.append((path, scans, statement[:300]))
        assert not problems, "\n\n".join(map(str, problems))
