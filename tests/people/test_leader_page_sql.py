""" "我分管的" paged by the database (issue 13) is the rule's list: the tasks the rule
(rules.leader_in_charge: task ← nearest section ← plan) gives the leader, in the rule's
order (rules.leader_order: red, behind pace, yellow, green, closed; then due date, plan,
number), page by page, with the counts by light — on varied data: leaders named for
plans, sections (nested) and tasks, other leaders overriding them, closed and withdrawn
tasks, due dates on both sides of today, tasks without a due date, milestones."""

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.support.clock import on
from tracker.accounts.models import Role
from tracker.extensions import db
from tracker.plans.milestones.models import Milestone
from tracker.plans.models import Section, Task, TaskStatus
from tracker.plans.people import queries, rules
from tracker.plans.people.models import LeaderInCharge

DAY = date(2026, 11, 20)
SET = datetime(2026, 11, 1)


def _world(seed, users):
    rng = random.Random(seed)
    sections = db.session.execute(select(Section.id, Section.plan_id)).all()
    plans = sorted({p for _s, p in sections})
    for plan_id in rng.sample(plans, min(2, len(plans))):
        db.session.add(LeaderInCharge(plan_id=plan_id, user_id=rng.choice(users), set_at=SET))
    for section_id, _plan in rng.sample(sections, min(12, len(sections))):
        db.session.add(LeaderInCharge(section_id=section_id, user_id=rng.choice(users), set_at=SET))
    tasks = list(db.session.scalars(select(Task.id)))
    for task_id in rng.sample(tasks, min(15, len(tasks))):
        db.session.add(LeaderInCharge(task_id=task_id, user_id=rng.choice(users), set_at=SET))
    statuses = [s.value for s in TaskStatus]
    for task_id in tasks:
        due = DAY + timedelta(days=rng.randrange(-60, 60)) if rng.random() < 0.9 else None
        db.session.execute(
            update(Task).where(Task.id == task_id).values(status=rng.choice(statuses), due_date=due)
        )
        if rng.random() < 0.1:
            db.session.add(
                Milestone(
                    task_id=task_id,
                    deliverable="节点",
                    due_date=DAY + timedelta(days=rng.randrange(-20, 20)),
                    expected_percent=50,
                )
            )
    db.session.commit()


def _by_rule(user_id):
    """The leader's tasks and counts by the rule itself (the Python path)."""
    rows, lights, behind = queries.leader_task_rows(user_id)
    counts = {}
    for row in rows:
        if row.status != TaskStatus.CLOSED.value:
            counts[lights[row.id]] = counts.get(lights[row.id], 0) + 1
    return [r.id for r in rows], lights, behind, counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_leader_page_is_the_rules_list(world, make_user, seed):
    users = [
        world["users"]["leader"].id,
        make_user(Role.LEADER, username="leader2").id,
        make_user(Role.LEADER, username="leader3").id,
    ]
    _world(seed, users)
    with on(DAY):
        for user_id in users:
            ids, lights, behind, counts = _by_rule(user_id)
            per_page = 7
            got = []
            page = 1
            while True:
                result = queries.leader_page(user_id, page, per_page)
                assert result.total == len(ids)
                assert result.counts == counts
                got += [t.id for t in result.tasks]
                assert all(result.lights[t.id] == lights[t.id] for t in result.tasks)
                assert result.behind == behind & {t.id for t in result.tasks}
                if not result.has_next:
                    break
                page += 1
            assert got == ids, user_id
    assert any(_by_rule(u)[0] for u in users)


def test_the_order_is_the_rules_key(world):
    """leader_rank orders as rules.leader_order's first key."""
    assert rules.leader_order("red", True, "closed", None, 1, 1)[0] == 4
    assert rules.leader_order("red", True, "assigned", None, 1, 1)[0] == 0
