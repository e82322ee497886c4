from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports.models import ReportingPeriod
from tracker.supervision.workflow import services as workflow


@pytest.fixture
def open_tasks(world):
    """Every task of 长发〔2017〕29号 in progress, so its units report on them."""
    plan_id = world["ids"]["own_plan"]
    db.session.execute(update(Task).where(Task.plan_id == plan_id).values(status="in_progress"))
    db.session.commit()
    return world


@pytest.fixture
def report_form():
    """report_form(task_id, version=0, action="draft", **overrides) -> POST data."""
    return _report_form


def _report_form(task_id, version=0, action="draft", **values):
    data = {
        "task_id": str(task_id),
        "version": str(version),
        "progress": "本月完成示范基地申报材料初审。",
        "percent": "40",
        "problems": "用地指标紧张",
        "next_steps": "下月报送省级评审",
        "action": action,
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


@pytest.fixture
def october_owed(world, client_for):
    """The own task assigned on 1 September, so its October report is owed; October's
    period opened on 5 October (the liaison's month page). Returns that period."""
    ids = world["ids"]
    with freeze_time("2026-09-01 09:00:00"):
        workflow.assign_task(
            workflow.load_task_for_update(ids["own_task"]), world["users"]["office"], date.today()
        )
        db.session.commit()
    with freeze_time("2026-10-05 09:00:00"):
        client_for("liaison").get("/reports")  # October's period opens
    return db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.month == 10))
