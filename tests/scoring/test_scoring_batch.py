"""The monthly scorecard is written set-based (issue 13): its statement count does not grow
with the units and entries, and the stored ledger is exactly the computed one."""

from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.plans.models import Task, TaskCoUnit
from tracker.scoring import services
from tracker.scoring.models import Scorecard, ScoreEntry
from tracker.supervision.models import TaskAssignment

TODAY = date(2026, 11, 10)


def _assign(tasks):
    for task in tasks:
        task.status, task.due_date = "in_progress", date(2026, 10, 15)  # overdue in October
        db.session.add(
            TaskAssignment(
                task_id=task.id,
                unit_id=task.lead_unit_id,
                is_lead=True,
                assigned_at=datetime(2026, 9, 1, tzinfo=UTC),
                ack_due=date(2026, 9, 4),
            )
        )
    db.session.commit()


def _stored():
    db.session.expire_all()
    cards = db.session.scalar(select(func.count()).select_from(Scorecard))
    entries = db.session.scalar(select(func.count()).select_from(ScoreEntry))
    return cards, entries


def test_storing_a_month_costs_the_same_statements_for_2_or_40_tasks(world, count_statements):
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    _assign(tasks[:2])
    with count_statements() as small:
        services.store_month("2026-10", TODAY)
        db.session.commit()
    small_cards, small_entries = _stored()
    _assign(tasks[2:40])
    with count_statements() as large:
        cards = services.store_month("2026-10", TODAY)
        db.session.commit()
    large_cards, large_entries = _stored()
    assert large_cards > small_cards and large_entries > small_entries
    assert large.count == small.count, large.statements
    # the ledger holds exactly the computed cards and entries, in order
    assert large_cards == len(cards)
    assert large_entries == sum(len(c.entries) for c in cards)
    stored = {
        c.unit_id: (c.score, c.rank)
        for c in db.session.scalars(select(Scorecard).where(Scorecard.period == "2026-10"))
    }
    assert stored == {c.unit_id: (c.score, c.rank) for c in cards}


def test_recomputing_twice_leaves_one_ledger(world):
    _assign(db.session.scalars(select(Task).order_by(Task.id).limit(5)).all())
    services.store_month("2026-10", TODAY)
    db.session.commit()
    first = _stored()
    services.store_month("2026-10", TODAY)
    db.session.commit()
    assert _stored() == first


def _ledger():
    """{unit id: (card id, computed_on, [(entry id, rule, event id), …])} of October."""
    db.session.expire_all()
    cards = db.session.scalars(select(Scorecard).where(Scorecard.period == "2026-10")).all()
    entries = {}
    for entry in db.session.scalars(select(ScoreEntry).order_by(ScoreEntry.position)):
        entries.setdefault(entry.scorecard_id, []).append((entry.id, entry.rule, entry.event_id))
    return {c.unit_id: (c.id, c.computed_on, entries.get(c.id, [])) for c in cards}


def test_a_rerun_rewrites_only_the_cards_that_changed(world, count_statements):
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    _assign(tasks[:6])
    services.store_month("2026-10", TODAY)
    db.session.commit()
    before = _ledger()
    # unchanged month: every card and entry keeps its row, only the computed day moves
    later = date(2026, 11, 11)
    with count_statements() as rerun:
        cards = services.store_month("2026-10", later)
        db.session.commit()
    after = _ledger()
    assert {u: (i, e) for u, (i, _, e) in after.items()} == {
        u: (i, e) for u, (i, _, e) in before.items()
    }
    assert {day for _, day, _ in after.values()} == {later}
    assert not any(s.lstrip().upper().startswith("INSERT") for s in rerun.statements)
    assert {c.unit_id for c in cards} == set(after)
    # one more overdue task of one unit: that unit's card is written again, the others stay
    extra = next(t for t in tasks[6:] if t.lead_unit_id == tasks[0].lead_unit_id)
    _assign([extra])
    cards = services.store_month("2026-10", later)
    db.session.commit()
    changed = _ledger()
    unit = tasks[0].lead_unit_id
    assert changed[unit][0] != after[unit][0]
    assert [e[1:] for e in changed[unit][2]] == [
        (e.rule, e.event.event_id) for c in cards if c.unit_id == unit for e in c.entries
    ]
    kept = [u for u in after if u != unit and changed[u] == after[u]]
    assert kept, "the other units' cards keep their rows"
    assert {u: (c.score, c.rank) for u, c in ((c.unit_id, c) for c in cards)} == {
        c.unit_id: (c.score, c.rank)
        for c in db.session.scalars(select(Scorecard).where(Scorecard.period == "2026-10"))
    }


def test_a_card_with_the_same_figures_but_other_entries_is_written_again(world):
    """The rerun compares each card's stored digest of its entries (issue 13): when one
    overdue task of a unit is replaced by another (same rule, same amount, same score), the
    figures are equal but the entries are not — the card and its entries are written again,
    naming the new task."""
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    first = tasks[0]
    other = next(t for t in tasks[1:] if t.lead_unit_id == first.lead_unit_id)
    # without co-units, whose cards an overdue task would change as well
    db.session.execute(delete(TaskCoUnit).where(TaskCoUnit.task_id.in_([first.id, other.id])))
    _assign([first, other])
    other.due_date = date(2027, 12, 31)  # only the first is overdue
    db.session.commit()
    services.store_month("2026-10", TODAY)
    db.session.commit()
    before = _ledger()[first.lead_unit_id]
    score = db.session.get(Scorecard, before[0]).score
    assert [e[2] for e in before[2] if e[1] == "task_overdue_lead"] == [first.id]
    first.due_date, other.due_date = date(2027, 12, 31), date(2026, 10, 15)  # swapped
    db.session.commit()
    cards = services.store_month("2026-10", TODAY)
    db.session.commit()
    after = _ledger()[first.lead_unit_id]
    card = next(c for c in cards if c.unit_id == first.lead_unit_id)
    stored = db.session.get(Scorecard, after[0])
    assert stored.score == card.score == score  # the same figures…
    assert sorted(e[1] for e in after[2]) == sorted(e[1] for e in before[2])  # …and rules
    # written again (SQLite may give the new rows the old ids): the entry names the new task
    assert [e[2] for e in after[2] if e[1] == "task_overdue_lead"] == [other.id]
    assert stored.entries_digest == services.entries_digest(services._entry_values(card))


def test_a_card_written_again_leaves_no_entries_behind(world):
    """The ledger's link to its card has no foreign key (migration 0029): store_month itself
    deletes a card's entries before the card. After a rerun that rewrites one card and one
    that drops a unit no longer scored, every entry belongs to a stored card and the ledger
    holds exactly the computed entries."""
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    _assign(tasks[:6])
    services.store_month("2026-10", TODAY)
    db.session.commit()
    extra = next(t for t in tasks[6:] if t.lead_unit_id == tasks[0].lead_unit_id)
    _assign([extra])
    cards = services.store_month("2026-10", TODAY)
    db.session.commit()

    def orphans():
        return db.session.scalar(
            select(func.count())
            .select_from(ScoreEntry)
            .where(ScoreEntry.scorecard_id.not_in(select(Scorecard.id)))
        )

    assert orphans() == 0
    assert _stored() == (len(cards), sum(len(c.entries) for c in cards))
    # no assignment left and no task overdue: the units are no longer scored, their cards go
    db.session.execute(delete(TaskAssignment))
    for task in tasks[:7]:
        task.due_date = date(2027, 12, 31)
    db.session.commit()
    fewer = services.store_month("2026-10", TODAY)
    db.session.commit()
    assert {c.unit_id for c in fewer} < {c.unit_id for c in cards}
    assert orphans() == 0
    assert _stored() == (len(fewer), sum(len(c.entries) for c in fewer))
