"""Response headers (issue 12, 7): a strict Content-Security-Policy on every HTML page, HSTS
in production only; a download keeps its own sandbox policy."""

import pytest

from tracker.common.http import CONTENT_SECURITY_POLICY, security_headers

CSP = "Content-Security-Policy"
HSTS = "Strict-Transport-Security"


def test_the_policy_is_strict():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'self'",
        "form-action": "'self'",
    }
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("mimetype", "production", "csp", "hsts"),
    [
        ("text/html", False, True, False),
        ("text/html", True, True, True),
        ("text/css", False, False, False),
        ("application/json", True, False, True),
        ("application/pdf", True, False, True),  # a download sets its own sandbox policy
        (None, False, False, False),
    ],
)
def test_security_headers(mimetype, production, csp, hsts):
    headers = security_headers(mimetype, production)
    assert (CSP in headers) is csp
    assert (HSTS in headers) is hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_every_html_page_carries_the_policy(world, client_for):
    anonymous, office, liaison = (
        client_for("anonymous"),
        client_for("office"),
        client_for("liaison"),
    )
    ids = world["ids"]
    for client, path, status in [
        (anonymous, "/login", 200),
        (anonymous, "/no-such-page", 404),
        (office, "/", 200),
        (office, f"/tasks/{ids['own_task']}", 200),
        (office, "/dashboard", 200),
        (liaison, "/reports", 200),
        (liaison, "/review", 403),
        (liaison, f"/tasks/{ids['other_task']}", 404),
    ]:
        answer = client.get(path)
        assert answer.status_code == status, path
        assert answer.headers[CSP] == CONTENT_SECURITY_POLICY, path
        assert HSTS not in answer.headers, path  # development: plain HTTP on a laptop


def test_static_files_carry_no_page_policy(client):
    answer = client.get("/static/css/tracker.css")
    assert answer.status_code == 200
    assert CSP not in answer.headers
    answer.close()


def test_production_adds_hsts(app_factory):
    client = app_factory(TRACKER_ENV="production").test_client()
    answer = client.get("/login")
    assert answer.headers[HSTS] == "max-age=31536000"
    assert answer.headers[CSP] == CONTENT_SECURITY_POLICY
