"""The task page's history is paged (50 events, newest first), by the audit index: a task
with a long history costs the same statements as one with a short history, and bad page
numbers are a page, never a 500."""

from datetime import datetime, timedelta

from lxml import html
from sqlalchemy import select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.pages.history import HISTORY_PAGE_SIZE


def _grow_history(task_id: int, n: int) -> None:
    start = datetime(2030, 1, 1)  # after the seeded events
    db.session.execute(
        AuditEvent.__table__.insert(),
        [
            {
                "occurred_at": start + timedelta(minutes=i),
                "action": "task.status_changed",
                "subject_type": "task",
                "subject_id": task_id,
                "actor_name": f"测试{i}",
                "detail": {"from": "assigned", "to": "in_progress"},
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def _events(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    doc = html.fromstring(response.data)
    return doc, doc.xpath("//section[@id='history']//ol[@class='timeline']/li[not(@class)]")


def test_history_is_paged_newest_first(world, client_for):
    task = world["ids"]["own_task"]
    before = db.session.scalar(
        select(db.func.count()).where(
            AuditEvent.subject_type == "task", AuditEvent.subject_id == task
        )
    )
    _grow_history(task, 2 * HISTORY_PAGE_SIZE)
    total = before + 2 * HISTORY_PAGE_SIZE
    client = client_for("office")
    doc, first = _events(client, f"/tasks/{task}")
    assert len(first) == HISTORY_PAGE_SIZE
    assert "测试99" in first[0].text_content()  # the newest event first
    assert doc.xpath("//nav[@class='pager']/a[@rel='next']")
    seen = len(first)
    page = 2
    while True:
        doc, events = _events(client, f"/tasks/{task}?page={page}")
        seen += len(events)
        if not doc.xpath("//nav[@class='pager']/a[@rel='next']"):
            break
        page += 1
    assert seen == total
    assert doc.xpath("//nav[@class='pager']/a[@rel='prev']")


def test_bad_page_numbers_are_pages(world, client_for):
    client = client_for("office")
    task = world["ids"]["own_task"]
    for page in ("0", "-3", "abc", "99999999999999999999", "１"):
        assert client.get(f"/tasks/{task}?page={page}").status_code == 200, page


def test_a_long_history_costs_the_same_statements(world, client_for, count_statements):
    client = client_for("liaison")
    task = world["ids"]["own_task"]

    def cost():
        with count_statements() as counter:
            assert client.get(f"/tasks/{task}").status_code == 200
        return counter.count

    short = cost()
    _grow_history(task, 3 * HISTORY_PAGE_SIZE)
    assert cost() == short
