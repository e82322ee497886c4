"""In a real browser: the office opens 报送负担 from the navigation, opens 市科技局's overlapping
tasks, links the two 双创载体 tasks of the two plans (一报多用), sees both task pages show each
other, and unlinks them again; on a phone the load table still fits the screen."""

import pytest
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task, TaskCoUnit
from tracker.units.models import Unit

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser


def _overlap(live_server):
    """市科技局 becomes a co-unit of the zone plan's "扩规提质双创载体"."""
    with live_server.app.app_context():
        kjj = db.session.scalar(select(Unit.id).where(Unit.code == "kjj"))
        changfa = db.session.scalar(select(Task.id).where(Task.title == "鼓励发展其他“双创”载体"))
        zone = db.session.scalar(select(Task.id).where(Task.title == "扩规提质双创载体"))
        db.session.add(TaskCoUnit(task_id=zone, unit_id=kjj, position=9))
        db.session.execute(
            update(Task).where(Task.id.in_([changfa, zone])).values(status="in_progress")
        )
        db.session.commit()
        db.session.remove()
    return kjj, changfa, zone


def test_office_links_overlapping_tasks_and_unlinks_them(page, new_context, live_server, sign_in):
    kjj, changfa, zone = _overlap(live_server)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "office")
    page.get_by_test_id("nav-reporting-load").click()
    expect(page.get_by_test_id(f"load-row-{kjj}")).to_be_visible()
    page.get_by_test_id(f"load-row-{kjj}").locator("a").click()

    pair = f"{changfa}-{zone}"
    expect(page.get_by_test_id(f"overlap-{pair}")).to_be_visible()
    page.get_by_test_id(f"link-{pair}").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id(f"linked-{pair}")).to_be_visible()

    page.goto(live_server(f"/tasks/{zone}"))
    expect(page.get_by_test_id(f"linked-task-{changfa}")).to_be_visible()
    page.get_by_test_id(f"linked-task-{changfa}").locator("a").click()
    expect(page.get_by_test_id(f"linked-task-{zone}")).to_be_visible()
    page.get_by_test_id("unlink-form").locator("button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("task-linked")).to_have_count(0)

    phone = new_context(viewport={"width": 375, "height": 740}).new_page()
    sign_in(phone, live_server, "office")
    phone.goto(live_server("/reporting-load"))
    expect(phone.get_by_test_id("load-table")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    assert not errors, errors
