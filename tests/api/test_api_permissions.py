"""The route × role × unit matrix of the API: every route, with a token of each role.
0 leaks (a liaison never sees another unit's work: absent from lists, 404 by address),
0 accepted writes beyond the role; no token, a session cookie or a revoked token: 401."""

import pytest
from sqlalchemy import select

from tracker.api.models import ApiToken
from tracker.api.tokens import SERVICE, create_token, revoke, token_hash
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.reports.models import ProgressReport

ROLES = ("admin", "office", "leader", "liaison", "other_liaison")
READERS_OF_ALL = ("admin", "office", "leader")

# Every API route this matrix covers (tests/accounts/test_permissions.py gathers them);
# test_the_matrix_covers_every_api_route keeps the list honest.
ENDPOINTS = {
    *(f"api_work.{e}" for e in ("units", "unit", "plans", "plan", "sections", "tasks", "task")),
    *(
        f"api_reports.{e}"
        for e in ("reports", "report", "create_report", "save_report", "submit_report")
    ),
    "api_reports.review_report",
    *(
        f"api_supervision.{e}"
        for e in (
            "notices",
            "notice",
            "instructions",
            "instruction",
            "alerts",
            "alert",
            "scorecards",
            "scorecard",
        )
    ),
}


def test_the_matrix_covers_every_api_route(app):
    prefixes = ("api_work.", "api_reports.", "api_supervision.")
    routed = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(prefixes)}
    assert routed == ENDPOINTS


def auth(secret, **headers):
    return {"Authorization": f"Bearer {secret}", **headers}


def _all_ids(client, secret, path):
    """Every id of a list, following the cursors."""
    seen, cursor = [], None
    for _ in range(50):
        url = path + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=auth(secret))
        assert response.status_code == 200, (path, response.get_json())
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("no last page")


# (list path, detail path template, own key, other key): the liaison (fgw) reads own, never
# other; other_liaison (kjj) the reverse; office, leader and admin both.
UNIT_BOUND = [
    ("/api/v1/reports?limit=100", "/api/v1/reports/{}", "own_report", "other_report"),
    ("/api/v1/notices?limit=100", "/api/v1/notices/{}", "own_notice", "other_notice"),
    ("/api/v1/alerts?limit=100", "/api/v1/alerts/{}", "own_alert", "other_alert"),
    (
        "/api/v1/instructions?limit=100",
        "/api/v1/instructions/{}",
        "own_instruction",
        "other_instruction",
    ),
    ("/api/v1/scorecards?limit=100", "/api/v1/scorecards/{}", "own_scorecard", "other_scorecard"),
    ("/api/v1/tasks?limit=100", "/api/v1/tasks/{}", "own_task", "other_task"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("listing", "detail", "own", "other"), UNIT_BOUND)
def test_reads_by_role_and_unit(client, api_world, tokens, role, listing, detail, own, other):
    ids = api_world["ids"]
    seen = set(_all_ids(client, tokens[role], listing))
    mine, theirs = ids[own], ids[other]
    if role == "other_liaison":
        mine, theirs = theirs, mine
    if role in READERS_OF_ALL:
        assert {mine, theirs} <= seen
        for row_id in (mine, theirs):
            assert client.get(detail.format(row_id), headers=auth(tokens[role])).status_code == 200
    else:
        assert mine in seen and theirs not in seen, (role, listing)
        assert client.get(detail.format(mine), headers=auth(tokens[role])).status_code == 200
        refused = client.get(detail.format(theirs), headers=auth(tokens[role]))
        assert refused.status_code == 404
        assert refused.mimetype == "application/problem+json"


def test_a_co_unit_never_reads_the_lead_units_report_nor_its_percent(client, api_world, tokens):
    ids = api_world["ids"]
    secret = tokens["liaison"]  # fgw: co-unit on co_task, whose lead is kjj
    reports = _all_ids(client, secret, "/api/v1/reports?limit=100")
    assert ids["lead_report_on_co_task"] not in reports
    response = client.get(f"/api/v1/reports/{ids['lead_report_on_co_task']}", headers=auth(secret))
    assert response.status_code == 404
    task = client.get(f"/api/v1/tasks/{ids['co_task']}", headers=auth(secret)).get_json()
    assert task["percent"] is None
    lead = client.get(f"/api/v1/tasks/{ids['co_task']}", headers=auth(tokens["other_liaison"]))
    assert lead.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_plans_sections_and_units_by_role(client, api_world, tokens, role):
    ids = api_world["ids"]
    plans = set(_all_ids(client, tokens[role], "/api/v1/plans?limit=100"))
    if role in READERS_OF_ALL:
        assert {ids["own_plan"], ids["other_plan"]} <= plans
    else:
        assert ids["own_plan"] in plans
    for path in ("/api/v1/sections?limit=100", "/api/v1/units?limit=100"):
        assert _all_ids(client, tokens[role], path)
    unit = client.get(f"/api/v1/units/{ids['kjj']}", headers=auth(tokens[role]))
    assert unit.status_code == 200 and unit.get_json()["code"] == "kjj"
    other_task_plan = client.get(f"/api/v1/plans/{ids['own_plan']}", headers=auth(tokens[role]))
    assert other_task_plan.status_code == 200


def _reports_snapshot():
    db.session.expire_all()
    return [
        (r.id, r.state, r.version, r.progress, r.percent, r.return_reason)
        for r in db.session.scalars(select(ProgressReport).order_by(ProgressReport.id))
    ]


def _etag(client, secret, report_id):
    return client.get(f"/api/v1/reports/{report_id}", headers=auth(secret)).headers.get("ETag")


@pytest.mark.parametrize("role", ROLES)
def test_writes_beyond_the_role_are_refused_and_change_nothing(client, api_world, tokens, role):
    ids = api_world["ids"]
    secret = tokens[role]
    before = _reports_snapshot()
    body = {"progress": "x", "percent": 10}
    any_tag = {"If-Match": '"report-0-v0"'}
    attempts = []
    if role != "liaison":
        # fgw's report: only fgw's liaison writes it
        attempts += [
            ("put", f"/api/v1/reports/{ids['own_report']}", body, any_tag),
            ("post", f"/api/v1/reports/{ids['own_report']}/submit", None, any_tag),
        ]
    if role != "other_liaison":
        attempts.append(("put", f"/api/v1/reports/{ids['other_report']}", body, any_tag))
    if role not in ("liaison", "other_liaison"):
        attempts.append(("post", "/api/v1/reports", {"task_id": ids["own_task"], **body}, {}))
    else:
        # a liaison cannot start a report on another unit's task
        foreign = ids["other_task"] if role == "liaison" else ids["own_task"]
        attempts.append(("post", "/api/v1/reports", {"task_id": foreign, **body}, {}))
    if role != "office":
        decision = {"decision": "return", "reason": "材料不全"}
        attempts.append(("post", f"/api/v1/reports/{ids['own_report']}/review", decision, any_tag))
    for method, path, data, headers in attempts:
        response = getattr(client, method)(path, json=data, headers=auth(secret, **headers))
        assert response.status_code in (403, 404), (role, method, path, response.get_json())
        assert response.mimetype == "application/problem+json"
    assert _reports_snapshot() == before


def test_liaison_creates_saves_and_submits_its_report_with_if_match(client, api_world, tokens):
    ids = api_world["ids"]
    secret = tokens["liaison"]
    created = client.post(
        "/api/v1/reports",
        json={"task_id": ids["co_task"], "progress": "配合完成调研", "percent": 30},
        headers=auth(secret),
    )
    assert created.status_code == 201, created.get_json()
    report = created.get_json()
    assert report["state"] == "draft"
    path = f"/api/v1/reports/{report['id']}"
    update = {"progress": "配合完成调研和座谈", "percent": 35}
    assert client.put(path, json=update, headers=auth(secret)).status_code == 428
    stale = client.put(path, json=update, headers=auth(secret, **{"If-Match": '"report-1-v9"'}))
    assert stale.status_code == 412
    saved = client.put(
        path, json=update, headers=auth(secret, **{"If-Match": created.headers["ETag"]})
    )
    assert saved.status_code == 200 and saved.get_json()["percent"] == 35
    again = client.put(
        path, json=update, headers=auth(secret, **{"If-Match": created.headers["ETag"]})
    )
    assert again.status_code == 412  # the old ETag is spent: someone (we) saved meanwhile
    submitted = client.post(
        f"{path}/submit", headers=auth(secret, **{"If-Match": saved.headers["ETag"]})
    )
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    duplicate = client.post(
        "/api/v1/reports",
        json={"task_id": ids["co_task"], "progress": "x", "percent": 1},
        headers=auth(secret),
    )
    assert duplicate.status_code == 409


def test_office_reviews_and_the_audit_log_names_the_token(client, api_world, tokens):
    ids = api_world["ids"]
    path = f"/api/v1/reports/{ids['own_report']}"
    tag = _etag(client, tokens["office"], ids["own_report"])
    returned = client.post(
        f"{path}/review",
        json={"decision": "return", "reason": "请补充佐证材料"},
        headers=auth(tokens["office"], **{"If-Match": tag}),
    )
    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["state"] == "returned"
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "report.returned")
        .order_by(AuditEvent.id.desc())
    )
    assert event.detail["api_token"] == "office token"
    assert event.actor_name == api_world["users"]["office"].username


def test_read_only_token_writes_nothing(client, api_world):
    _token, secret = create_token(api_world["users"]["liaison"], "read", can_write=False)
    db.session.commit()
    response = client.post(
        "/api/v1/reports",
        json={"task_id": api_world["ids"]["co_task"], "progress": "x", "percent": 1},
        headers=auth(secret),
    )
    assert response.status_code == 403
    assert client.get("/api/v1/tasks", headers=auth(secret)).status_code == 200


def test_no_token_a_bad_token_or_a_session_cookie_is_refused(client_for, api_world, tokens, login):
    signed_in = client_for("office")  # a session cookie does not authenticate the API
    for method, path in (("get", "/api/v1/tasks"), ("post", "/api/v1/reports")):
        response = getattr(signed_in, method)(path, json={})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.mimetype == "application/problem+json"
    bad = signed_in.get("/api/v1/tasks", headers=auth("trk_not-a-token"))
    assert bad.status_code == 401


def test_a_revoked_token_is_refused_at_once(client, api_world, tokens):
    secret = tokens["office"]
    assert client.get("/api/v1/tasks", headers=auth(secret)).status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    revoke(token, api_world["users"]["office"])
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=auth(secret)).status_code == 401


def test_a_disabled_user_s_token_is_refused(client, api_world, tokens):
    user = api_world["users"]["leader"]
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=auth(tokens["leader"])).status_code == 401


def test_service_token_limited_to_a_unit_sees_only_its_tasks(client, api_world):
    ids = api_world["ids"]
    admin = api_world["users"]["admin"]
    _token, secret = create_token(
        admin, "大屏", kind=SERVICE, created_by=admin, unit_ids=[ids["fgw"]], can_write=True
    )
    db.session.commit()
    assert _token.can_write is False  # the admin writes nothing: nor do its tokens
    tasks = set(_all_ids(client, secret, "/api/v1/tasks?limit=100"))
    assert ids["own_task"] in tasks and ids["other_task"] not in tasks
    reports = set(_all_ids(client, secret, "/api/v1/reports?limit=100"))
    assert ids["own_report"] in reports and ids["other_report"] not in reports
    cards = set(_all_ids(client, secret, "/api/v1/scorecards?limit=100"))
    assert cards == {ids["own_scorecard"]}
    assert client.get(f"/api/v1/tasks/{ids['other_task']}", headers=auth(secret)).status_code == 404
