"""A liaison files last month's returned report (补报) from the month page, in a browser."""

import pytest
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.reports.periods import ensure_period, previous_month
from tracker.timeutil import today
from tracker.units.models import Unit

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser


def _returned_last_month(live_server, number):
    """Task `number` in progress; 市发改委's report of last month returned by the office."""
    with live_server.app.app_context():
        task_id = live_server.task_id(number)
        db.session.execute(update(Task).where(Task.id == task_id).values(status="in_progress"))
        period = ensure_period(*previous_month(today().year, today().month))
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
        db.session.add(
            ProgressReport(
                task_id=task_id,
                unit_id=unit_id,
                period_id=period.id,
                state="returned",
                progress="上月进展",
                percent=30,
                return_reason="请补充佐证数据",
            )
        )
        db.session.commit()
        key = period.key
        db.session.remove()
    return task_id, key


def test_liaison_files_last_months_returned_report(page, live_server, sign_in):
    task_id, key = _returned_last_month(live_server, 1)

    sign_in(page, live_server, "fgw")
    page.get_by_test_id("nav-month").click()
    earlier = page.get_by_test_id("earlier-months")
    expect(earlier).to_be_visible()
    card = page.get_by_test_id(f"report-card-1-{key}")
    expect(card).to_contain_text("请补充佐证数据")
    card.locator("textarea[name=progress]").fill("补报：上月完成示范基地申报材料初审")
    card.locator("input[name=percent]").fill("45")
    card.locator("button[name=action][value=submit]").click()

    expect(page.get_by_test_id("earlier-months")).to_have_count(0)
    assert page.url.endswith(f"#task-{task_id}-{key}")  # back at the filed row
    with live_server.app.app_context():
        report = db.session.scalar(select(ProgressReport).where(ProgressReport.task_id == task_id))
        assert (report.state, report.percent, report.progress) == (
            "submitted",
            45,
            "补报：上月完成示范基地申报材料初审",
        )
        db.session.remove()
