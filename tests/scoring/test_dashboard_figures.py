"""The dashboard keeps its task figures while nothing they count changed (issue 13,
tracker.dashboard.figures), and never shows kept figures that a write has made stale.

Each write below changes what the dashboard shows. The test loads the dashboard (the
figures are kept), writes and commits as the app's code does (the ORM's flush, or an
UPDATE/INSERT statement through the session), then checks that the stamp moved and that
the dashboard now equals what counting afresh gives — and differs from before, so the
check can fail.
"""

from datetime import date

import pytest
from sqlalchemy import insert, select, update

from tests.scoring import test_dashboard as small_world
from tracker.dashboard import figures
from tracker.dashboard import queries as dashboard
from tracker.dashboard.models import PunctualityTally
from tracker.dashboard.stored import refresh_punctuality
from tracker.extensions import db
from tracker.kept import FiguresStamp
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Plan, Section, Task
from tracker.reports.models import ProgressReport
from tracker.units.models import Unit

OLD, TODAY = small_world.OLD, small_world.TODAY
# the world of tests/scoring/test_dashboard.py, and its clock (fixtures)
dash, frozen = small_world.dash, small_world.frozen


def fresh() -> dashboard.Overview:
    """The dashboard counted afresh (nothing kept)."""
    figures.forget()
    return dashboard.overview(TODAY)


def _task(dash, number):
    return db.session.get(Task, dash["tasks"][number])


def orm_due_date(dash):  # task 4 (green) is now overdue: red
    _task(dash, 4).due_date = OLD


def statement_closes(dash):  # task 1 (red) closed by an UPDATE statement
    db.session.execute(update(Task).where(Task.id == dash["tasks"][1]).values(status="closed"))


def new_task(dash):
    first = _task(dash, 1)
    db.session.add(
        Task(
            plan_id=first.plan_id,
            section_id=first.section_id,
            number=999,
            title="新任务",
            text="正文",
            lead_unit_id=dash["units"]["kjj"],
            status="assigned",
            due_date=OLD,
        )
    )


def inserted_milestone(dash):  # task 4 gets a missed milestone: red (combined light)
    db.session.execute(
        insert(Milestone).values(
            task_id=dash["tasks"][4], due_date=date(2026, 11, 1), deliverable="节点"
        )
    )


def plan_renamed(dash):
    db.session.get(Plan, dash["plan"]).doc_number = "长发〔2017〕99号"


def section_renamed(dash):
    db.session.get(Section, dash["section"]).title = "新的部分"


def unit_reorganised(dash):  # 市发改委's red task now counts for 市科技局
    db.session.get(Unit, dash["units"]["fgw"]).successor_id = dash["units"]["kjj"]


def unit_renamed(dash):
    db.session.execute(
        update(Unit).where(Unit.id == dash["units"]["fgw"]).values(name="市发展改革委")
    )


def sweep_recounts_punctuality(dash):  # the sweep writes a stored month's figures again
    db.session.execute(
        update(PunctualityTally)
        .where(
            PunctualityTally.month == "2026-10", PunctualityTally.unit_id == dash["units"]["fgw"]
        )
        .values(on_time=0, late=1)
    )


WRITES = [
    orm_due_date,
    statement_closes,
    new_task,
    inserted_milestone,
    plan_renamed,
    section_renamed,
    unit_reorganised,
    unit_renamed,
    sweep_recounts_punctuality,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_a_write_moves_the_stamp_and_the_dashboard_follows(dash, write):
    refresh_punctuality(TODAY)  # every month stored: punctuality is kept as well
    db.session.commit()
    before = dashboard.overview(TODAY)
    assert dashboard.overview(TODAY) == before  # kept
    stamp = figures.stamp()
    write(dash)
    db.session.commit()
    assert figures.stamp() != stamp
    after = dashboard.overview(TODAY)
    assert after == fresh()
    assert after != before


def test_kept_figures_cost_fewer_statements_and_a_report_keeps_them(dash, count_statements):
    """The second load reads the stamp instead of counting; a liaison's report (the
    deadline surge) does not move the stamp."""
    refresh_punctuality(TODAY)
    db.session.commit()
    figures.forget()
    with count_statements() as first:
        dashboard.overview(TODAY)
    with count_statements(cold=False) as second:
        kept = dashboard.overview(TODAY)
    assert second.count < first.count - 4, (first.statements, second.statements)
    assert not any("GROUP BY task.plan_id" in s for s in second.statements)
    stamp = figures.stamp()
    db.session.execute(update(ProgressReport).values(progress="新的进展"))
    db.session.commit()
    assert figures.stamp() == stamp
    assert dashboard.overview(TODAY) == kept


def test_this_transactions_own_writes_are_never_kept(dash):
    """A page that writes a task and reads the dashboard in the same transaction sees its
    own write, which is not kept: after a rollback the dashboard is as before."""
    before = fresh()
    _task(dash, 4).due_date = OLD
    db.session.flush()
    inside = dashboard.overview(TODAY)
    assert inside.totals != before.totals
    db.session.rollback()
    assert dashboard.overview(TODAY) == before
    assert figures.stamp() == db.session.scalar(select(FiguresStamp.version))


def test_without_the_stamp_row_nothing_is_kept(dash, count_statements):
    db.session.execute(FiguresStamp.__table__.delete())
    db.session.commit()
    assert figures.stamp() is None
    with count_statements() as first:
        dashboard.overview(TODAY)
    db.session.commit()  # a new transaction reads the stamp again
    with count_statements(cold=False) as second:
        dashboard.overview(TODAY)
    assert first.count == second.count
    assert any("GROUP BY task.plan_id" in s for s in second.statements)
    orm_due_date(dash)
    db.session.commit()  # the write puts the row back
    assert figures.stamp() is not None
