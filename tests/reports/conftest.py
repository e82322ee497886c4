import pytest
from sqlalchemy import update

from tracker.extensions import db
from tracker.plans.models import Task


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
