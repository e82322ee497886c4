"""Sign-in counters in Redis (TRACKER_REDIS_URL): shared by every worker process. Runs
against the real Redis at 127.0.0.1:6379 with a key prefix of its own, removed afterwards;
skipped when no Redis answers there."""

import redis
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"


def _sign_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_workers_share_the_counters_and_the_admin_unlocks_in_redis(
    app_factory, make_user, login, redis_prefix
):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix}
    worker_a, worker_b = app_factory(**settings), app_factory(**settings)
    with worker_a.app_context():
        make_user(Role.OFFICE, username="r1")
        make_user(Role.ADMIN, username="root-r")
    client_a, client_b = worker_a.test_client(), worker_b.test_client()
    for _ in range(3):
        assert _sign_in(client_a, "r1", "nope").status_code == 200
    assert _sign_in(client_b, "r1", "nope").status_code == 200
    assert _sign_in(client_b, "r1", "nope").status_code == 429  # 5th failure, other worker
    assert _sign_in(client_a, "r1", "secret-pass-1").status_code == 429

    stored = redis.Redis.from_url(REDIS_URL)
    assert any(redis_prefix.encode() in key for key in stored.scan_iter(match=f"*{redis_prefix}*"))
    with worker_a.app_context():
        target = db.session.scalar(select(User.id).where(User.username == "r1"))
    admin_client = worker_b.test_client()
    login(admin_client, "root-r")
    assert admin_client.post(f"/admin/users/{target}/unlock").status_code == 302
    assert _sign_in(client_a, "r1", "secret-pass-1").status_code == 302  # the other worker


def test_another_prefix_is_another_instance(app_factory, make_user, redis_prefix):
    first = app_factory(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    second = app_factory(
        RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix + "-other"
    )
    with first.app_context():
        make_user(Role.OFFICE, username="r2")
    client = first.test_client()
    for _ in range(5):
        _sign_in(client, "r2", "nope")
    assert _sign_in(client, "r2", "secret-pass-1").status_code == 429
    assert _sign_in(second.test_client(), "r2", "secret-pass-1").status_code == 302
