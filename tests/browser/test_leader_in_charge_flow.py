"""In a real browser: the office names the leader in charge of a plan on its people page;
the leader signs in, finds 我分管的 on its home page and its own page with the red task
first, and opens the 挂图作战 chart, which prints on A3 landscape."""

import re
from datetime import date

import pytest
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

A3_LANDSCAPE_PT = (1190.55, 841.89)  # 420 × 297 mm


def _one_red(live_server):
    """Every task of the plan due far ahead; item 5 in progress and due 2020 (red)."""
    red = live_server.task_id(5)
    with live_server.app.app_context():
        db.session.execute(update(Task).values(due_date=date(2099, 12, 31)))
        db.session.execute(
            update(Task)
            .where(Task.id == red)
            .values(status="in_progress", due_date=date(2020, 12, 31))
        )
        db.session.commit()
        title = db.session.scalar(select(Task.title).where(Task.id == red))
        db.session.remove()
    return red, title


def _media_box(pdf: bytes) -> tuple[float, float]:
    found = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert found, "no MediaBox in the printed PDF"
    return float(found.group(1)), float(found.group(2))


def test_leader_sees_the_red_task_first_and_prints_the_wall_chart(
    page, new_context, live_server, sign_in
):
    red_id, red_title = _one_red(live_server)
    plan_id = live_server.plan_id()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # the office names 市领导(演示) leader in charge of the whole plan
    sign_in(page, live_server, "office")
    page.goto(live_server(f"/plans/{plan_id}"))
    page.get_by_test_id("plan-people-link").click()
    form = page.get_by_test_id("plan-leader-form")
    form.locator("input[name=leader_id]").fill("市领导(演示)")
    form.locator("button[type='submit']").click()
    expect(page.locator(".flash-success")).to_be_visible()

    # the leader, in a fresh context, sees the red task first on its home page
    leader_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    leader_page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(leader_page, live_server, "leader")
    home = leader_page.get_by_test_id("leading-home")
    expect(home).to_be_visible()
    first = home.get_by_test_id("leading-row").first
    expect(first).to_have_attribute("data-task", str(red_id))
    expect(first).to_have_attribute("data-light", "red")
    expect(first).to_contain_text(red_title)

    # …and on 我分管的 itself
    leader_page.get_by_test_id("nav-leading").click()
    expect(leader_page).to_have_url(live_server("/leading"))
    rows = leader_page.get_by_test_id("leading-row")
    expect(rows.first).to_have_attribute("data-task", str(red_id))
    expect(rows.first.locator(".light-red")).to_be_visible()
    expect(rows.nth(1)).not_to_have_attribute("data-light", "red")

    # the wall chart: every task of the plan once, printed on A3 landscape
    leader_page.get_by_test_id("leader-chart-link").click()
    chart_rows = leader_page.get_by_test_id("chart-row")
    expect(chart_rows.first).to_be_visible()  # the chart page has loaded
    ids = chart_rows.evaluate_all("rows => rows.map(r => r.dataset.task)")
    assert len(ids) == len(set(ids)) and str(red_id) in ids
    leader_page.emulate_media(media="print")
    expect(leader_page.locator(".site-header")).to_be_hidden()
    pdf = leader_page.pdf(prefer_css_page_size=True, print_background=True)
    width, height = _media_box(pdf)
    assert (round(width), round(height)) == tuple(round(x) for x in A3_LANDSCAPE_PT)
    # on a phone the chart is a list of cards, none wider than the screen
    phone = new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(phone, live_server, "leader")
    phone.goto(live_server(f"/plans/{plan_id}/wall-chart"))
    expect(phone.get_by_test_id("chart-row").first).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert errors == []
