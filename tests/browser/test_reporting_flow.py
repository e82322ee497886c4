"""A liaison files a month's reports in a real browser; the office returns one and accepts
another."""

import pytest
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser


def _open(live_server, numbers):
    with live_server.app.app_context():
        ids = [live_server.task_id(n) for n in numbers]
        db.session.execute(update(Task).where(Task.id.in_(ids)).values(status="in_progress"))
        db.session.commit()
        db.session.remove()
    return ids


def _states(live_server, task_ids):
    with live_server.app.app_context():
        rows = db.session.execute(
            select(
                ProgressReport.task_id,
                ProgressReport.state,
                ProgressReport.return_reason,
                ProgressReport.quality,
            ).where(ProgressReport.task_id.in_(task_ids))
        ).all()
        db.session.remove()
    return {r.task_id: (r.state, r.return_reason, r.quality) for r in rows}


def _sign_out(page):
    page.locator("form[action='/logout'] button").click()


def test_liaison_files_reports_office_returns_one_accepts_another(page, live_server, sign_in):
    task1, task10 = _open(live_server, [1, 10])  # both led by 市发改委

    sign_in(page, live_server, "fgw")
    page.get_by_test_id("nav-month").click()
    for number, text in ((1, "完成示范基地申报材料初审"), (10, "创意+工厂模式试点落地2家")):
        page.get_by_test_id("nav-month").click()  # a submission lands on the report's card
        card = page.get_by_test_id(f"report-card-{number}")
        card.locator("textarea[name=progress]").fill(text)
        card.locator("input[name=percent]").fill("60")
        card.locator("textarea[name=problems]").fill("无")
        card.locator("button[name=action][value=submit]").click()
        expect(page.get_by_test_id(f"report-card-{number}")).to_contain_text(text)
    assert {s for s, _r, _q in _states(live_server, [task1, task10]).values()} == {"submitted"}
    _sign_out(page)

    sign_in(page, live_server, "office")
    page.get_by_test_id("nav-review").click()
    items = page.get_by_test_id("queue-item")
    expect(items).to_have_count(2)
    first = items.filter(has_text="完成示范基地申报材料初审")
    first.locator("input[name=reason]").fill("请补充佐证材料")
    first.locator("button[name=decision][value=return]").click()
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    second = page.get_by_test_id("queue-item").filter(has_text="创意+工厂模式试点落地2家")
    second.locator("input[name=quality][value=good]").check()
    second.locator("button[name=decision][value=accept]").click()
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    assert _states(live_server, [task1, task10]) == {
        task1: ("returned", "请补充佐证材料", None),
        task10: ("accepted", None, "good"),
    }
    _sign_out(page)

    sign_in(page, live_server, "fgw")
    page.get_by_test_id("nav-month").click()
    expect(page.get_by_test_id("report-card-1")).to_contain_text("请补充佐证材料")
    expect(page.get_by_test_id("report-card-1").locator("textarea[name=progress]")).to_have_value(
        "完成示范基地申报材料初审"
    )
