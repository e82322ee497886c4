"""A liaison in a real browser: signs in, sees its own tasks and not another unit's, signs out.

Assertions rely on data-testid hooks and on the Chinese data (unit names, task titles), not on
UI labels, except for <html lang>, which says the UI is Chinese by default.
"""

import json
import re
from urllib.parse import urlsplit

import pytest

from tracker.plans.seeding import SEEDS_PATH

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

PLAN_DOC = "长发〔2017〕29号"
FGW = "市发改委"
TASK_1 = "加速建设“双创”示范基地"  # lead 市发改委
TASK_2 = "大力发展众创空间"  # lead 市科技局, no co-unit
TASK_12 = "推动传统产业改造升级"  # lead 市经信委 (now 市工信局), no co-unit


def _numbers_of(unit: str) -> set[int]:
    """Numbers of the 长发〔2017〕29号 tasks where `unit` leads or co-operates (seed file)."""
    data = json.loads((SEEDS_PATH / "plans" / "changfa-2017-29.json").read_text("utf-8"))
    return {
        task["number"]
        for section in data["sections"]
        for task in section["tasks"]
        if task["lead_unit"] == unit or unit in (task.get("co_units") or [])
    }


def _path(page) -> str:
    return urlsplit(page.url).path


def _open_demo_plan(page, live_server):
    page.goto(live_server("/plans"))
    plans = page.get_by_test_id("plan-list")
    plans.locator("tr", has_text=PLAN_DOC).get_by_role("link").click()
    expect(page).to_have_url(live_server(f"/plans/{live_server.plan_id()}"))


def test_liaison_sees_only_own_tasks_and_signs_out(page, live_server, sign_in):
    page.goto(live_server("/login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    sign_in(page, live_server, "fgw")
    expect(page).to_have_url(live_server("/"))
    expect(page.get_by_test_id("current-user")).to_contain_text(FGW)
    mine = page.get_by_test_id("my-tasks")
    expect(mine).to_contain_text(TASK_1)
    expect(mine).not_to_contain_text(TASK_2)
    expect(mine).not_to_contain_text(TASK_12)

    # The plan page lists exactly the tasks 市发改委 leads or co-operates on.
    _open_demo_plan(page, live_server)
    rows = page.get_by_test_id("task-row")
    expected = _numbers_of(FGW)
    expect(rows).to_have_count(len(expected))
    numbers = {int(n) for n in rows.locator("td.num").all_inner_texts()}
    assert numbers == expected
    for text in rows.all_inner_texts():
        assert FGW in text, text
    expect(rows.filter(has_text=TASK_1)).to_have_count(1)
    body = page.locator("main")
    expect(body).not_to_contain_text(TASK_2)
    expect(body).not_to_contain_text(TASK_12)

    # Another unit's task, opened by its address: a plain 404 that reveals nothing.
    response = page.goto(live_server(f"/tasks/{live_server.task_id(2)}"))
    assert response is not None and response.status == 404
    expect(page.locator("main")).not_to_contain_text(TASK_2)
    expect(page.get_by_test_id("current-user")).to_contain_text(FGW)  # still signed in

    # Sign out with the header button (a POST with its CSRF token).
    page.locator("form[action$='/logout'] button[type='submit']").click()
    expect(page).to_have_url(live_server("/login"))
    expect(page.get_by_test_id("current-user")).to_have_count(0)

    response = page.goto(live_server("/"))
    assert _path(page) == "/login", page.url
    expect(page.get_by_test_id("my-tasks")).to_have_count(0)
    response = page.goto(live_server(f"/plans/{live_server.plan_id()}"))
    assert _path(page) == "/login", page.url


def test_wrong_password_shows_error_and_stays_on_login(page, live_server, sign_in):
    sign_in(page, live_server, "fgw", "not-the-password")
    assert _path(page) == "/login", page.url
    expect(page.locator("main .flash-error, main [role='alert']").first).to_be_visible()
    expect(page.locator("main .flash-error, main [role='alert']").first).not_to_be_empty()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    expect(page.locator("input[name='username']")).to_have_value("fgw")

    page.goto(live_server("/"))
    assert _path(page) == "/login", page.url  # no session was opened


def test_plan_page_fits_a_phone(new_context, live_server, sign_in, tmp_path):
    context = new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    sign_in(page, live_server, "fgw")
    expect(page).to_have_url(live_server("/"))
    _open_demo_plan(page, live_server)
    expect(page.get_by_test_id("task-row").filter(has_text=TASK_1)).to_be_visible()

    width = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    shot = tmp_path / "plan-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert width["scroll"] <= width["inner"] + 1, (
        f"horizontal scrolling on a 390px phone: {width}; screenshot {shot}"
    )
    # The tasks stay readable: no row is wider than the screen.
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=task-row]')]"
        ".map(r => r.getBoundingClientRect().right))"
    )
    assert widest <= width["inner"] + 1, f"a task row overflows: right edge {widest}px; {shot}"
    assert re.fullmatch(r"/plans/\d+", _path(page))
