"""Delivery of alerts: notifications in the notification centre, e-mail digests through a
real SMTP server on loopback (aiosmtpd), WeCom and DingTalk group robots through a real local
HTTP server, and the outbox's retries with back-off."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select
from support.smtp import free_port

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.supervision.delivery import channels, digests, notify
from tracker.supervision.delivery import outbox as delivery
from tracker.supervision.models import Alert, Notification, OutboxMessage, UnitWebhook
from tracker.timeutil import LOCAL_TZ
from tracker.units.models import Unit

TODAY = date(2026, 11, 20)


# ---------------------------------------------------------------- servers


@pytest.fixture
def now():
    """Messages are queued at the real time; the outbox runs a minute later."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(minutes=1)


class _Robot(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length).decode())
        server = self.server
        server.requests.append((self.path, body))
        path = urllib.parse.urlsplit(self.path).path
        status, answer = (server.script.get(path) or [(200, {"errcode": 0, "errmsg": "ok"})])[0]
        if len(server.script.get(path) or []) > 1:
            server.script[path].pop(0)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot_server():
    """A real HTTP server standing in for WeCom and DingTalk. `.script[path]` is a list of
    (status, JSON answer) given in turn (the last one stays); `.requests` what it received."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Robot)
    server.requests, server.script = [], {}
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------- helpers


def _unit(code):
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def _alert(key, kind, level, task_id, unit_code, swept_on=TODAY):
    alert = Alert(
        key=key,
        kind=kind,
        level=level,
        task_id=task_id,
        unit_id=_unit(unit_code),
        swept_on=swept_on,
        due_date=swept_on + timedelta(days=3),
        detail={},
    )
    db.session.add(alert)
    db.session.flush()
    return alert.id


def _notify(*alert_ids, today=TODAY):
    notify.notify_alerts(list(alert_ids), today)
    db.session.commit()


def _recipients(alert_id):
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.alert_id == alert_id)
        )
    )


def _outbox(channel=None):
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(db.session.scalars(query))


def _set_email(user, address, on=True):
    user = db.session.get(User, user.id)
    user.email, user.notify_email = address, on
    db.session.commit()


def _hook(unit_code, kind, url, secret=None):
    hook = UnitWebhook(unit_id=_unit(unit_code), kind=kind, url=url, secret=secret, active=True)
    db.session.add(hook)
    db.session.commit()
    return hook.id


# ---------------------------------------------------------------- recipients


def test_recipients_follow_kind_and_level(world, make_user):
    ids = world["ids"]
    make_user(Role.LIAISON, "fgw", username="gone", active=False)
    reminder = _alert("a1", "report_due_soon", 1, ids["own_task"], "fgw")
    urging = _alert("a2", "task_overdue", 2, ids["other_task"], "kjj")
    # an overdue answer goes to the task's lead unit (市发改委), whatever unit the alert names
    answer = _alert("a3", "instruction_answer_overdue", 1, ids["own_task"], "kjj")
    _notify(reminder, urging, answer)

    assert _recipients(reminder) == {"liaison1"}
    assert _recipients(urging) == {"liaison2", "office1"}
    assert _recipients(answer) == {"liaison1", "office1"}
    note = db.session.scalar(select(Notification).where(Notification.alert_id == reminder))
    assert note.title.startswith("【提醒】月报即将到期")
    assert "市发改委" in note.body and note.link == f"/tasks/{ids['own_task']}"
    assert note.read_at is None


def test_notify_twice_writes_nothing_twice(world):
    alert = _alert("a1", "task_overdue", 2, world["ids"]["own_task"], "fgw")
    _notify(alert)
    _notify(alert)
    count = db.session.scalar(select(func.count()).select_from(Notification))
    assert count == 2  # liaison1 and office1, once each


def test_notify_runs_a_constant_number_of_statements(world, make_user, count_statements):
    ids = world["ids"]
    _hook("fgw", "wecom", "http://127.0.0.1:9/robot")
    _hook("kjj", "dingtalk", "http://127.0.0.1:9/robot")
    one = [_alert("x0", "task_overdue", 2, ids["own_task"], "fgw")]
    many = [
        _alert(
            f"y{i}",
            "task_overdue",
            2,
            ids["own_task" if i % 2 else "other_task"],
            "fgw" if i % 2 else "kjj",
        )
        for i in range(12)
    ]
    for n in range(5):
        make_user(Role.LIAISON, "kjj", username=f"more{n}")
    db.session.commit()
    with count_statements() as small:
        notify.notify_alerts(one, TODAY)
    db.session.commit()
    with count_statements() as large:
        notify.notify_alerts(many, TODAY)
    db.session.commit()
    assert large.count <= small.count + 2, large.statements  # + the second unit's message


# ---------------------------------------------------------------- e-mail


def test_one_chinese_digest_per_recipient_per_day_over_smtp(now, world, smtp_server):
    ids, users = world["ids"], world["users"]
    _set_email(users["liaison"], "fgw@example.org")
    _set_email(users["office"], "office@example.org")
    _set_email(users["other_liaison"], "kjj@example.org", on=False)  # did not choose e-mail
    _notify(
        _alert("a1", "report_due_soon", 1, ids["own_task"], "fgw"),
        _alert("a2", "task_overdue", 2, ids["own_task"], "fgw"),
        _alert("a3", "task_overdue", 2, ids["other_task"], "kjj"),
    )
    assert digests.build_email_digests(TODAY) == 2
    db.session.commit()
    assert delivery.process_outbox(now, smtp_config=smtp_server.config)["sent"] == 2

    by_rcpt = {tuple(e.rcpt_tos): e for e in smtp_server.envelopes}
    assert set(by_rcpt) == {("fgw@example.org",), ("office@example.org",)}
    mail = message_from_bytes(by_rcpt[("office@example.org",)].content, policy=default_policy)
    assert mail["Subject"] == "督查督办系统：今日提醒（2条）"  # the two urgings (level 2)
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "【催办】任务已逾期" in text and "市科技局" in text
    assert "<ol>" in html and html.count("<li>") == 2
    assert "月报即将到期" not in text  # a level-1 reminder is the liaison's alone
    liaison_mail = message_from_bytes(by_rcpt[("fgw@example.org",)].content, policy=default_policy)
    assert liaison_mail["Subject"] == "督查督办系统：今日提醒（2条）"
    assert "【提醒】月报即将到期" in liaison_mail.get_body(("html",)).get_content()

    # a second run the same day sends nothing; all messages are marked sent
    assert digests.build_email_digests(TODAY) == 0
    db.session.commit()
    assert delivery.process_outbox(now + timedelta(hours=1), smtp_config=smtp_server.config) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
    }
    assert len(smtp_server.envelopes) == 2
    assert {m.state for m in _outbox("email")} == {"sent"}
    assert all(m.sent_at is not None for m in _outbox("email"))


def test_no_digest_when_nothing_unread_that_day(now, world, smtp_server):
    users, ids = world["users"], world["ids"]
    _set_email(users["liaison"], "fgw@example.org")
    _notify(_alert("a1", "report_due_soon", 1, ids["own_task"], "fgw"))
    # read already: nothing to send; another day: nothing either
    db.session.execute(Notification.__table__.update().values(read_at=datetime(2026, 11, 20, 2, 0)))
    db.session.commit()
    assert digests.build_email_digests(TODAY) == 0
    assert digests.build_email_digests(TODAY + timedelta(days=1)) == 0
    db.session.commit()
    delivery.process_outbox(now, smtp_config=smtp_server.config)
    assert smtp_server.envelopes == []
    assert _outbox() == []


# ---------------------------------------------------------------- webhooks


def test_wecom_and_signed_dingtalk_robots_receive_markdown(now, world, robot_server):
    ids = world["ids"]
    _hook("fgw", "wecom", f"{robot_server.base}/cgi-bin/webhook/send?key=abc")
    _hook("kjj", "dingtalk", f"{robot_server.base}/robot/send?access_token=xyz", secret="SEC1")
    _notify(
        _alert("a1", "report_due_soon", 1, ids["own_task"], "fgw"),
        _alert("a2", "task_overdue", 2, ids["other_task"], "kjj"),
    )
    # later alerts the same day join the unsent message of the unit
    _notify(_alert("a3", "ack_overdue", 1, ids["own_task"], "fgw"))
    messages = _outbox()
    assert [m.key for m in messages] == [
        f"wecom:{messages[0].payload['webhook_id']}:2026-11-20",
        f"dingtalk:{messages[1].payload['webhook_id']}:2026-11-20",
    ]
    assert len(messages[0].payload["lines"]) == 2

    before = int(datetime.now().timestamp() * 1000)
    counts = delivery.process_outbox(now, smtp_config={}, http_timeout=5)
    assert counts == {"sent": 2, "retry": 0, "failed": 0}
    received = {
        urllib.parse.urlsplit(path).path: (path, body) for path, body in robot_server.requests
    }

    path, wecom = received["/cgi-bin/webhook/send"]
    assert "key=abc" in path
    assert wecom["msgtype"] == "markdown"
    assert set(wecom["markdown"]) == {"content"}
    assert "月报即将到期" in wecom["markdown"]["content"]
    assert "交办未签收" in wecom["markdown"]["content"]

    path, ding = received["/robot/send"]
    assert ding["msgtype"] == "markdown"
    assert set(ding["markdown"]) == {"title", "text"}
    assert "任务已逾期" in ding["markdown"]["text"] and "市科技局" in ding["markdown"]["title"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["access_token"] == ["xyz"]
    timestamp = query["timestamp"][0]
    assert int(timestamp) >= before
    expected = base64.b64encode(
        hmac.new(b"SEC1", f"{timestamp}\nSEC1".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]

    # after sending, a new alert of the day goes in a follow-up message
    _notify(_alert("a4", "task_overdue", 2, ids["own_task"], "fgw"))
    keys = [m.key for m in _outbox("wecom")]
    assert keys[1] == keys[0] + ":2"
    assert _outbox("wecom")[1].payload["alert_ids"] == [
        db.session.scalar(select(Alert.id).where(Alert.key == "a4"))
    ]


# ---------------------------------------------------------------- retries


def test_a_failing_channel_retries_with_backoff_while_others_are_delivered(
    now, world, robot_server, smtp_server
):
    ids, users = world["ids"], world["users"]
    _set_email(users["liaison"], "fgw@example.org")
    _hook("fgw", "wecom", f"{robot_server.base}/wecom")
    _hook("fgw", "dingtalk", f"{robot_server.base}/ding")
    robot_server.script["/wecom"] = [(500, {"error": "down"}), (200, {"errcode": 0})]
    robot_server.script["/ding"] = [
        (200, {"errcode": 310000, "errmsg": "sign not match"}),
        (200, {"errcode": 0}),
    ]
    _notify(_alert("a1", "task_overdue", 1, ids["own_task"], "fgw"))
    digests.build_email_digests(TODAY)
    db.session.commit()
    closed = {**smtp_server.config, "port": free_port()}  # nothing listens there

    # e-mail down, WeCom answers 500, DingTalk refuses with an errcode: all retried
    assert delivery.process_outbox(now, smtp_config=closed, http_timeout=5)["retry"] == 3
    for message in _outbox():
        assert (message.state, message.attempts, message.sent_at) == ("pending", 1, None)
        assert message.next_attempt_at == now + timedelta(minutes=1)
        assert message.last_error
    # not due yet: nothing is tried again
    assert delivery.process_outbox(now + timedelta(seconds=30), smtp_config=closed)["retry"] == 0
    assert len(robot_server.requests) == 2

    # the robots are back, the mail server still down: the robots are delivered meanwhile
    later = now + timedelta(minutes=1)
    counts = delivery.process_outbox(later, smtp_config=closed, http_timeout=5)
    assert counts == {"sent": 2, "retry": 1, "failed": 0}
    email = _outbox("email")[0]
    assert (email.state, email.attempts) == ("pending", 2)
    assert email.next_attempt_at == later + timedelta(minutes=5)
    assert smtp_server.envelopes == []

    # the mail server is back: the digest goes out once
    counts = delivery.process_outbox(later + timedelta(minutes=5), smtp_config=smtp_server.config)
    assert counts["sent"] == 1
    assert len(smtp_server.envelopes) == 1
    assert {m.state for m in _outbox()} == {"sent"}


def test_gives_up_after_max_attempts(now, world, robot_server):
    _hook("fgw", "wecom", f"{robot_server.base}/wecom")
    robot_server.script["/wecom"] = [(503, {})]
    _notify(_alert("a1", "task_overdue", 1, world["ids"]["own_task"], "fgw"))
    message = _outbox()[0]
    message.attempts = delivery.MAX_ATTEMPTS - 1
    db.session.commit()
    assert delivery.process_outbox(now, smtp_config={}, http_timeout=5)["failed"] == 1
    message = _outbox()[0]
    assert (message.state, message.attempts, message.sent_at) == (
        "failed",
        delivery.MAX_ATTEMPTS,
        None,
    )


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 5), (3, 15), (4, 60), (7, 720), (20, 720)]
)
def test_backoff_grows(attempts, minutes):
    assert delivery.backoff(attempts) == timedelta(minutes=minutes)


def test_dingtalk_signature_is_urlencoded_base64_hmac():
    url = channels.dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=t", "SECxyz", 1700000000000
    )
    digest = hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    assert url == (
        f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign={sign}"
    )


def test_outbox_run_once_command(app, world, robot_server):
    _hook("fgw", "wecom", f"{robot_server.base}/wecom")
    _notify(_alert("a1", "task_overdue", 1, world["ids"]["own_task"], "fgw"))
    delivery.register_delivery_cli(app)
    result = app.test_cli_runner().invoke(args=["outbox", "run-once", "--digests"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert _outbox()[0].state == "sent"


# ---------------------------------------------------------------- notification centre


def test_the_badge_counts_unread_up_to_99_then_says_99_plus(world, client_for):
    client = client_for("liaison")
    user = world["users"]["liaison"]
    page = client.get("/notifications").get_data(as_text=True)
    assert 'data-testid="unread-count"' in page and "<b>0</b>" in page

    def add(n):
        db.session.add_all(
            Notification(user_id=user.id, kind="notice", title=f"通知 {i}") for i in range(n)
        )
        db.session.commit()

    add(99)
    assert "<b>99</b>" in client.get("/").get_data(as_text=True)
    add(1)
    assert "<b>99+</b>" in client.get("/").get_data(as_text=True)
    add(400)
    assert "<b>99+</b>" in client.get("/").get_data(as_text=True)
    office = client_for("office").get("/").get_data(as_text=True)  # another user's are not
    assert "<b>99+</b>" not in office and 'data-testid="unread-count"' in office


def test_centre_lists_own_notifications_newest_first_and_marks_read(world, client_for):
    ids = world["ids"]
    _notify(_alert("a1", "report_due_soon", 1, ids["own_task"], "fgw"))
    _notify(_alert("a2", "task_overdue", 2, ids["other_task"], "kjj"))
    client = client_for("liaison")
    page = client.get("/notifications").get_data(as_text=True)
    assert "月报即将到期" in page
    assert "任务已逾期" not in page  # 市科技局's alert, not the liaison's
    assert 'data-testid="unread-count"' in page and "<b>1</b>" in page

    office = client_for("office")
    page = office.get("/notifications").get_data(as_text=True)
    assert "<b>1</b>" in page
    mine = db.session.scalar(
        select(Notification.id).where(Notification.user_id == world["users"]["liaison"].id)
    )
    assert office.post(f"/notifications/{mine}/read").status_code == 404
    assert client.post(f"/notifications/{mine}/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, mine).read_at is not None
    assert "<b>0</b>" in client.get("/notifications").get_data(as_text=True)

    assert office.post("/notifications/read-all").status_code == 302
    db.session.expire_all()
    unread = dict(
        db.session.execute(
            select(Notification.user_id, func.count())
            .where(Notification.read_at.is_(None))
            .group_by(Notification.user_id)
        ).all()
    )
    assert unread == {world["users"]["other_liaison"].id: 1}  # only the office's were marked


def test_centre_page_runs_constant_statements(world, client_for, count_statements):
    ids = world["ids"]
    client = client_for("office")
    _notify(_alert("a0", "task_overdue", 2, ids["own_task"], "fgw"))
    with count_statements() as few:
        assert client.get("/notifications").status_code == 200
    _notify(*[_alert(f"a{i}", "task_overdue", 2, ids["own_task"], "fgw") for i in range(1, 30)])
    with count_statements() as many:
        page = client.get("/notifications").get_data(as_text=True)
    assert many.count == few.count
    assert page.count('data-testid="notification"') == 30


def test_preferences_validate_and_save(world, client_for):
    client = client_for("liaison")
    client.set_cookie("tracker_lang", "en")
    response = client.post(
        "/notifications/preferences", data={"email": "not-an-address", "notify_email": "y"}
    )
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)
    response = client.post("/notifications/preferences", data={"email": "", "notify_email": "y"})
    assert response.status_code == 400
    response = client.post(
        "/notifications/preferences", data={"email": "fgw@example.org", "notify_email": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, world["users"]["liaison"].id)
    assert (user.email, user.notify_email) == ("fgw@example.org", True)
    client.post("/notifications/preferences", data={"email": "fgw@example.org"})
    db.session.expire_all()
    assert db.session.get(User, user.id).notify_email is False


def test_admin_adds_and_removes_robots(world, client_for):
    client = client_for("admin")
    client.set_cookie("tracker_lang", "en")
    unit = _unit("fgw")
    bad = client.post(
        "/admin/webhooks", data={"unit_id": unit, "kind": "wecom", "url": "ftp://x/y"}
    )
    assert bad.status_code == 400
    assert "http:// or https://" in bad.get_data(as_text=True)
    ok = client.post(
        "/admin/webhooks",
        data={
            "unit_id": unit,
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send",
            "secret": "SEC",
        },
    )
    assert ok.status_code == 302
    hook = db.session.scalar(select(UnitWebhook))
    assert (hook.unit_id, hook.kind, hook.secret) == (unit, "dingtalk", "SEC")
    assert "oapi.dingtalk.com" in client.get("/admin/webhooks").get_data(as_text=True)
    _notify(_alert("a1", "task_overdue", 1, world["ids"]["own_task"], "fgw"))
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(UnitWebhook)) == 0
    assert [m.state for m in _outbox()] == ["cancelled"]


def test_an_escalated_alert_tells_the_office_and_joins_its_digest(now, world, smtp_server):
    """Swept yesterday at level 1 (the liaison), escalated today to 催办: the office is told
    today and finds it in today's digest; the liaison is not told twice."""
    users, ids = world["users"], world["ids"]
    _set_email(users["office"], "office@example.org")
    yesterday = TODAY - timedelta(days=1)
    alert = _alert("a1", "task_overdue", 1, ids["own_task"], "fgw", swept_on=yesterday)
    _notify(alert, today=yesterday)
    assert _recipients(alert) == {"liaison1"}
    db.session.get(Alert, alert).level = 2
    db.session.commit()
    local_today = datetime.now(LOCAL_TZ).date()  # the day the notification is made
    _notify(alert, today=local_today)
    assert _recipients(alert) == {"liaison1", "office1"}
    assert digests.build_email_digests(local_today) == 1
    db.session.commit()
    delivery.process_outbox(now, smtp_config=smtp_server.config)
    [envelope] = smtp_server.envelopes
    mail = message_from_bytes(envelope.content, policy=default_policy)
    assert "【催办】任务已逾期" in mail.get_body(("plain",)).get_content()
