"""API fixtures: the `world` with reports, notices, alerts, instructions and scorecards of
two units, and a read/write token for every role."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tracker.api.tokens import create_token
from tracker.extensions import db
from tracker.plans.models import Task
from tracker.reports import services as report_services
from tracker.reports.periods import current_period
from tracker.scoring.models import Scorecard
from tracker.supervision.models import Alert, Instruction, SupervisionNotice
from tracker.timeutil import today
from tracker.units.models import Unit

ROLES = ("admin", "office", "leader", "liaison", "other_liaison")
VALUES = {
    "progress": "本月完成示范基地申报材料初审。",
    "percent": 40,
    "problems": "用地指标紧张",
    "next_steps": "下月报送省级评审",
}


def _unit(code):
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


@pytest.fixture
def api_world(world):
    """`world` plus, for 市发改委 (fgw, `liaison`) and 市科技局 (kjj, `other_liaison`): a
    submitted report each on its own task, kjj's lead report on co_task (fgw is co-unit there
    and must not read it), a notice, an alert, an instruction and a scorecard each."""
    ids, users = world["ids"], world["users"]
    db.session.execute(
        update(Task).where(Task.plan_id == ids["own_plan"]).values(status="in_progress")
    )
    db.session.commit()
    period = current_period(today())
    db.session.commit()
    made = {}
    for key, who, task in (
        ("own_report", "liaison", "own_task"),
        ("other_report", "other_liaison", "other_task"),
        ("lead_report_on_co_task", "other_liaison", "co_task"),
    ):
        report = report_services.save_report(
            users[who], period, ids[task], 0, dict(VALUES), submit=True
        )
        made[key] = report.id
    fgw, kjj = _unit("fgw"), _unit("kjj")
    day = today()
    for key, unit, task in (("own", fgw, "own_task"), ("other", kjj, "other_task")):
        notice = SupervisionNotice(
            year=day.year,
            seq=1 if key == "own" else 2,
            number=f"督办〔{day.year}〕{1 if key == 'own' else 2}号",
            task_id=ids[task],
            unit_id=unit,
            required_actions="限期整改",
            issued_on=day,
            answer_due=day + timedelta(days=7),
        )
        alert = Alert(
            key=f"test:{key}",
            kind="task_overdue",
            level=2,
            task_id=ids[task],
            unit_id=unit,
            swept_on=day,
            due_date=day - timedelta(days=1),
            detail={},
        )
        instruction = Instruction(
            task_id=ids[task],
            author_id=users["leader"].id,
            text="请加快推进",
            answer_due=day + timedelta(days=5),
        )
        card = Scorecard(
            period=f"{day.year:04d}-{day.month:02d}",
            unit_id=unit,
            score=Decimal("98.5"),
            deductions=Decimal("1.5"),
            credits=Decimal(0),
            rank=1 if key == "own" else 2,
            rule_set_version=1,
            computed_on=date(day.year, day.month, 1),
        )
        db.session.add_all([notice, alert, instruction, card])
        db.session.flush()
        made.update(
            {
                f"{key}_notice": notice.id,
                f"{key}_alert": alert.id,
                f"{key}_instruction": instruction.id,
                f"{key}_scorecard": card.id,
            }
        )
    db.session.commit()
    return {**world, "ids": {**ids, **made, "fgw": fgw, "kjj": kjj}}


@pytest.fixture
def tokens(api_world):
    """{role: secret} of a read/write personal token of each `world` user (an admin's is
    read-only whatever it asks for)."""
    secrets = {}
    for role in ROLES:
        _token, secret = create_token(api_world["users"][role], f"{role} token", can_write=True)
        secrets[role] = secret
    db.session.commit()
    return secrets


def auth(secret, **headers):
    return {"Authorization": f"Bearer {secret}", **headers}
