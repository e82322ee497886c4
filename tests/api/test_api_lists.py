"""Lists: cursor pagination walks every row once in any sort order, with a constant
number of SQL statements; ETag / If-None-Match; problems in Chinese or English."""

import pytest


def auth(secret, **headers):
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.mark.parametrize("sort", ["id", "-id", "number", "-number", "due_date", "-due_date"])
def test_cursor_pages_cover_every_task_once(client, api_world, tokens, sort):
    everything = client.get(f"/api/v1/tasks?limit=100&sort={sort}", headers=auth(tokens["office"]))
    expected = [t["id"] for t in everything.get_json()["items"]]
    assert len(expected) > 7
    seen, cursor = [], None
    while True:
        url = f"/api/v1/tasks?limit=7&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=auth(tokens["office"])).get_json()
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected


def test_a_cursor_of_another_sort_is_refused(client, api_world, tokens):
    body = client.get("/api/v1/tasks?limit=2&sort=id", headers=auth(tokens["office"])).get_json()
    response = client.get(
        f"/api/v1/tasks?limit=2&sort=-number&cursor={body['next_cursor']}",
        headers=auth(tokens["office"]),
    )
    assert response.status_code == 404
    assert response.get_json()["type"].endswith("bad_cursor")


def test_list_statements_do_not_grow_with_rows(client, api_world, tokens, count_statements):
    client.get("/api/v1/tasks?limit=1", headers=auth(tokens["office"]))  # warm up
    counts = {}
    for limit in (2, 60):
        with count_statements() as counter:
            response = client.get(f"/api/v1/tasks?limit={limit}", headers=auth(tokens["office"]))
        assert len(response.get_json()["items"]) == limit
        counts[limit] = counter.count
    assert counts[2] == counts[60], counts


def test_etag_and_if_none_match(client, api_world, tokens):
    first = client.get("/api/v1/plans", headers=auth(tokens["leader"]))
    tag = first.headers["ETag"]
    again = client.get("/api/v1/plans", headers=auth(tokens["leader"], **{"If-None-Match": tag}))
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get("/api/v1/plans", headers=auth(tokens["leader"], **{"If-None-Match": '"x"'}))
    assert other.status_code == 200


def test_problems_speak_chinese_by_default_and_english_on_request(client, api_world, tokens):
    zh = client.get("/api/v1/tasks/999999", headers=auth(tokens["office"]))
    assert zh.status_code == 404 and zh.mimetype == "application/problem+json"
    body = zh.get_json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    en = client.get(
        "/api/v1/tasks/999999", headers=auth(tokens["office"], **{"Accept-Language": "en"})
    )
    assert en.get_json()["title"] == "Not found"
    bad = client.get(
        "/api/v1/tasks?limit=1000", headers=auth(tokens["office"], **{"Accept-Language": "en"})
    )
    assert bad.status_code == 422 and "limit" in bad.get_json()["errors"]


def test_rate_limit_per_token(app_factory, api_world, tokens):
    limited = app_factory(TRACKER_API_RATE_LIMIT="3/minute", RATELIMIT_KEY_PREFIX="rl-test")
    client = limited.test_client()
    statuses = [
        client.get("/api/v1/units", headers=auth(tokens["leader"])).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/units", headers=auth(tokens["leader"]))
    assert int(refused.headers["Retry-After"]) >= 1
    # another token has its own budget
    assert client.get("/api/v1/units", headers=auth(tokens["office"])).status_code == 200
