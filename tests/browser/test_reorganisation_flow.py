"""A reorganisation that splits a unit, in a real browser (issue 14): the office records that
市经信委's energy work went to 市能源局 and the rest to 市工信局, then routes 市经信委's open
tasks between the two successors — two by hand, the rest with "route all remaining" — in one
submission; each task's page then names its new unit and its timeline the reorganisation.

Assertions rely on data-testid hooks and on the Chinese data, not on UI labels.
"""

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Task, TaskCoUnit
from tracker.units.models import Unit

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

REFORM = "2019年长治市市级党政机构改革"


def _units(live_server) -> dict[str, int]:
    with live_server.app.app_context():
        rows = dict(db.session.execute(select(Unit.code, Unit.id)).all())
        db.session.remove()
    return rows


def test_the_office_splits_a_units_open_tasks_between_two_successors(page, live_server, sign_in):
    with live_server.app.app_context():  # 市能源局 is set up by the admin beforehand
        db.session.add(Unit(name="市能源局", code="nyj", kind="gov_dept", aliases=[]))
        db.session.commit()
        db.session.remove()
    units = _units(live_server)
    sign_in(page, live_server, "office")

    # --- the directory leaves open successors to confirm; the office records the split ---
    page.goto(live_server("/units"))
    expect(page.get_by_test_id("unit-zxqyj").get_by_test_id("to-confirm")).to_be_visible()
    page.get_by_test_id("reorganisations-link").click()
    page.get_by_test_id("record-reorganisation").click()
    form = page.get_by_test_id("reorganisation-form")
    form.locator("input[name=title]").fill(REFORM)
    form.locator("input[name=doc_number]").fill("长办发〔2019〕10号")
    form.locator("input[name=effective_on]").fill("2019-01-28")
    form.locator("input[name=unit_id]").fill("市经信委")
    form.locator("input[name=successor_1]").fill("市工信局")
    form.locator("input[name=duties_1]").fill("其余职责")
    form.locator("input[name=successor_2]").fill("市能源局")
    form.locator("input[name=duties_2]").fill("能源工作")
    form.locator("button[type=submit]").click()

    # --- step 1: pick the old unit in the reorganisation; step 2: route its tasks ----------
    page.locator(f"[data-testid^='route-'][data-testid$='-{units['jxw']}']").click()
    rows = page.get_by_test_id("route-tasks").locator("tbody tr")
    expect(rows).to_have_count(7)
    energy = [live_server.task_id(12), live_server.task_id(32)]
    for task_id in energy:
        page.get_by_test_id(f"route-task-{task_id}").select_option(label="市能源局")
    page.get_by_test_id("all-remaining").select_option(label="市工信局")
    page.get_by_test_id("route-form").locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("7")
    expect(page.get_by_test_id("no-open-tasks")).to_be_visible()

    # --- each task's page names its new unit; the timeline gives the reorganisation ------
    page.goto(live_server(f"/tasks/{energy[0]}"))
    expect(page.get_by_test_id("lead-unit")).to_contain_text("市能源局")
    expect(page.locator("body")).to_contain_text("能源工作")
    with live_server.app.app_context():
        lead = dict(db.session.execute(select(Task.id, Task.lead_unit_id)).all())
        co_13 = db.session.scalars(
            select(TaskCoUnit.unit_id).where(TaskCoUnit.task_id == live_server.task_id(13))
        ).all()
        db.session.remove()
    assert [lead[t] for t in energy] == [units["nyj"], units["nyj"]]
    assert lead[live_server.task_id(6)] == units["gxj"]
    assert co_13 == [units["gxj"]]
