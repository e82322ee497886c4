"""Sign-in security routes, every role: each user reaches only their own password and second
factor; only the admin unlocks accounts, resets a second factor or changes the settings."""

import pytest
from sqlalchemy import select
from support.permission_matrix import LOGIN, run_matrix

from tracker.accounts.models import User
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.settings import Setting

ENDPOINTS = {
    "security.second_factor",
    "security.change_password",
    "security.totp_setup",
    "security.totp_disable",
    "security.unlock_user",
    "security.reset_totp",
    "security.settings",
}
ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]
OK, FORBIDDEN, NOT_FOUND, BAD = 200, 403, 404, 400
ALL = [OK] * 5

GET_MATRIX = [
    ("/login/second-factor", [LOGIN] + [302] * 5),  # signed in: home; else back to sign-in
    ("/account/password", [LOGIN] + ALL),
    ("/account/second-factor", [LOGIN] + ALL),
    ("/admin/security", [LOGIN, OK] + [FORBIDDEN] * 4),
]

POST_MATRIX = [
    ("/login/second-factor", {"code": "123456"}, [LOGIN] + [302] * 5),
    (
        "/account/password",
        {"current_password": "wrong", "new_password": "x", "confirm": "x"},
        [LOGIN] + ALL,  # the form again, with "not your current password"
    ),
    ("/account/second-factor", {"code": "000000"}, [LOGIN] + ALL),
    ("/account/second-factor/off", {"password": "secret-pass-1"}, [LOGIN] + [BAD] * 5),
    ("/admin/users/{user}/unlock", {}, [LOGIN, 302] + [FORBIDDEN] * 4),
    ("/admin/users/99999/unlock", {}, [LOGIN, NOT_FOUND] + [FORBIDDEN] * 4),
    ("/admin/users/{user}/second-factor/reset", {}, [LOGIN, 302] + [FORBIDDEN] * 4),
    ("/admin/users/99999/second-factor/reset", {}, [LOGIN, NOT_FOUND] + [FORBIDDEN] * 4),
    ("/admin/security", {"totp_required": ""}, [LOGIN, 302] + [FORBIDDEN] * 4),
]


def _snapshot():
    db.session.expire_all()
    users = db.session.execute(
        select(User.id, User.password_hash, User.totp_secret, User.must_change_password)
    ).all()
    settings = db.session.execute(select(Setting.key, Setting.value)).all()
    return sorted(users), sorted(settings)


@pytest.mark.parametrize("role", ROLES)
def test_reads(world, client_for, role):
    cases = [("GET", path, None, expected) for path, expected in GET_MATRIX]
    run_matrix(cases, role, client_for=client_for, ids=world["ids"], roles=ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_writes(world, client_for, role):
    cases = [("POST", path, data, expected) for path, data, expected in POST_MATRIX]
    run_matrix(
        cases,
        role,
        client_for=client_for,
        ids=world["ids"],
        roles=ROLES,
        snapshot=_snapshot,
        fresh_client=True,
    )


def test_refused_admin_actions_leave_no_audit_event(world, client_for):
    client = client_for("office")
    before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    client.post("/admin/users/{user}/unlock".format(**world["ids"]))
    client.post("/admin/security", data={"totp_required": "y"})
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == before
