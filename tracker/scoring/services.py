"""Load the facts of a month, score them (rules.py), store and read the ledger.

Every function here runs a fixed number of SQL statements whatever the number of units,
tasks and reports; the caller commits.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from tracker.audit import record
from tracker.common.batch import no_gc_pauses
from tracker.common.errors import StepRefused
from tracker.extensions import db
from tracker.plans.seeding import SEEDS_PATH
from tracker.scoring import rules
from tracker.scoring.facts import month_facts
from tracker.scoring.models import ScoreAdjustment, Scorecard, ScoreEntry, ScoreRuleSet
from tracker.timeutil import utcnow
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
    facts, unit_ids, codes = month_facts(month, today, narrow=True)
    version, amounts = rule_set_for(facts.period.key)
    entries = rules.score_entries(rules.month_events(facts), amounts)
    return version, rules.scorecards(unit_ids, entries, codes)


def store_month(month: str, today: date) -> list[rules.Card]:
    """Compute the month and bring its stored ledger up to date (the caller commits).

    Set-based, a fixed number of statements whatever the number of units: one SELECT of the
    month's stored cards with their figures (score, deductions, credits, rank, rule set
    version) and a digest of their entries (`entries_digest`, stored with each card: a
    rerun compares it instead of reading ≈30,000 entries back); the cards whose figures or
    entries changed (and cards of units no longer scored) are deleted with their entries and
    written again (bulk INSERTs); the unchanged ones keep their rows and only get the new
    computed_on/computed_at (one UPDATE). A nightly rerun of a month that did not change
    therefore writes no entry at all (and skips the INSERTs and the SELECT of new card
    ids). Returns the cards as computed."""
    with no_gc_pauses():  # a few hundred thousand small objects (tracker.common.batch)
        return _store_month(month, today)


def _store_month(month: str, today: date) -> list[rules.Card]:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(PG_LOCK_ID)))
    version, cards = compute_month(month, today)
    stored = _stored_cards(month)
    values = {card.unit_id: _entry_values(card) for card in cards}
    kept: set[int] = set()
    changed: list[rules.Card] = []
    digests: dict[int, str] = {}
    for card in cards:
        digests[card.unit_id] = digest = entries_digest(values[card.unit_id])
        found = stored.get(card.unit_id)
        figures = (card.score, card.deductions, card.credits, card.rank, version)
        if found is not None and found[1] == figures and found[2] == digest:
            kept.add(found[0])
        else:
            changed.append(card)
    stale = [card_id for card_id, _figures, _digest in stored.values() if card_id not in kept]
    now = utcnow()
    # the same statements whether the month is new, unchanged or partly changed; when no
    # card is kept, the month's rows go by period (no list of ids to send)
    for start in range(0, max(len(stale), 1), ENTRY_CHUNK):
        ids = stale[start : start + ENTRY_CHUNK]
        doomed = Scorecard.id.in_(ids) if kept else Scorecard.period == month
        db.session.execute(
            delete(ScoreEntry)
            .where(ScoreEntry.scorecard_id.in_(select(Scorecard.id).where(doomed)))
            .execution_options(synchronize_session=False)
        )
        # the default synchronisation removes cards a caller still holds from the session
        db.session.execute(delete(Scorecard).where(doomed))
        if not kept:
            break
    db.session.execute(
        update(Scorecard)
        .where(Scorecard.period == month)
        .values(computed_on=today, computed_at=now)
    )
    if not changed:
        return cards
    # plain rows (COPY on PostgreSQL: its executemany of 2,000 cards took ~60 ms)
    _insert_rows(
        Scorecard.__table__,
        CARD_COLUMNS,
        [
            (
                month,
                card.unit_id,
                card.score,
                card.deductions,
                card.credits,
                card.rank,
                version,
                today,
                now,
                digests[card.unit_id],
            )
            for card in changed
        ],
    )
    card_id = dict(
        db.session.execute(
            select(Scorecard.unit_id, Scorecard.id).where(Scorecard.period == month)
        ).all()
    )
    _insert_rows(
        ScoreEntry.__table__,
        ENTRY_COLUMNS,
        [(card_id[card.unit_id], *row) for card in changed for row in values[card.unit_id]],
    )
    return cards


def _entry_values(card: rules.Card) -> list[tuple]:
    """The card's entries as stored, ENTRY_COLUMNS without the card id, in order."""
    return [
        (
            position,
            e.rule,
            e.amount,
            e.event.event_type,
            e.event.event_id,
            e.event.event_date,
            e.event.task_id,
            e.event.report_id,
            e.event.note,
        )
        for position, e in enumerate(card.entries)
    ]


def entries_digest(values: list[tuple]) -> str:
    """A fingerprint of a card's entries as `_entry_values` gives them (rule, amount, event,
    in order), stored with the card: equal entries give equal digests."""
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def _stored_cards(month: str) -> dict[int, tuple]:
    """The month's stored cards: {unit id: (card id, (score, deductions, credits, rank,
    rule set version), entries digest)}, one statement. A card stored before the digest
    (None) counts as changed: it is written again once."""
    return {
        unit_id: (card_id, tuple(figures), digest)
        for card_id, unit_id, digest, *figures in db.session.execute(
            select(
                Scorecard.id,
                Scorecard.unit_id,
                Scorecard.entries_digest,
                Scorecard.score,
                Scorecard.deductions,
                Scorecard.credits,
                Scorecard.rank,
                Scorecard.rule_set_version,
            ).where(Scorecard.period == month)
        )
    }


CARD_COLUMNS = (
    "period",
    "unit_id",
    "score",
    "deductions",
    "credits",
    "rank",
    "rule_set_version",
    "computed_on",
    "computed_at",
    "entries_digest",
)
ENTRY_COLUMNS = (
    "scorecard_id",
    "position",
    "rule",
    "amount",
    "event_type",
    "event_id",
    "event_date",
    "task_id",
    "report_id",
    "note",
)


def _insert_rows(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples (dates, Decimals, ints, strings, None) into `table`, in the
    caller's transaction, the cheapest way each database offers: PostgreSQL's COPY (one
    statement — psycopg's executemany made one round trip per row: ~2.5 s for a month's
    ~30,000 ledger entries at province scale), SQLite's executemany by the driver, ENTRY_CHUNK
    rows at a time, the values converted as SQLAlchemy's own types store them (without
    SQLAlchemy building a parameter dict per row)."""
    if not rows:
        return
    connection = db.session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with connection.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    # only the columns whose type converts its values (Decimals, dates, times) go through
    # SQLAlchemy's own conversion, the one its INSERTs use (issue 13: a month's ~30,000
    # entries × 10 values tested one by one cost ~0.1 s of the scorecard)
    dialect = connection.dialect
    converters = [
        (i, convert)
        for i, name in enumerate(columns)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    if converters:
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            converted.append(tuple(row))
        rows = converted
    for start in range(0, len(rows), ENTRY_CHUNK):
        connection.exec_driver_sql(sql, rows[start : start + ENTRY_CHUNK])


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
