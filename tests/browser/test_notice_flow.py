"""The office sees the red tasks, issues a supervision notice (督办单), the liaison answers
it, and the office sees it answered — in a real browser."""

from datetime import datetime

import pytest
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.supervision.models import SupervisionNotice
from tracker.timeutil import LOCAL_TZ

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser


def _sign_out(page):
    page.locator("form[action='/logout'] button").click()


def _notice(live_server):
    with live_server.app.app_context():
        notice = db.session.scalar(select(SupervisionNotice))
        db.session.expunge_all()
        db.session.remove()
    return notice


def test_office_issues_a_notice_on_a_red_task_and_the_liaison_answers(page, live_server, sign_in):
    task_id = live_server.task_id(1)  # 长发〔2017〕29号 item 1, led by 市发改委, due 2020-12-31
    with live_server.app.app_context():
        db.session.execute(update(Task).where(Task.id == task_id).values(status="in_progress"))
        db.session.commit()
        db.session.remove()
    number = f"督办〔{datetime.now(LOCAL_TZ).year}〕1号"

    sign_in(page, live_server, "office")
    page.goto(live_server("/notices"))
    red = page.get_by_test_id("red-tasks").locator(f"[data-task-id='{task_id}']")
    expect(red).to_be_visible()
    expect(red.get_by_test_id("light-red")).to_be_visible()
    red.get_by_test_id("issue-notice").click()
    expect(page.get_by_test_id("notice-unit")).to_have_text("市发改委")
    form = page.get_by_test_id("notice-form")
    form.locator("textarea[name=required_actions]").fill(
        "一、五个工作日内完成示范基地申报\n二、书面报告进展"
    )
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("notice-number")).to_have_text(number)
    expect(page.get_by_test_id("notice-state")).to_have_attribute("data-state", "issued")
    _sign_out(page)

    sign_in(page, live_server, "fgw")
    page.goto(live_server("/notices"))
    row = page.get_by_test_id("notice-row").filter(has_text=number)
    expect(row).to_have_count(1)
    row.get_by_test_id("notice-link").click()
    expect(page.get_by_test_id("notice-actions")).to_contain_text("五个工作日内完成示范基地申报")
    answer = page.get_by_test_id("notice-answer-form")
    answer.locator("textarea[name=text]").fill("已完成申报材料初审并报送")
    answer.locator("button[type=submit]").click()
    expect(page.get_by_test_id("notice-answer")).to_contain_text("已完成申报材料初审并报送")
    expect(page.get_by_test_id("notice-answer-form")).to_have_count(0)
    _sign_out(page)

    sign_in(page, live_server, "office")
    page.goto(live_server("/notices"))
    state = page.get_by_test_id("notice-row").filter(has_text=number).get_by_test_id("notice-state")
    expect(state).to_have_attribute("data-state", "answered")
    notice = _notice(live_server)
    assert (notice.number, notice.state, notice.answer) == (
        number,
        "answered",
        "已完成申报材料初审并报送",
    )
