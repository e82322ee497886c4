"""Sign-in, sign-out, sessions, disabled accounts, cookies and CSRF."""

import re

import pytest
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.audit import AuditEvent
from tracker.extensions import db


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_and_home(seeded, make_user, login, client):
    user = make_user(Role.LIAISON, "fgw", username="fgw1")
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "市发改委" in page
    assert "user.sign_in" in _actions()


def test_wrong_password_gives_a_clear_message_and_no_session(app, make_user, login, client):
    make_user(Role.OFFICE, username="o1")
    response = login(client, "o1", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert "user.sign_in_failed" in _actions()


def test_unknown_user_gets_the_same_message(app, login, client):
    response = login(client, "nobody", "whatever-pass")
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_disabled_account_cannot_sign_in(app, make_user, login, client):
    make_user(Role.LEADER, username="gone", active=False)
    response = login(client, "gone")
    assert "账号已停用" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_disabling_an_account_ends_its_open_session(app, make_user, login):
    admin = make_user(Role.ADMIN, username="root1")
    leader = make_user(Role.LEADER, username="lead1")
    leader_client, admin_client = app.test_client(), app.test_client()
    login(leader_client, leader)
    assert leader_client.get("/").status_code == 200
    login(admin_client, admin)
    response = admin_client.post(
        f"/admin/users/{leader.id}",
        data={"username": "lead1", "display_name": "L", "role": "leader", "unit_id": "0"},
    )  # "active" left unticked: disable
    assert response.status_code == 302
    assert leader_client.get("/").status_code == 302


def test_sign_out_ends_the_session_even_for_a_replayed_cookie(app, make_user, login, client):
    user = make_user(Role.OFFICE, username="o2")
    login(client, user)
    cookie = client.get_cookie("tracker_session").value
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("tracker_session", cookie)
    assert replay.get("/").status_code == 302
    assert "user.sign_out" in _actions()


def test_sign_in_starts_a_fresh_session(app, make_user, login, client):
    user = make_user(Role.OFFICE, username="o3")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    login(client, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_session_cookie_flags(app, make_user, login, client):
    user = make_user(Role.OFFICE, username="o4")
    response = login(client, user)
    header = next(h for h in response.headers.getlist("Set-Cookie") if "tracker_session" in h)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_secure_cookie_behind_https(app_factory, make_user, login):
    make_user(Role.OFFICE, username="o5")
    client = app_factory(SESSION_COOKIE_SECURE=True).test_client()
    response = client.post(
        "/login",
        data={"username": "o5", "password": "secret-pass-1"},
        base_url="https://localhost",
    )
    header = next(h for h in response.headers.getlist("Set-Cookie") if "tracker_session" in h)
    assert "Secure" in header


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:x", "/\\evil.example/"]
)
def test_next_parameter_cannot_leave_the_site(app, make_user, client, target):
    user = make_user(Role.OFFICE, username="o6")
    response = client.post(
        f"/login?next={target}", data={"username": user.username, "password": "secret-pass-1"}
    )
    assert response.headers["Location"] == "/"


def test_next_parameter_keeps_a_local_path(app, make_user, client):
    user = make_user(Role.OFFICE, username="o7")
    response = client.post(
        "/login?next=/plans", data={"username": user.username, "password": "secret-pass-1"}
    )
    assert response.headers["Location"] == "/plans"


def test_admin_cannot_disable_itself(app, make_user, login, client):
    admin = make_user(Role.ADMIN, username="root2")
    login(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"username": "root2", "display_name": "R", "role": "admin", "unit_id": "0"},
    )
    assert response.status_code == 200
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_liaison_needs_a_unit_and_nothing_is_half_saved(seeded, make_user, login, client):
    admin = make_user(Role.ADMIN, username="root3")
    login(client, admin)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "x1",
            "display_name": "X",
            "role": "liaison",
            "unit_id": "0",
            "password": "long-enough-1",
            "active": "y",
        },
    )
    assert response.status_code == 200
    assert "联络员必须属于一个单位" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "x1")) is None


def test_admin_creates_a_liaison_who_can_sign_in(seeded, make_user, login, client):
    from tracker.units.models import Unit

    admin = make_user(Role.ADMIN, username="root4")
    unit = db.session.scalar(select(Unit).where(Unit.code == "kjj"))
    login(client, admin)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "kjj2",
            "display_name": "科技局联络员",
            "role": "liaison",
            "unit_id": str(unit.id),
            "password": "long-enough-1",
            "active": "y",
        },
    )
    assert response.status_code == 302
    liaison_client = seeded.test_client()
    assert login(liaison_client, "kjj2", "long-enough-1").status_code == 302
    # a password the admin set is changed at the first sign-in, before anything else
    assert liaison_client.get("/").headers["Location"] == "/account/password"
    response = liaison_client.post(
        "/account/password",
        data={
            "current_password": "long-enough-1",
            "new_password": "river-lantern-quietly",
            "confirm": "river-lantern-quietly",
        },
    )
    assert response.status_code == 302
    assert "大力发展众创空间" in liaison_client.get("/").get_data(as_text=True)
    assert "user.created" in _actions() and "user.password_changed" in _actions()


# Every form refuses a POST without its CSRF token, and changes nothing.
CSRF_POSTS = [
    ("/login", {"username": "csrf1", "password": "secret-pass-1"}),
    ("/logout", {}),
    ("/lang", {"lang": "en"}),
    (
        "/admin/users/new",
        {
            "username": "zz",
            "display_name": "Z",
            "role": "leader",
            "unit_id": "0",
            "password": "long-enough-1",
            "active": "y",
        },
    ),
    ("/units/new", {"name": "市某局", "code": "mj", "kind": "gov_dept", "successor_id": "0"}),
]


def test_every_form_needs_its_csrf_token(app_factory):
    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        admin = User(username="csrf1", display_name="A", role="admin", password_hash="")
        admin.set_password("secret-pass-1")
        db.session.add(admin)
        db.session.commit()
        client = csrf_app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert (
            client.post(
                "/login",
                data={"username": "csrf1", "password": "secret-pass-1", "csrf_token": token},
            ).status_code
            == 302
        )
        users_before = db.session.scalar(select(db.func.count()).select_from(User))
        for path, data in CSRF_POSTS:
            response = client.post(path, data=data)
            assert response.status_code == 400, path
            assert "表单已过期" in response.get_data(as_text=True), path
        db.session.expire_all()
        assert db.session.scalar(select(db.func.count()).select_from(User)) == users_before
        assert client.get("/").status_code == 200  # still signed in: logout was refused too


def test_signed_in_pages_are_not_cached(app, make_user, login, client):
    login(client, make_user(Role.OFFICE, username="o8"))
    response = client.get("/plans")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_post_route_refuses_a_missing_csrf_token(app_factory):
    """Whatever the route, a POST without the form's token is refused before the view runs."""
    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    posts = [r for r in csrf_app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(posts) >= 20
    for rule in posts:
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        response = client.post(url, data={"x": "1"})
        if url.startswith("/api/v1/"):
            # the API takes tokens only and is CSRF-exempt: no cookie acts on it (docs/api.md);
            # an address that is no route is a 404 problem
            assert response.status_code in (401, 404), url
            continue
        assert response.status_code == 400, url
        assert "表单已过期" in response.get_data(as_text=True), url
