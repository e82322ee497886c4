"""The API's task list colours a task as the /tasks list does (the SQL light of
plans.light_sql: the deadline and the milestones), and reads the percent from the lead
unit's latest ACCEPTED report only."""

from datetime import timedelta

from sqlalchemy import update

from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, lights_of
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Task
from tracker.reports.models import ProgressReport
from tracker.settings import get_setting
from tracker.timeutil import today


def auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def _items(client, secret, **query):
    args = "&".join(f"{k}={v}" for k, v in {"limit": 100, **query}.items())
    return client.get(f"/api/v1/tasks?{args}", headers=auth(secret)).get_json()["items"]


def test_light_is_the_task_lists_light_milestones_included(client, api_world, tokens):
    ids, day = api_world["ids"], today()
    # due in a year, but a milestone not done is overdue: the list shows it red
    db.session.execute(
        update(Task).where(Task.id == ids["own_task"]).values(due_date=day + timedelta(days=365))
    )
    db.session.add(
        Milestone(task_id=ids["own_task"], due_date=day - timedelta(days=3), deliverable="方案")
    )
    db.session.commit()

    items = _items(client, tokens["office"])
    bounds = bounds_on(day, load_calendar(), int(get_setting("yellow_working_days")))
    expected = lights_of([t["id"] for t in items], bounds)
    assert {t["id"]: t["light"] for t in items} == expected
    assert expected[ids["own_task"]] == "red"
    single = client.get(f"/api/v1/tasks/{ids['own_task']}", headers=auth(tokens["office"]))
    assert single.get_json()["light"] == "red"


def test_percent_is_the_lead_units_latest_accepted_report(client, api_world, tokens):
    ids = api_world["ids"]
    db.session.execute(
        update(ProgressReport)
        .where(ProgressReport.id == ids["own_report"])
        .values(state="accepted", percent=40)
    )
    db.session.commit()
    by_id = {t["id"]: t for t in _items(client, tokens["office"])}
    assert by_id[ids["own_task"]]["percent"] == 40
    # submitted, not yet accepted: no progress is shown
    assert by_id[ids["other_task"]]["percent"] is None
