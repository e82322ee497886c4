"""Delivery channels: e-mail over SMTP and the WeCom / DingTalk group robots (signed for
DingTalk). Each sends one outbox message or raises DeliveryError."""

import base64
import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage

from flask import current_app

from tracker.extensions import db
from tracker.supervision.delivery.rules import robot_text
from tracker.supervision.models import OutboxMessage, UnitWebhook


class DeliveryError(Exception):
    """The server refused or could not be reached; the message is retried."""


def app_setting(name: str, default=None):
    """A delivery setting: the app's config, else the environment, else `default`."""
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def flag(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def smtp_config_from_app() -> dict:
    """TRACKER_SMTP_* from the app config, else the environment."""
    return {
        "host": app_setting("TRACKER_SMTP_HOST", "localhost"),
        "port": int(app_setting("TRACKER_SMTP_PORT", 25)),
        "sender": app_setting("TRACKER_SMTP_FROM", "tracker@localhost"),
        "user": app_setting("TRACKER_SMTP_USER"),
        "password": app_setting("TRACKER_SMTP_PASSWORD"),
        "starttls": flag(app_setting("TRACKER_SMTP_STARTTLS", "0")),
        "timeout": float(app_setting("TRACKER_SMTP_TIMEOUT", 10)),
    }


def send_email(message: OutboxMessage, config: dict) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["sender"]
    mail["To"] = message.recipient
    mail["Message-ID"] = f"<{message.key.replace(':', '.')}@tracker>"
    mail.set_content(message.body_text, charset="utf-8")
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html", charset="utf-8")
    try:
        with smtplib.SMTP(config["host"], config["port"], timeout=config["timeout"]) as smtp:
            if config["starttls"]:
                smtp.starttls()
            if config["user"]:
                smtp.login(config["user"], config["password"] or "")
            refused = smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"smtp: {exc}") from exc
    if refused:
        raise DeliveryError(f"smtp: recipients refused: {refused}")


def webhook_payload(channel: str, title: str, lines: list[str]) -> dict:
    """The group-robot markdown message of WeCom (企业微信) or DingTalk (钉钉). The title
    carries people's text (a unit's name, a task's title) and is made inert by robot_text;
    `lines` were made inert when they were queued (digests._line)."""
    title = robot_text(title)
    text = f"### {title}\n" + "\n".join(lines)
    if channel == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """DingTalk's signature: base64(HMAC-SHA256("timestamp\\nsecret")), url-encoded."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def send_webhook(message: OutboxMessage, timeout: float) -> None:
    payload = message.payload or {}
    hook = db.session.get(UnitWebhook, payload.get("webhook_id") or 0)
    url = hook.url if hook else message.recipient
    if message.channel == "dingtalk" and hook is not None and hook.secret:
        url = dingtalk_signed_url(url, hook.secret)
    body = json.dumps(
        webhook_payload(message.channel, message.subject, payload.get("lines", [])),
        ensure_ascii=False,
    ).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except OSError as exc:  # URLError, HTTPError (non-2xx), timeouts
        raise DeliveryError(f"{message.channel}: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"{message.channel}: HTTP {status}")
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError(f"{message.channel}: not JSON: {raw[:200]!r}") from exc
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"{message.channel}: errcode {answer.get('errcode')}: {answer}")
