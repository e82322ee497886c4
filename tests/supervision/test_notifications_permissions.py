"""Every route of the notification centre and the robots' admin page, every role.

Each signed-in user reads and marks only their own notifications: another user's is "not
found" (404), and nothing changes. Preferences are each user's own. Unit robots (webhooks)
are the admin's alone (403 for everyone else). Anonymous users go to the sign-in page.
"""

from datetime import date

import pytest
from sqlalchemy import select
from support.permission_matrix import PAGE, WRITE, endpoints_of, expect, run_matrix

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.supervision.delivery import notify
from tracker.supervision.models import Alert, Notification, UnitWebhook
from tracker.units.models import Unit

ROLES = ["anonymous", "admin", "office", "leader", "liaison", "other_liaison"]

ENDPOINTS = {
    "notifications.index",
    "notifications.read",
    "notifications.read_all",
    "notifications.preferences",
    "notifications.webhooks",
    "notifications.webhook_delete",
}


PREFS = {"email": "someone@example.org", "notify_email": "y"}


def _prepare(world):
    """One overdue task of 市发改委 (level 2): liaison1 and office1 are notified; a robot."""
    ids = world["ids"]
    fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
    alert = Alert(
        key="k1",
        kind="task_overdue",
        level=2,
        task_id=ids["own_task"],
        unit_id=fgw,
        swept_on=date(2026, 11, 20),
        detail={},
    )
    hook = UnitWebhook(unit_id=fgw, kind="wecom", url="http://127.0.0.1:9/x", active=True)
    db.session.add_all([alert, hook])
    db.session.flush()
    notify.notify_alerts([alert.id], date(2026, 11, 20))
    db.session.commit()

    def note_of(role):
        return db.session.scalar(
            select(Notification.id).where(Notification.user_id == world["users"][role].id)
        )

    return {"liaison_note": note_of("liaison"), "office_note": note_of("office"), "hook": hook.id}


CASES = [
    ("GET", "/notifications", None, expect(PAGE)),
    ("GET", "/notifications/preferences", None, expect(PAGE)),
    ("POST", "/notifications/preferences", PREFS, expect(WRITE)),
    ("POST", "/notifications/{liaison_note}/read", {}, expect(404, liaison=WRITE)),
    ("POST", "/notifications/{office_note}/read", {}, expect(404, office=WRITE)),
    ("POST", "/notifications/999999/read", {}, expect(404)),
    ("GET", "/admin/webhooks", None, expect(403, admin=PAGE)),
    (
        "POST",
        "/admin/webhooks",
        {"unit_id": "{unit}", "kind": "wecom", "url": "https://qyapi.weixin.qq.com/x"},
        expect(403, admin=WRITE),
    ),
    ("POST", "/admin/webhooks/{hook}/delete", {}, expect(403, admin=WRITE)),
    ("POST", "/admin/webhooks/999999/delete", {}, expect(403, admin=404)),
]
# read-all changes something only for users who have unread notifications
READ_ALL = ("POST", "/notifications/read-all", {}, expect(302))


def _snapshot():
    db.session.expire_all()
    return (
        sorted(db.session.execute(select(Notification.id, Notification.read_at)).all()),
        sorted(db.session.execute(select(UnitWebhook.id, UnitWebhook.unit_id)).all()),
        sorted(db.session.execute(select(User.id, User.email, User.notify_email)).all()),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(world, client_for, role):
    ids = {**world["ids"], **_prepare(world)}
    run_matrix([*CASES, READ_ALL], role, client_for=client_for, ids=ids, snapshot=_snapshot)


def test_a_user_never_reads_another_users_notifications(world, client_for):
    _prepare(world)
    page = client_for("leader").get("/notifications").get_data(as_text=True)
    assert "任务已逾期" not in page  # the leader got none
    assert "任务已逾期" in client_for("liaison").get("/notifications").get_data(as_text=True)
    assert "任务已逾期" not in client_for("other_liaison").get("/notifications").get_data(
        as_text=True
    )


def test_every_endpoint_of_the_blueprint_is_in_the_matrix(app):
    routed = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("notifications.")
    }
    assert routed == ENDPOINTS
    assert endpoints_of(app.url_map, [*CASES, READ_ALL]) == ENDPOINTS
