import pytest
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.plans.models import Plan, Task, TaskCoUnit
from tracker.reports.models import ProgressReport, ReportingPeriod
from tracker.timeutil import today, utcnow
from tracker.units.models import Unit


def unit_id(code: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def task_titled(plan_key: str, title: str) -> Task:
    return db.session.scalar(
        select(Task)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.key == plan_key, Task.title == title)
    )


@pytest.fixture
def overlap(world):
    """市科技局 leads 长发〔2017〕29号's "鼓励发展其他“双创”载体" and is made a co-unit of the
    zone plan's "扩规提质双创载体": the same unit, similar titles, two plans."""
    changfa = task_titled("changfa-2017-29", "鼓励发展其他“双创”载体")
    zone = task_titled("czgxq-shuangchuang-2021", "扩规提质双创载体")
    db.session.add(TaskCoUnit(task_id=zone.id, unit_id=unit_id("kjj"), position=9))
    db.session.execute(
        update(Task).where(Task.id.in_([changfa.id, zone.id])).values(status="in_progress")
    )
    db.session.commit()
    return {"changfa": changfa.id, "zone": zone.id, "kjj": unit_id("kjj")}


@pytest.fixture
def file_report():
    """file_report(task_id, unit_code, state="submitted") -> a report of this month."""

    def make(task_id, code, state="submitted", progress="本月完成孵化器认定材料"):
        now = today()
        period = db.session.scalar(
            select(ReportingPeriod).where(
                ReportingPeriod.year == now.year, ReportingPeriod.month == now.month
            )
        )
        if period is None:
            period = ReportingPeriod(
                year=now.year, month=now.month, due_day=25, due_date=now.replace(day=25)
            )
            db.session.add(period)
            db.session.flush()
        report = ProgressReport(
            task_id=task_id,
            unit_id=unit_id(code),
            period_id=period.id,
            state=state,
            progress=progress,
            percent=40,
            submitted_at=utcnow(),
            first_submitted_at=utcnow(),
        )
        db.session.add(report)
        db.session.commit()
        return report.id

    return make
