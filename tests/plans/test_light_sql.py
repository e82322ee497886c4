"""The light in SQL (plans/light_sql.light_case and light_condition) gives the pure rule's
answer (plans/lights.task_light) for every task: statuses, no due date, due dates around
the warning window, holidays and make-up workdays, the office's overrides, closed tasks
(closed late or not), and the milestones' part of the combined light (missed, due soon,
done late, none). Runs on SQLite and, with TRACKER_TEST_DATABASE_URL, PostgreSQL."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.calendar.rules import WorkingCalendar
from tracker.extensions import db
from tracker.plans.light_sql import bounds_on, light_case, light_condition
from tracker.plans.lights import GREEN, RED, YELLOW, task_light
from tracker.plans.milestones.models import Milestone
from tracker.plans.milestones.rules import combined_light, milestone_light
from tracker.plans.models import Plan, Section, Task, TaskStatus
from tracker.units.models import Unit

CALENDARS = {
    "official": WorkingCalendar(),
    # the office's overrides: a Friday off before the National Day week, a Sunday worked
    "overrides": WorkingCalendar({date(2025, 9, 26): False, date(2026, 5, 31): True}),
}
TODAYS = [
    date(2025, 9, 26),  # Friday before 国庆 (a day off under "overrides")
    date(2025, 9, 28),  # a make-up Sunday (调休)
    date(2025, 10, 1),  # inside the National Day holiday
    date(2025, 10, 11),  # a make-up Saturday
    date(2026, 2, 16),  # 春节 eve
    date(2026, 6, 1),  # Monday after an overridden Sunday
]


@pytest.fixture
def tasks(app):
    """Tasks of every status, due from 30 days before the first `today` to 30 after the
    last, one without a due date each; closed ones closed on their due date or later."""
    # plain inserts of the columns a light needs (the rows of other features stay empty)
    unit_id = db.session.execute(
        Unit.__table__.insert()
        .values(name="测试单位", code="lightx", kind="gov_dept", aliases=[])
        .returning(Unit.__table__.c.id)
    ).scalar_one()
    plan_id = db.session.execute(
        Plan.__table__.insert()
        .values(key="lights", title="灯", issuer="测试", phases=[])
        .returning(Plan.__table__.c.id)
    ).scalar_one()
    section_id = db.session.execute(
        Section.__table__.insert()
        .values(plan_id=plan_id, number=1, label="一", title="部分")
        .returning(Section.__table__.c.id)
    ).scalar_one()
    first, last = min(TODAYS) - timedelta(days=30), max(TODAYS) + timedelta(days=30)
    dues = [None] + [first + timedelta(days=i) for i in range((last - first).days + 1)]
    rows, number = [], 0
    for status in TaskStatus:
        for due in dues:
            if status is not TaskStatus.PENDING and due is not None and due.day % 3:
                continue  # every day for one open status, every third day for the others
            number += 1
            closed = status is TaskStatus.CLOSED and due is not None
            rows.append(
                {
                    "plan_id": plan_id,
                    "section_id": section_id,
                    "number": number,
                    "title": f"任务{number}",
                    "text": "",
                    "lead_unit_id": unit_id,
                    "status": status.value,
                    "due_date": due,
                    "closed_at": datetime.combine(
                        due + timedelta(days=number % 5), datetime.min.time()
                    )
                    if closed
                    else None,
                }
            )
    db.session.execute(Task.__table__.insert(), rows)
    db.session.commit()
    return db.session.execute(select(Task.id, Task.status, Task.due_date)).all()


@pytest.mark.parametrize("calendar", CALENDARS.values(), ids=CALENDARS.keys())
@pytest.mark.parametrize("warn_days", [0, 3, 5, 10])
def test_sql_light_agrees_with_task_light(tasks, calendar, warn_days):
    for today in TODAYS:
        bounds = bounds_on(today, calendar, warn_days)
        expected = {
            t.id: task_light(t.status, t.due_date, today, calendar, warn_days) for t in tasks
        }
        got = dict(db.session.execute(select(Task.id, light_case(bounds))).all())
        wrong = {i: (got[i], expected[i]) for i in expected if got[i] != expected[i]}
        assert not wrong, (today, bounds, list(wrong.items())[:5])
        for light in (RED, YELLOW, GREEN):
            ids = set(db.session.scalars(select(Task.id).where(light_condition(light, bounds))))
            assert ids == {i for i, v in expected.items() if v == light}, (today, light)
        assert set(expected.values()) == {RED, YELLOW, GREEN} or warn_days == 0


def test_grouping_by_the_sql_light_counts_each_task_once(tasks):
    today, calendar = date(2025, 10, 11), CALENDARS["official"]
    light = light_case(bounds_on(today, calendar, 5))
    counted = dict(db.session.execute(select(light, db.func.count()).group_by(light)).all())
    expected = {RED: 0, YELLOW: 0, GREEN: 0}
    for t in tasks:
        expected[task_light(t.status, t.due_date, today, calendar, 5)] += 1
    assert counted == {k: v for k, v in expected.items() if v}


# milestones of a task, as (offset of the due date from `today`, done offset or None)
MILESTONE_CASES = {
    "none": [],
    "missed": [(-3, None)],
    "missed_long_ago": [(-40, None), (20, None)],
    "due_today": [(0, None)],
    "due_soon": [(2, None)],
    "due_later": [(30, None)],
    "done_late": [(-10, -2)],
    "done_on_time": [(-10, -12)],
    "done_late_and_due_soon": [(-10, -2), (3, None)],
}
# the task's own due date, as an offset from `today` (None: no due date)
TASK_DUES = [None, -5, 0, 3, 60]
STATUSES = [TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.CLOSED, TaskStatus.ARCHIVED]


@pytest.fixture
def milestone_tasks(app):
    """(today, {task id: (status, due, [(due, done_on), …])}): a task for each status, own
    due date and set of milestones, the milestones inserted as plain rows."""
    unit_id = db.session.execute(
        Unit.__table__.insert()
        .values(name="测试单位", code="lighty", kind="gov_dept", aliases=[])
        .returning(Unit.__table__.c.id)
    ).scalar_one()
    plan_id = db.session.execute(
        Plan.__table__.insert()
        .values(key="mslights", title="节点灯", issuer="测试", phases=[])
        .returning(Plan.__table__.c.id)
    ).scalar_one()
    section_id = db.session.execute(
        Section.__table__.insert()
        .values(plan_id=plan_id, number=1, label="一", title="部分")
        .returning(Section.__table__.c.id)
    ).scalar_one()
    today = date(2025, 9, 30)  # the eve of 国庆: the window spans the holiday
    shift = lambda offset: None if offset is None else today + timedelta(days=offset)  # noqa: E731
    made, number = {}, 0
    for status in STATUSES:
        for due in TASK_DUES:
            for case_milestones in MILESTONE_CASES.values():
                number += 1
                task_id = db.session.execute(
                    Task.__table__.insert()
                    .values(
                        plan_id=plan_id,
                        section_id=section_id,
                        number=number,
                        title=f"任务{number}",
                        text="",
                        lead_unit_id=unit_id,
                        status=status.value,
                        due_date=shift(due),
                    )
                    .returning(Task.__table__.c.id)
                ).scalar_one()
                rows = [(shift(m_due), shift(done)) for m_due, done in case_milestones]
                if rows:
                    db.session.execute(
                        Milestone.__table__.insert(),
                        [
                            {
                                "task_id": task_id,
                                "due_date": m_due,
                                "deliverable": "节点",
                                "done_on": done,
                                "created_at": datetime(2025, 1, 1),
                            }
                            for m_due, done in rows
                        ],
                    )
                made[task_id] = (status.value, shift(due), rows)
    db.session.commit()
    return today, made


@pytest.mark.parametrize("calendar", CALENDARS.values(), ids=CALENDARS.keys())
@pytest.mark.parametrize("warn_days", [0, 5])
def test_sql_light_is_the_combined_light_with_milestones(milestone_tasks, calendar, warn_days):
    today, made = milestone_tasks
    expected = {
        task_id: combined_light(
            task_light(status, due, today, calendar, warn_days),
            [
                milestone_light(status, m_due, done, today, calendar, warn_days)
                for m_due, done in ms
            ],
        )
        for task_id, (status, due, ms) in made.items()
    }
    bounds = bounds_on(today, calendar, warn_days)
    got = dict(db.session.execute(select(Task.id, light_case(bounds))).all())
    wrong = {i: (got[i], expected[i], made[i]) for i in expected if got[i] != expected[i]}
    assert not wrong, list(wrong.items())[:5]
    for light in (RED, YELLOW, GREEN):
        ids = set(db.session.scalars(select(Task.id).where(light_condition(light, bounds))))
        assert ids == {i for i, v in expected.items() if v == light}, light
    # the milestones change some lights: a missed one turns a task due later red
    assert {expected[i] for i, (s, due, ms) in made.items() if ms and due is None} >= {RED}


def test_a_missed_milestone_makes_a_task_due_later_red(milestone_tasks):
    today, made = milestone_tasks
    bounds = bounds_on(today, CALENDARS["official"], 5)
    red = set(db.session.scalars(select(Task.id).where(light_condition(RED, bounds))))
    missed = [
        i
        for i, (status, due, ms) in made.items()
        if status == TaskStatus.IN_PROGRESS.value
        and due == today + timedelta(days=60)
        and ms == [(today - timedelta(days=3), None)]
    ]
    done_late = [
        i
        for i, (status, due, ms) in made.items()
        if status == TaskStatus.IN_PROGRESS.value
        and due == today + timedelta(days=60)
        and ms == [(today - timedelta(days=10), today - timedelta(days=2))]
    ]
    assert len(missed) == 1 and missed[0] in red
    assert len(done_late) == 1 and done_late[0] not in red
