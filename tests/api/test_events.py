"""Outgoing events: a real local HTTP receiver gets each event once, signed with
HMAC-SHA256; a refused delivery is retried with back-off through the outbox."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.reports.models import utcnow
from tracker.supervision.delivery.events import EventEndpoint, sign, verify
from tracker.supervision.delivery.outbox import process_outbox
from tracker.supervision.models import OutboxMessage


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((dict(self.headers), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received, server.statuses = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _endpoint(url, events):
    endpoint = EventEndpoint(
        name="OA", url=url, secret="s" * 64, events=events, active=True, created_at=utcnow()
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def _auth(secret, **headers):
    return {"Authorization": f"Bearer {secret}", **headers}


def test_a_review_is_sent_signed_once_and_retried_after_a_refusal(
    client, api_world, tokens, receiver
):
    endpoint = _endpoint(receiver.url, ["report.returned", "report.accepted"])
    time.sleep(0.01)
    report_id = api_world["ids"]["own_report"]
    tag = client.get(f"/api/v1/reports/{report_id}", headers=_auth(tokens["office"])).headers[
        "ETag"
    ]
    response = client.post(
        f"/api/v1/reports/{report_id}/review",
        json={"decision": "return", "reason": "请补充佐证材料"},
        headers=_auth(tokens["office"], **{"If-Match": tag}),
    )
    assert response.status_code == 200
    receiver.statuses = [500]  # the first try is refused
    first = process_outbox(utcnow())
    assert first["retry"] == 1 and len(receiver.received) == 1
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "event"))
    assert message.state == "pending" and message.attempts == 1
    assert message.next_attempt_at > utcnow()  # back-off
    second = process_outbox(utcnow() + timedelta(minutes=2))
    assert second["sent"] == 1 and len(receiver.received) == 2
    assert process_outbox(utcnow() + timedelta(minutes=30)) == {"sent": 0, "retry": 0, "failed": 0}

    headers, body = receiver.received[-1]
    assert headers["X-Tracker-Event"] == "report.returned"
    stamp = headers["X-Tracker-Timestamp"]
    assert verify(endpoint.secret, stamp, body, headers["X-Tracker-Signature"], int(stamp))
    assert not verify("other-secret", stamp, body, headers["X-Tracker-Signature"], int(stamp))
    assert not verify(
        endpoint.secret, stamp, body, headers["X-Tracker-Signature"], int(stamp) + 900
    )
    payload = json.loads(body)
    assert payload["event"] == "report.returned"
    assert payload["data"]["report_id"] == report_id
    assert "请补充佐证材料" not in body.decode()  # ids and states only, never the reason
    # the same delivery id on the retry: the receiver can drop duplicates
    assert receiver.received[0][0]["X-Tracker-Delivery"] == headers["X-Tracker-Delivery"]


def test_events_before_the_endpoint_or_not_chosen_are_not_sent(api_world, receiver):
    # api_world submitted three reports before the endpoint existed
    _endpoint(receiver.url, ["report.submitted", "bulletin.published"])
    process_outbox(utcnow())
    assert receiver.received == []


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"event":"task.assigned"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("k", 1700000000, body) == "sha256=" + expected


@pytest.mark.parametrize(
    ("url", "allow_local", "problem"),
    [
        ("https://oa.example.gov.cn/hook", False, None),
        ("http://oa.example.gov.cn/hook", False, "endpoint_url_not_https"),
        ("http://127.0.0.1:8080/hook", False, "endpoint_url_not_https"),
        ("http://127.0.0.1:8080/hook", True, None),
        ("http://10.0.0.5/hook", True, "endpoint_url_not_https"),
        ("https://user:pw@oa.example.gov.cn/", False, "endpoint_url_invalid"),
        ("oa.example.gov.cn/hook", False, "endpoint_url_invalid"),
        ("", False, "endpoint_url_invalid"),
        ("ftp://oa.example.gov.cn/", False, "endpoint_url_not_https"),
    ],
)
def test_endpoint_addresses(url, allow_local, problem):
    from tracker.api.rules import endpoint_url_problem

    assert endpoint_url_problem(url, allow_local) == problem
