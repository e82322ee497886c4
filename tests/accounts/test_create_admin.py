"""`flask users create-admin`: the first administrator of a new (production) instance."""

from sqlalchemy import func, select

from tracker.accounts.models import Role, User
from tracker.audit import AuditEvent
from tracker.extensions import db

STRONG = "长治督查-Glacier-7-Lantern"


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_creates_an_admin_who_can_sign_in(app, runner, client, login):
    before = _users()
    result = runner.invoke(
        args=["users", "create-admin", "chief", "--name", "系统管理员"],
        input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    assert "admin chief created" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "chief"))
        assert user.role == Role.ADMIN.value and user.active
        assert user.display_name == "系统管理员"
        assert not user.must_change_password
        assert _users() == before + 1
        event = db.session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "user.created")
            .order_by(AuditEvent.id.desc())
        )
        assert event.subject_id == user.id
    response = login(client, "chief", STRONG)
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_refuses_a_weak_password_and_writes_nothing(app, runner, monkeypatch):
    before = _users()
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "12345678")
    result = runner.invoke(args=["users", "create-admin", "weak"])
    assert result.exit_code != 0
    assert "password refused" in result.output  # with the rule's reason, in Chinese
    with app.app_context():
        assert _users() == before


def test_refuses_a_taken_name(app, runner, monkeypatch):
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", STRONG)
    assert runner.invoke(args=["users", "create-admin", "taken"]).exit_code == 0
    again = runner.invoke(args=["users", "create-admin", "taken"])
    assert again.exit_code != 0
    assert "exists already" in again.output
