"""Robot messages carry unit names, task titles and reasons as inert text (issue 12, 8):
a hostile title makes no link, mention, heading or HTML in the WeCom or DingTalk markdown."""

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.supervision.delivery import channels, notify
from tracker.supervision.models import OutboxMessage, UnitWebhook
from tracker.units.models import Unit

HOSTILE_TITLE = "[点此查看](http://evil.example) <at>所有人</at> **紧急**\n### 伪造"
HOSTILE_UNIT = '<font color="warning">市发改委</font>@13800000000'
HOSTILE_REASON = "![](http://evil.example/x.png)\n> 伪造的督查室意见"


@pytest.fixture
def hostile(world):
    fgw = db.session.scalar(select(Unit).where(Unit.code == "fgw"))
    fgw.name = HOSTILE_UNIT
    task = db.session.get(Task, world["ids"]["own_task"])
    task.title = HOSTILE_TITLE
    for kind in ("wecom", "dingtalk"):
        db.session.add(
            UnitWebhook(unit_id=fgw.id, kind=kind, url=f"http://127.0.0.1:9/{kind}", active=True)
        )
    db.session.commit()
    return task, fgw


@pytest.mark.parametrize("channel", ["wecom", "dingtalk"])
def test_a_hostile_title_unit_and_reason_stay_text(app, hostile, channel):
    app.config["TRACKER_BASE_URL"] = "https://tracker.example.gov.cn"
    task, fgw = hostile
    notify.notify_event(
        "report_returned", task, [fgw.id], period="2026年11月", reason=HOSTILE_REASON
    )
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == channel))
    payload = channels.webhook_payload(channel, message.subject, message.payload["lines"])
    markdown = payload["markdown"]
    text = markdown["content"] if channel == "wecom" else markdown["text"]

    # the one link is the system's own
    assert text.count("](") == 1
    assert f"](https://tracker.example.gov.cn/tasks/{task.id})" in text
    for markup in ("evil.example)", "<", ">", "@1380", "**紧急", "\n###", "\n>", "!["):
        assert markup not in text, markup
    # one heading and one line: a newline in the title or reason starts nothing
    assert text.count("\n") == 1 and text.startswith("### ")
    # what people wrote is still there to read
    assert "点此查看" in text and "所有人" in text and "伪造的督查室意见" in text
    assert "市发改委" in text
    if channel == "dingtalk":
        assert "<" not in markdown["title"] and "[" not in markdown["title"]
