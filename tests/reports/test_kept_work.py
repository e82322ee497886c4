"""A liaison's work kept between requests (tracker.kept, issue 13's deadline surge): the
reorganised units' successors, the tasks the unit answers for and the owed rule's inputs
are read once per stamp and process. Every kind of write they depend on moves the stamp —
through this process or another one — and what is kept then equals a fresh reading; a
report does not move it; a warm page reads fewer statements and shows the same."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from lxml import html
from sqlalchemy import select

from tracker import kept
from tracker.accounts.permissions import request_successor_map
from tracker.extensions import db
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskUnitChange
from tracker.reports.facts import link_groups, request_unit_facts, unit_facts
from tracker.reports.load.models import TaskLink, TaskLinkGroup
from tracker.reports.models import ReportingPeriod
from tracker.reports.month import answering_task_ids
from tracker.reports.periods import ensure_period
from tracker.reports.permissions import request_scope
from tracker.reports.queries import overview_units
from tracker.supervision.models import TaskAssignment
from tracker.units.models import Unit

NOW = "2026-11-20 09:00:00"


def _unit(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _month_cards(client):
    page = html.fromstring(client.get("/reports").data)
    return sorted(c.get("id") for c in page.xpath("//section[contains(@class, 'report-card')]"))


def _seen_by_a_request(app, user):
    """(successors, answering task ids, the unit's facts) as a request reads them: kept when
    the stamp allows."""
    with app.test_request_context("/reports"):
        user = db.session.get(type(user), user.id)
        facts = request_unit_facts(user.unit_id)
        return (
            dict(request_successor_map()),
            answering_task_ids(request_scope(user)),
            (facts.tasks, sorted(facts.assignments), facts.changes),
        )


def _fresh(app, user):
    """The same, read afresh from the database."""
    kept.forget()
    try:
        return _seen_by_a_request(app, user)
    finally:
        kept.forget()


def _new_task(world, lead="fgw", number=99):
    plan = db.session.get(Plan, world["ids"]["own_plan"])
    section = db.session.scalar(select(Section).where(Section.plan_id == plan.id))
    task = Task(
        plan_id=plan.id,
        section_id=section.id,
        number=number,
        title="新增任务",
        text="正文",
        status="in_progress",
        lead_unit_id=_unit(lead).id,
    )
    db.session.add(task)
    db.session.flush()
    return task


def _assign(world, task_id, unit="fgw"):
    db.session.add(
        TaskAssignment(
            task_id=task_id,
            unit_id=_unit(unit).id,
            is_lead=False,
            assigned_at=datetime(2026, 9, 1, tzinfo=UTC),
            ack_due=date(2026, 9, 4),
        )
    )


def _reorganise(world):
    """A unit merged into 市发改委: its tasks become the liaison's."""
    _unit("rsj").successor_id = _unit("fgw").id


WRITES = {
    "a task led by the unit": lambda w: _new_task(w),
    "the unit made a co-unit": lambda w: db.session.add(
        TaskCoUnit(task_id=w["ids"]["other_task"], unit_id=_unit("fgw").id, position=9)
    ),
    "an assignment": lambda w: _assign(w, w["ids"]["co_task"]),
    "a reassignment": lambda w: db.session.add(
        TaskUnitChange(
            task_id=w["ids"]["other_task"],
            unit_id=_unit("fgw").id,
            role="co",
            change="added",
            reason="改派",
            period="2026-11",
            changed_at=datetime(2026, 11, 2, tzinfo=UTC),
        )
    ),
    "a task closed": lambda w: setattr(
        db.session.get(Task, w["ids"]["own_task"]), "status", "closed"
    ),
    "a unit reorganised": _reorganise,
}


@pytest.mark.parametrize("write", WRITES)
@freeze_time(NOW)
def test_each_write_the_work_depends_on_is_seen_at_once(open_tasks, app, write):
    liaison = open_tasks["users"]["liaison"]
    _assign(open_tasks, open_tasks["ids"]["own_task"])
    db.session.commit()
    before = _seen_by_a_request(app, liaison)  # kept now
    assert _seen_by_a_request(app, liaison) == before
    stamp = kept.stamp()
    WRITES[write](open_tasks)
    db.session.commit()
    assert kept.stamp() != stamp
    after = _seen_by_a_request(app, liaison)
    assert after == _fresh(app, liaison)
    assert after != before, "the write changes the liaison's work"


@freeze_time(NOW)
def test_a_report_keeps_the_work_and_a_warm_page_reads_less(
    open_tasks, client_for, report_form, count_statements
):
    liaison = client_for("liaison")
    with count_statements() as cold:
        first = _month_cards(liaison)
    with count_statements(cold=False) as warm:
        second = _month_cards(liaison)
    assert second == first
    assert warm.count <= cold.count - 4, (cold.statements, warm.statements)
    stamp = kept.stamp()
    own = open_tasks["ids"]["own_task"]
    assert liaison.post("/reports/save", data=report_form(own, action="submit")).status_code == 302
    assert kept.stamp() == stamp  # a submission never moves it: the surge keeps its work


@freeze_time(NOW)
def test_a_write_through_another_process_is_seen(open_tasks, app, app_factory, client_for):
    """Another app node (another worker) closes a task: this one's kept work goes with the
    stamp that node's commit moved."""
    liaison = client_for("liaison")
    own = f"task-{open_tasks['ids']['own_task']}"
    assert own in _month_cards(liaison)
    other = app_factory()
    with other.app_context():
        db.session.get(Task, open_tasks["ids"]["own_task"]).status = "closed"
        db.session.commit()
    assert own not in _month_cards(liaison)


def test_outside_a_request_or_without_the_stamp_nothing_is_kept(open_tasks, app):
    kept.forget()
    db.session.execute(kept.FiguresStamp.__table__.delete())
    db.session.commit()
    with app.test_request_context("/reports"):
        assert not kept.keeping()
        unit = _unit("fgw").id
        facts = request_unit_facts(unit)
        assert facts.tasks == unit_facts(unit).tasks
    assert not app.extensions.get(kept.STORE)


@freeze_time(NOW)
def test_linked_tasks_are_seen_at_once(open_tasks, app):
    """The links between tasks (一报多用) are kept too: linking two tasks moves the stamp and
    the next request sees the group."""
    own, co = open_tasks["ids"]["own_task"], open_tasks["ids"]["co_task"]

    def groups():
        with app.test_request_context("/reports"):
            return link_groups([own])

    assert groups() == groups() == {}
    moment = datetime(2026, 11, 2, tzinfo=UTC)
    group = TaskLinkGroup(created_at=moment)
    db.session.add(group)
    db.session.flush()
    db.session.add_all(
        TaskLink(group_id=group.id, task_id=task_id, linked_at=moment) for task_id in (own, co)
    )
    db.session.commit()
    assert groups() == {own: group.id, co: group.id}


@freeze_time(NOW)
def test_the_overview_sees_a_new_unit_and_its_first_assignment_at_once(open_tasks, app):
    """The reporting overview's unit directory and the units with assignments are kept
    (reports.queries.overview_units): a new unit is listed once it has work."""
    period = ensure_period(2026, 11)
    db.session.commit()

    def listed():
        with app.test_request_context("/reports/overview"):
            return overview_units(db.session.get(ReportingPeriod, period.id))

    before = listed()
    assert listed() == before
    unit = Unit(name="新建局", code="xjj", kind="bureau")
    db.session.add(unit)
    db.session.commit()
    assert unit.id not in listed()  # no work yet
    _assign(open_tasks, open_tasks["ids"]["other_task"], unit="xjj")
    db.session.commit()
    assert listed() == sorted([*before, unit.id], key=lambda u: db.session.get(Unit, u).code)
