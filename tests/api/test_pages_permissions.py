"""The token, event endpoint and public pages, every role (a session, as the pages are
used): a user manages only its own tokens; the admin the service tokens and endpoints; the
office publishes plans; anyone reads a published plan, nobody an unpublished one."""

import pytest
from sqlalchemy import select
from support.permission_matrix import LOGIN, WRITE, expect, run_matrix

from tracker.api.models import ApiToken
from tracker.api.tokens import create_token
from tracker.extensions import db
from tracker.public.models import PublishedPlan
from tracker.supervision.delivery.events import EventEndpoint

ROLES = ("anonymous", "admin", "office", "leader", "liaison", "other_liaison")
ALL_SIGNED_IN = dict.fromkeys(ROLES[1:], 200)

GET = [
    ("api_tokens.personal", "/account/tokens", expect(**ALL_SIGNED_IN)),
    ("api_tokens.service", "/admin/service-tokens", expect(admin=200)),
    ("api_tokens.endpoints", "/admin/event-endpoints", expect(admin=200)),
    ("public.manage", "/public/manage", expect(office=200)),
    # never published: gone for everyone, signed in or not
    ("public.plan", "/public/plans/{slug}", expect(404, anonymous=404)),
    ("public.printable", "/public/plans/{slug}/print", expect(404, anonymous=404)),
    ("public.data_csv", "/public/plans/{slug}/data.csv", expect(404, anonymous=404)),
    ("public.data_json", "/public/plans/{slug}/data.json", expect(404, anonymous=404)),
    # the API's document and page are public; the API itself takes tokens only
    ("api-docs.openapi_json", "/api/v1/openapi.json", expect(200, anonymous=200)),
    ("api-docs.openapi_swagger_ui", "/api/v1/docs", expect(200, anonymous=200)),
    ("api_fallback.unknown", "/api/v1/nothing-here", expect(404, anonymous=404)),
]

POST = [
    (
        "api_tokens.personal",
        "/account/tokens",
        {"name": "OA", "scope": "read"},
        expect(200, anonymous=LOGIN),  # the new secret is shown on the page, once
    ),
    # a personal token of the office user: only its owner revokes it
    (
        "api_tokens.revoke_personal",
        "/account/tokens/{office_token}/revoke",
        {},
        expect(404, office=WRITE),
    ),
    (
        "api_tokens.service",
        "/admin/service-tokens",
        {"name": "大屏", "scope": "read", "owner": "{admin_username}"},
        expect(admin=200),
    ),
    (
        "api_tokens.revoke_service",
        "/admin/service-tokens/{service_token}/revoke",
        {},
        expect(admin=WRITE),
    ),
    (
        "api_tokens.endpoints",
        "/admin/event-endpoints",
        {"name": "OA", "url": "https://oa.example.gov.cn/hook", "events": "task.assigned"},
        expect(admin=200),
    ),
    (
        "api_tokens.toggle_endpoint",
        "/admin/event-endpoints/{endpoint}/toggle",
        {},
        expect(admin=WRITE),
    ),
    ("public.publish", "/public/manage/{own_plan}/publish", {}, expect(office=WRITE)),
    ("public.unpublish", "/public/manage/{own_plan}/unpublish", {}, expect(office=302)),
    # a cookie never acts on the API
    ("api_fallback.unknown", "/api/v1/nothing-here", {}, expect(404, anonymous=404)),
]

ENDPOINTS = {e for e, _p, _x in GET} | {e for e, _p, _d, _x in POST}


@pytest.fixture
def ids(world):
    users = world["users"]
    office_token, _secret = create_token(users["office"], "mine")
    service_token, _secret = create_token(users["admin"], "svc", kind="service")
    endpoint = EventEndpoint(
        name="x", url="https://x.example/", secret="s", events=["task.assigned"]
    )
    db.session.add(endpoint)
    db.session.commit()
    return {
        **world["ids"],
        "office_token": office_token.id,
        "service_token": service_token.id,
        "endpoint": endpoint.id,
        "admin_id": users["admin"].id,
        "admin_username": users["admin"].username,
        "slug": "changfa-2017-29",
    }


def _snapshot():
    db.session.expire_all()
    return (
        sorted((t.id, t.name, t.revoked_at) for t in db.session.scalars(select(ApiToken))),
        sorted((e.id, e.active) for e in db.session.scalars(select(EventEndpoint))),
        sorted((p.plan_id, p.published) for p in db.session.scalars(select(PublishedPlan))),
    )


@pytest.mark.parametrize("role", ROLES)
def test_reads(ids, client_for, role):
    cases = [("GET", path, None, want) for _e, path, want in GET]
    run_matrix(cases, role, client_for=client_for, ids=ids, roles=ROLES, snapshot=_snapshot)


@pytest.mark.parametrize("role", ROLES)
def test_writes(ids, client_for, role):
    cases = [("POST", path, data, want) for _e, path, data, want in POST]
    run_matrix(
        cases,
        role,
        client_for=client_for,
        ids=ids,
        roles=ROLES,
        snapshot=_snapshot,
        fresh_client=True,
    )


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(world, client_for):
    client = client_for("liaison")
    page = client.post("/account/tokens", data={"name": "OA 系统", "scope": "write"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "OA 系统"))
    start = text.index("trk_")
    secret = text[start : text.index("<", start)]
    assert token.token_hash != secret and len(token.token_hash) == 64
    assert token.can_write
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again
    assert (
        client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
