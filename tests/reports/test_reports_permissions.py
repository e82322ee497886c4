"""Reports: every route, every role. A liaison cannot read, submit or review another
unit's reports, nor review its own; a leader cannot submit."""

import pytest
from sqlalchemy import select
from support.clock import at
from support.permission_matrix import LOGIN, run_matrix

from tracker.extensions import db
from tracker.reports.models import ProgressReport
from tracker.reports.periods import ensure_period

ENDPOINTS = {
    "reports.month",
    "reports.save",
    "reports.copy_last",
    "reports.submit_all",
    "reports.detail",
    "reports.correct",
    "reports.review_queue",
    "reports.review",
    "reports.overview",
    "reports.card",
}
ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
L = LOGIN
# 17:00 in Beijing on 2026-11-20, before November's due date
NOW = "2026-11-20 09:00:00"


@pytest.fixture
def reports(open_tasks):
    """Submitted reports: 市发改委 on its task 1 (own) and as co-unit on task 17 (co_part),
    市科技局 on its task 2 (other)."""
    ids, users = open_tasks["ids"], open_tasks["users"]
    period = ensure_period(2026, 11)

    def make(task_id, user, state="submitted"):
        report = ProgressReport(
            task_id=task_id,
            unit_id=user.unit_id,
            period_id=period.id,
            state=state,
            progress=f"进展{task_id}",
            percent=30,
        )
        db.session.add(report)
        db.session.flush()
        return report.id

    made = {
        "own": make(ids["own_task"], users["liaison"]),
        "co_part": make(ids["co_task"], users["liaison"]),
        "other": make(ids["other_task"], users["other_liaison"]),
        "accepted": make(ids["co_task"], users["other_liaison"], "accepted"),
    }
    db.session.commit()
    return made


READS = [
    # path, expected for anonymous, admin, office, leader, liaison (市发改委), other (市科技局)
    ("/reports", [L, 403, 403, 403, 200, 200]),
    ("/reports/{own}", [L, 200, 200, 200, 200, 404]),
    ("/reports/{other}", [L, 200, 200, 200, 404, 200]),
    ("/reports/{co_part}", [L, 200, 200, 200, 200, 200]),  # the lead unit reads co-units' parts
    ("/reports/{accepted}", [L, 200, 200, 200, 404, 200]),  # a co-unit does not read the lead's
    ("/review", [L, 403, 200, 403, 403, 403]),
    ("/reports/overview", [L, 200, 200, 200, 403, 403]),
]


def _withholds_the_report(response, want, label):
    """A report that is "not found" shows none of its text."""
    if response.status_code == 404:
        assert "进展" not in response.get_data(as_text=True), label


@at(NOW)
@pytest.mark.parametrize("role", ROLES)
def test_reads(reports, client_for, role):
    cases = [("GET", path, None, expected) for path, expected in READS]
    run_matrix(
        cases, role, client_for=client_for, ids=reports, check_response=_withholds_the_report
    )


CARD_READS = [
    # a report's own card (where a save lands): liaisons only, and only their unit's report
    ("/reports/card/{own_task}", [L, 403, 403, 403, 200, 404]),
    ("/reports/card/{other_task}", [L, 403, 403, 403, 404, 200]),
]


@at(NOW)
@pytest.mark.parametrize("role", ROLES)
def test_card_reads(reports, open_tasks, client_for, role):
    cases = [("GET", path, None, expected) for path, expected in CARD_READS]
    run_matrix(
        cases,
        role,
        client_for=client_for,
        ids={**reports, **open_tasks["ids"]},
        check_response=_withholds_the_report,
    )


def _state():
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(
                ProgressReport.id,
                ProgressReport.state,
                ProgressReport.progress,
                ProgressReport.version,
            )
        ).all()
    )


FORM = {"version": "0", "progress": "x", "percent": "10", "action": "submit"}

WRITES = [
    # path, data, expected per role; None = allowed (state may change), not checked here
    ("/reports/save", {**FORM, "task_id": "{other_task}"}, [L, 403, 403, 403, 404, None]),
    (
        "/reports/copy-last",
        {"task_id": "{other_task}", "version": "0"},
        [L, 403, 403, 403, 404, None],
    ),
    ("/reports/submit-all", {}, [L, 403, 403, 403, None, None]),
    ("/reports/{other}/correct", {}, [L, 403, 403, 403, 404, None]),
    ("/reports/{own}/correct", {}, [L, 403, 403, 403, None, 404]),
    (
        "/review/{own}",
        {"version": "1", "decision": "accept", "quality": "good"},
        [L, 403, None, 403, 403, 403],
    ),
    (
        "/review/{other}",
        {"version": "1", "decision": "return", "reason": "x"},
        [L, 403, None, 403, 403, 403],
    ),
]


@at(NOW)
@pytest.mark.parametrize("role", ROLES)
def test_writes(reports, open_tasks, client_for, role):
    """A refused write leaves every report as it was."""
    cases = [("POST", path, data, expected) for path, data, expected in WRITES]
    run_matrix(
        cases,
        role,
        client_for=client_for,
        ids={**open_tasks["ids"], **reports},
        snapshot=_state,
        fresh_client=True,
    )


@at(NOW)
def test_leader_cannot_submit_and_liaison_cannot_review_its_own(reports, client_for):
    leader = client_for("leader")
    assert leader.post("/reports/submit-all").status_code == 403
    liaison = client_for("liaison")
    response = liaison.post(
        f"/review/{reports['own']}", data={"version": "1", "decision": "accept", "quality": "good"}
    )
    assert response.status_code == 403
    assert db.session.get(ProgressReport, reports["own"]).state == "submitted"
