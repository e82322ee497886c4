"""退回交办 in a real browser (issue 14): the office assigns task 1 (lead 市发改委); 市发改委's
liaison returns it as not its duty; the office sees the return in its queue and reassigns the
task to 市科技局, whose liaison then sees the task as its own, with the outcome on the timeline.

Assertions rely on data-testid hooks and on the Chinese data, not on UI labels.
"""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

TASK_1 = "加速建设“双创”示范基地"  # lead 市发改委
REASON = "双创示范基地建设属于市科技局职责，不属于本单位"
DECISION = "经研究，改由市科技局牵头"


def _as(new_context, live_server, sign_in, username):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, username)
    return page


def test_a_unit_contests_an_assignment_and_the_office_reassigns_it(
    page, new_context, live_server, sign_in
):
    task = live_server.task_id(1)

    # --- the office assigns the task to its lead unit ------------------------------------
    sign_in(page, live_server, "office")
    page.goto(live_server(f"/tasks/{task}"))
    page.get_by_test_id("assign-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("市发改委")

    # --- 市发改委's liaison returns it, with a reason -------------------------------------
    fgw = _as(new_context, live_server, sign_in, "fgw")
    fgw.goto(live_server(f"/tasks/{task}"))
    fgw.get_by_test_id("contest-open-form").click()
    form = fgw.get_by_test_id("contest-form")
    form.locator("textarea[name=reason]").fill(REASON)
    form.get_by_test_id("contest-submit").click()
    expect(fgw.get_by_test_id("contest-open")).to_be_visible()
    expect(fgw.get_by_test_id("contest-form")).to_have_count(0)

    # --- the office finds it in its queue and reassigns the task --------------------------
    page.goto(live_server("/supervision/contests"))
    row = page.get_by_test_id("contest-row").filter(has_text=TASK_1)
    expect(row).to_contain_text("市发改委")
    expect(row).to_contain_text(REASON[:10])
    row.get_by_role("link").last.click()
    decision = page.get_by_test_id("contest-decision")
    decision.locator("input[name=decision][value=reassign]").check()
    decision.locator("input[name=lead_unit_id]").fill("市科技局")
    decision.locator("textarea[name=reason]").fill(DECISION)
    page.get_by_test_id("contest-decide").click()
    expect(page).to_have_url(live_server(f"/tasks/{task}"))
    expect(page.get_by_test_id("lead-unit")).to_contain_text("市科技局")
    page.goto(live_server("/supervision/contests"))
    expect(page.get_by_test_id("contest-row")).to_have_count(0)

    # --- 市科技局's liaison sees the task, the decision and its own assignment -----------
    kjj = _as(new_context, live_server, sign_in, "kjj")
    kjj.goto(live_server(f"/tasks/{task}"))
    expect(kjj.get_by_test_id("lead-unit")).to_contain_text("市科技局")
    expect(kjj.get_by_test_id("assignments")).to_contain_text("市科技局")
    expect(kjj.get_by_test_id("assignments")).not_to_contain_text("市发改委")
    expect(kjj.get_by_test_id("contests")).to_contain_text(DECISION)
    expect(kjj.locator("#history")).to_contain_text(REASON[:10])
    expect(kjj.get_by_test_id("acknowledge-form")).to_be_visible()
    kjj.goto(live_server("/supervision/my"))
    expect(kjj.locator("main")).to_contain_text(TASK_1)

    # --- 市发改委 no longer answers for it ---------------------------------------------
    fgw.goto(live_server("/supervision/my"))
    expect(fgw.locator("main")).not_to_contain_text(TASK_1)
