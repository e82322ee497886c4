"""A leader opens the dashboard in a real browser: the ECharts charts are drawn beside their
tables, a red unit in the overdue table leads to the unit's page, and its overdue task to
the task page."""

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Task
from tracker.units.models import Unit

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser


def _only_red(live_server):
    """Every task due far ahead except two: item 1 (市发改委) and item 2 (市科技局), both in
    progress and due 2020-12-31, so those two units are the red units."""
    red = [live_server.task_id(1), live_server.task_id(2)]
    with live_server.app.app_context():
        db.session.execute(update(Task).values(due_date=date(2099, 12, 31)))
        # the seeded phase milestones (2021–2023, not done) would make more tasks red
        db.session.execute(delete(Milestone))
        db.session.execute(
            update(Task)
            .where(Task.id.in_(red))
            .values(status="in_progress", due_date=date(2020, 12, 31))
        )
        db.session.commit()
        fgw = db.session.scalar(select(Unit.id).where(Unit.code == "fgw"))
        title = db.session.scalar(select(Task.title).where(Task.id == red[0]))
        db.session.remove()
    return red[0], fgw, title


def test_leader_drills_down_from_a_red_unit_to_its_overdue_task(page, live_server, sign_in):
    task_id, fgw, title = _only_red(live_server)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, live_server, "leader")
    page.get_by_test_id("nav-dashboard").click()
    expect(page).to_have_url(live_server("/dashboard"))

    # the charts are drawn by the vendored ECharts, each beside its table
    # (the scripts are deferred: wait for them rather than read too early)
    page.wait_for_load_state("load")  # wait_for_function polls with eval, which the CSP refuses
    assert page.evaluate("() => typeof window.echarts") == "object"
    for key in ("plans", "overdue", "punctuality"):
        chart = page.get_by_test_id(f"chart-{key}")
        expect(chart).to_be_visible()
        expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("plan-progress")).to_be_visible()
    expect(page.get_by_test_id("punctuality-months")).to_be_visible()
    expect(page.get_by_test_id("figure-red")).to_have_text("2")

    overdue = page.get_by_test_id("overdue-units")
    expect(overdue.get_by_test_id("red-unit")).to_have_count(2)
    row = overdue.locator(f"tr[data-unit-id='{fgw}']")
    expect(row.get_by_test_id("overdue-count")).to_have_text("1")
    row.get_by_role("link", name="市发改委").click()

    expect(page).to_have_url(live_server(f"/dashboard/units/{fgw}"))
    expect(page.get_by_test_id("unit-name")).to_have_text("市发改委")
    first = page.get_by_test_id("unit-task").first
    expect(first).to_have_attribute("data-light", "red")
    expect(first).to_have_attribute("data-task-id", str(task_id))
    first.get_by_test_id("task-link").click()

    expect(page).to_have_url(live_server(f"/tasks/{task_id}"))
    expect(page.locator("h1")).to_contain_text(title)
    assert errors == []


def test_the_dashboard_stacks_on_a_phone(new_context, live_server, sign_in):
    """At phone width the chart sits above its table, both as wide as the screen."""
    _only_red(live_server)
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server, "leader")
    page.goto(live_server("/dashboard"))
    page.get_by_test_id("chart-overdue").wait_for(state="visible")  # drawn once its JSON came
    chart = page.get_by_test_id("chart-overdue").bounding_box()
    table = page.get_by_test_id("overdue-units").bounding_box()
    assert table["y"] >= chart["y"] + chart["height"]
    assert chart["width"] > 300 and table["width"] > 300
