"""Load the facts of a month, score them (rules.py), store and read the ledger.

Every function here runs a fixed number of SQL statements whatever the number of units,
tasks and reports; the caller commits.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, insert, select

from tracker.audit import record
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.seeding import SEEDS_PATH
from tracker.scoring import rules
from tracker.scoring.facts import month_facts
from tracker.scoring.ledger import event_ref
from tracker.scoring.models import ScoreAdjustment, Scorecard, ScoreEntry, ScoreRuleSet
from tracker.timeutil import previous_month, utcnow
from tracker.units.models import Unit

RULES_FILE = SEEDS_PATH / "score_rules.json"
PG_LOCK_ID = 0x7363_6F72_6573  # "scores": one recompute at a time on PostgreSQL
ENTRY_CHUNK = 5000


# --- rule sets --------------------------------------------------------------------------


def default_rules() -> dict:
    """The defaults from seeds/score_rules.json."""
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def ensure_default_rule_set() -> bool:
    """Store the data file's rules as version 1 if there is no rule set yet."""
    if db.session.scalar(select(ScoreRuleSet.id).limit(1)) is not None:
        return False
    data = default_rules()
    db.session.add(
        ScoreRuleSet(
            version=1,
            effective_from=data["effective_from"],
            amounts={code: str(data["amounts"][code]) for code in rules.RULES},
            note=data.get("note", ""),
        )
    )
    db.session.flush()
    return True


def rule_sets() -> list[ScoreRuleSet]:
    """All versions, newest first."""
    return db.session.scalars(select(ScoreRuleSet).order_by(ScoreRuleSet.version.desc())).all()


def rule_set_for(month: str) -> tuple[int, dict[str, Decimal]]:
    """(version, amounts) in force for the month; the data file's defaults (version 0)
    when none is stored."""
    found = db.session.scalar(
        select(ScoreRuleSet)
        .where(ScoreRuleSet.effective_from <= month)
        .order_by(ScoreRuleSet.effective_from.desc(), ScoreRuleSet.version.desc())
        .limit(1)
    )
    if found is None:
        data = default_rules()
        return 0, {code: Decimal(str(v)) for code, v in data["amounts"].items()}
    # a rule added after the stored version was written (e.g. milestone_overdue) takes the
    # data file's default until the office writes a version that names it
    defaults = default_rules()["amounts"]
    return found.version, {
        code: found.amount(code) if code in found.amounts else Decimal(str(defaults.get(code, 0)))
        for code in rules.RULES
    }


def create_rule_set(user, effective_from: str, amounts: dict[str, Decimal], note: str):
    """A new version of the rules, in force from `effective_from` ("YYYY-MM")."""
    try:
        period = rules.parse_period(effective_from)
    except ValueError:
        raise StepRefused("bad_first_month") from None
    if period.kind != "month":
        raise StepRefused("bad_first_month")
    if wrong := rules.check_rule_amounts(amounts):
        raise StepRefused(
            "wrong_sign_amounts", rules="、".join(rules.rule_label(code) for code in wrong)
        )
    if not (note or "").strip():
        raise StepRefused("rule_change_note_required")
    version = (db.session.scalar(select(func.max(ScoreRuleSet.version))) or 0) + 1
    rule_set = ScoreRuleSet(
        version=version,
        effective_from=period.key,
        amounts={code: str(amounts[code]) for code in rules.RULES},
        note=note.strip(),
        created_by_id=user.id,
    )
    db.session.add(rule_set)
    db.session.flush()
    record(
        "score_rules.created",
        subject_type="score_rule_set",
        subject_id=rule_set.id,
        actor=user,
        detail={"version": version, "effective_from": period.key, "amounts": rule_set.amounts},
    )
    return rule_set


def add_adjustment(user, month: str, unit_id: int, amount: Decimal, reason: str):
    """The office's manual deduction or credit for a unit and month, with its reason."""
    if not (reason or "").strip():
        raise StepRefused("adjustment_reason_required")
    if amount == 0:
        raise StepRefused("zero_adjustment")
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise StepRefused("adjustment_unit_required")
    adjustment = ScoreAdjustment(
        period=month, unit_id=unit.id, amount=amount, reason=reason.strip(), created_by_id=user.id
    )
    db.session.add(adjustment)
    db.session.flush()
    record(
        "score.adjusted",
        subject_type="unit",
        subject_id=unit.id,
        actor=user,
        detail={
            "period": month,
            "amount": str(amount),
            "reason": adjustment.reason,
            "adjustment_id": adjustment.id,
        },
    )
    return adjustment


# --- facts ------------------------------------------------------------------------------


def compute_month(month: str, today: date) -> tuple[int, list[rules.Card]]:
    """(rule set version, ranked cards) for the month, computed from the facts."""
    facts, unit_ids, codes = month_facts(month, today)
    version, amounts = rule_set_for(facts.period.key)
    entries = rules.score_entries(rules.month_events(facts), amounts)
    return version, rules.scorecards(unit_ids, entries, codes)


def store_month(month: str, today: date) -> list[rules.Card]:
    """Compute the month and replace its stored ledger (the caller commits): set-based —
    one DELETE of the month's entries, one of its cards, one bulk INSERT of the cards, one
    SELECT of their ids and one bulk INSERT of the entries per ENTRY_CHUNK rows, whatever
    the number of units. Returns the cards as computed."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(PG_LOCK_ID)))
    version, cards = compute_month(month, today)
    month_cards = select(Scorecard.id).where(Scorecard.period == month)
    db.session.execute(
        delete(ScoreEntry)
        .where(ScoreEntry.scorecard_id.in_(month_cards))
        .execution_options(synchronize_session=False)
    )
    # the default synchronisation removes cards a caller still holds from the session
    db.session.execute(delete(Scorecard).where(Scorecard.period == month))
    if not cards:
        return cards
    now = utcnow()
    # Core INSERTs (executemany): the ORM's bulk insert would split the rows by the columns
    # left empty and into small batches
    db.session.execute(
        insert(Scorecard.__table__),
        [
            {
                "period": month,
                "unit_id": card.unit_id,
                "score": card.score,
                "deductions": card.deductions,
                "credits": card.credits,
                "rank": card.rank,
                "rule_set_version": version,
                "computed_on": today,
                "computed_at": now,
            }
            for card in cards
        ],
    )
    card_id = dict(
        db.session.execute(
            select(Scorecard.unit_id, Scorecard.id).where(Scorecard.period == month)
        ).all()
    )
    entries = [
        {
            "scorecard_id": card_id[card.unit_id],
            "position": position,
            "rule": e.rule,
            "amount": e.amount,
            "event_type": e.event.event_type,
            "event_id": e.event.event_id,
            "event_date": e.event.event_date,
            "task_id": e.event.task_id,
            "report_id": e.event.report_id,
            "note": e.event.note,
        }
        for card in cards
        for position, e in enumerate(card.entries)
    ]
    for start in range(0, len(entries), ENTRY_CHUNK):
        db.session.execute(insert(ScoreEntry.__table__), entries[start : start + ENTRY_CHUNK])
    return cards


def compute_period(period_text: str, today: date, user=None) -> list[str]:
    """Store every month of the period up to today's month; returns the months stored."""
    period = rules.parse_period(period_text)
    this_month = rules.month_key(today.year, today.month)
    months = [m for m in period.months if m <= this_month]
    for month in months:
        store_month(month, today)
    if months:
        record(
            "scores.computed",
            actor=user,
            subject_type="scorecard",
            subject_id=None,
            detail={"period": period.key, "months": months, "today": today.isoformat()},
        )
    return months


# --- reading the ledger -----------------------------------------------------------------


@dataclass
class CardView:
    """A unit's scorecard for a period, read from the stored ledger."""

    unit: Unit
    score: Decimal
    deductions: Decimal
    credits: Decimal
    rank: int
    entries: list[ScoreEntry] = field(default_factory=list)

    def by_rule(self) -> list[tuple[str, int, Decimal]]:
        """(rule, count, total) for each rule with entries, deductions first."""
        totals: dict[str, list] = {}
        for e in self.entries:
            row = totals.setdefault(e.rule, [0, Decimal(0)])
            row[0] += 1
            row[1] += e.amount
        order = {code: i for i, code in enumerate(rules.RULES + (rules.MANUAL_ADJUSTMENT,))}
        return [
            (code, n, total)
            for code, (n, total) in sorted(totals.items(), key=lambda kv: order.get(kv[0], 99))
        ]


@dataclass
class PeriodScores:
    period: rules.Period
    cards: list[CardView]
    computed: list[str]  # months with a stored ledger
    missing: list[str]  # months of the period up to today without one
    computed_on: date | None = None
    rule_versions: list[int] = field(default_factory=list)
    unit_count: int = 0  # units ranked in the period (also when only one card is returned)

    def card_for(self, unit_id: int) -> CardView | None:
        return next((c for c in self.cards if c.unit.id == unit_id), None)


def period_scores(period: rules.Period, today: date, unit_id: int | None = None) -> PeriodScores:
    """The period's scorecards from the stored months, ranked again over the whole period
    (a month's stored rank is the same: the rule is deterministic). With `unit_id`, only
    that unit's card is returned, with the rank it has among all units."""
    stored = db.session.scalars(select(Scorecard).where(Scorecard.period.in_(period.months))).all()
    entries = db.session.scalars(
        select(ScoreEntry)
        .join(Scorecard, Scorecard.id == ScoreEntry.scorecard_id)
        .where(Scorecard.period.in_(period.months))
        .order_by(Scorecard.period, ScoreEntry.scorecard_id, ScoreEntry.position)
    ).all()
    units = {u.id: u for u in db.session.scalars(select(Unit)).all()}
    unit_of_card = {c.id: c.unit_id for c in stored}
    plain = [
        rules.Entry(
            e.rule,
            unit_of_card[e.scorecard_id],
            e.amount,
            rules.Event(
                e.rule, unit_of_card[e.scorecard_id], e.event_type, e.event_id, e.event_date
            ),
        )
        for e in entries
    ]
    ranked = rules.scorecards(
        {c.unit_id for c in stored}, plain, {uid: u.code for uid, u in units.items()}
    )
    rows_of: dict[int, list[ScoreEntry]] = {}
    for e in entries:
        rows_of.setdefault(unit_of_card[e.scorecard_id], []).append(e)
    cards = [
        CardView(
            units[c.unit_id], c.score, c.deductions, c.credits, c.rank, rows_of.get(c.unit_id, [])
        )
        for c in ranked
        if unit_id is None or c.unit_id == unit_id
    ]
    computed = sorted({c.period for c in stored})
    this_month = rules.month_key(today.year, today.month)
    missing = [m for m in period.months if m <= this_month and m not in computed]
    return PeriodScores(
        period,
        cards,
        computed,
        missing,
        max((c.computed_on for c in stored), default=None),
        sorted({c.rule_set_version for c in stored}),
        len(ranked),
    )


def trends(months: list[str]) -> dict[int, dict[str, Decimal]]:
    """{unit id: {month: score}} from the stored ledger (one statement)."""
    result: dict[int, dict[str, Decimal]] = {}
    for unit_id, period, score in db.session.execute(
        select(Scorecard.unit_id, Scorecard.period, Scorecard.score).where(
            Scorecard.period.in_(months)
        )
    ).all():
        result.setdefault(unit_id, {})[period] = score
    return result


def recent_months(today: date, count: int) -> list[str]:
    """The `count` months up to and including today's, oldest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.insert(0, rules.month_key(year, month))
        year, month = previous_month(year, month)
    return months


def number(value: Decimal) -> int | float:
    """A JSON number: 95 rather than 95.00, 97.5 as it is."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def scorecard_json(scores: PeriodScores) -> dict:
    """The export format: {"period", "units": [{"unit", "score", "rank", "entries": [...]}]}."""
    return {
        "period": scores.period.key,
        "computed_months": scores.computed,
        "units": [
            {
                "unit": card.unit.name,
                "unit_code": card.unit.code,
                "score": number(card.score),
                "rank": card.rank,
                "deductions": number(card.deductions),
                "credits": number(card.credits),
                "entries": [
                    {"rule": e.rule, "amount": number(e.amount), "event": event_ref(e)}
                    for e in card.entries
                ],
            }
            for card in scores.cards
        ],
    }
