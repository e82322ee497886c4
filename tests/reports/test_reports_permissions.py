"""Reports: every route, every role. A liaison cannot read, submit or review another
unit's reports, nor review its own; a leader cannot submit."""

import pytest
from freezegun import freeze_time
from sqlalchemy import select

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
}
ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
L = "login"


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


def _check(response, expected, what):
    if expected == L:
        assert response.status_code == 302 and "/login" in response.headers["Location"], what
    else:
        assert response.status_code == expected, f"{what}: {response.status_code}"


@freeze_time("2026-11-20 09:00:00")
@pytest.mark.parametrize("role", ROLES)
def test_reads(reports, client_for, role):
    client = client_for(role)
    for path, expected in READS:
        url = path.format(**reports)
        response = client.get(url)
        _check(response, expected[ROLES.index(role)], f"{role} GET {url}")
        if response.status_code == 404:
            assert "进展" not in response.get_data(as_text=True)


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


def _writes(ids, reports):
    form = {"version": "0", "progress": "x", "percent": "10", "action": "submit"}
    return [
        # path, data, expected per role; None = allowed (state may change)
        ("/reports/save", {**form, "task_id": ids["other_task"]}, [L, 403, 403, 403, 404, None]),
        (
            "/reports/copy-last",
            {"task_id": ids["other_task"], "version": "0"},
            [L, 403, 403, 403, 404, None],
        ),
        ("/reports/submit-all", {}, [L, 403, 403, 403, None, None]),
        (f"/reports/{reports['other']}/correct", {}, [L, 403, 403, 403, 404, None]),
        (f"/reports/{reports['own']}/correct", {}, [L, 403, 403, 403, None, 404]),
        (
            f"/review/{reports['own']}",
            {"version": "1", "decision": "accept", "quality": "good"},
            [L, 403, None, 403, 403, 403],
        ),
        (
            f"/review/{reports['other']}",
            {"version": "1", "decision": "return", "reason": "x"},
            [L, 403, None, 403, 403, 403],
        ),
    ]


@freeze_time("2026-11-20 09:00:00")
@pytest.mark.parametrize("role", ROLES)
def test_writes(reports, open_tasks, client_for, role):
    for path, data, expected in _writes(open_tasks["ids"], reports):
        want = expected[ROLES.index(role)]
        if want is None:
            continue
        client = client_for(role)
        before = _state()
        _check(client.post(path, data=data), want, f"{role} POST {path}")
        assert _state() == before, f"{role} POST {path} changed reports"


@freeze_time("2026-11-20 09:00:00")
def test_leader_cannot_submit_and_liaison_cannot_review_its_own(reports, client_for):
    leader = client_for("leader")
    assert leader.post("/reports/submit-all").status_code == 403
    liaison = client_for("liaison")
    response = liaison.post(
        f"/review/{reports['own']}", data={"version": "1", "decision": "accept", "quality": "good"}
    )
    assert response.status_code == 403
    assert db.session.get(ProgressReport, reports["own"]).state == "submitted"
