"""Read the stored ledger: the ranking of a period (SQL RANK over the stored cards), one
page of it, a unit's card with one page of entries, trends, and the JSON scorecard.

Every function here runs a fixed number of SQL statements whatever the number of units and
entries. Scores are computed and stored by tracker.scoring.services.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.scoring import rules
from tracker.scoring.ledger import event_ref
from tracker.scoring.models import AMOUNT, Scorecard, ScoreEntry
from tracker.timeutil import previous_month
from tracker.units.models import Unit

# --- reading the ledger -----------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """What the ranking shows of a unit (no ORM object per row)."""

    id: int
    code: str
    name: str


@dataclass
class CardView:
    """A unit's scorecard for a period, read from the stored ledger."""

    unit: UnitRef
    score: Decimal
    deductions: Decimal
    credits: Decimal
    rank: int
    entries: list[ScoreEntry] = field(default_factory=list)

    rule_totals: list | None = None  # by_rule() summed in SQL (services.unit_card)

    def by_rule(self) -> list[tuple[str, int, Decimal]]:
        """(rule, count, total) for each rule with entries, deductions first."""
        if self.rule_totals is not None:
            return self.rule_totals
        totals: dict[str, list] = {}
        for e in self.entries:
            row = totals.setdefault(e.rule, [0, Decimal(0)])
            row[0] += 1
            row[1] += e.amount
        return sort_by_rule(totals)


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


def ranking(period: rules.Period, category_id: int | None = None):
    """The period's ranking as one SELECT (a subquery): per unit of a stored card, its
    deductions and credits summed over the period's months, score = 100 + both, `rank` by
    rules.rank's rule (score, then smaller deduction, then larger credit; full ties share a
    rank) and `position` in the listing order (ties by unit code, then id). With
    `category_id`, only that category's units, ranked among themselves (分类考核: the same
    rank as bulletins.ranking.category_cards gives). Window functions: SQLite ≥ 3.25 and
    PostgreSQL."""
    sums = select(
        Scorecard.unit_id.label("unit_id"),
        func.round(func.sum(Scorecard.deductions), 2, type_=AMOUNT).label("deductions"),
        func.round(func.sum(Scorecard.credits), 2, type_=AMOUNT).label("credits"),
    ).where(Scorecard.period.in_(period.months))
    if category_id:
        sums = sums.join(Unit, Unit.id == Scorecard.unit_id).where(Unit.category_id == category_id)
    sums = sums.group_by(Scorecard.unit_id).subquery()
    score = func.round(rules.BASE + sums.c.deductions + sums.c.credits, 2, type_=AMOUNT)
    merit = (score.desc(), sums.c.deductions.desc(), sums.c.credits.desc())
    return (
        select(
            sums.c.unit_id,
            Unit.code,
            Unit.name,
            score.label("score"),
            sums.c.deductions,
            sums.c.credits,
            func.rank().over(order_by=merit).label("rank"),
            func.row_number().over(order_by=(*merit, Unit.code, Unit.id)).label("position"),
        )
        .join(Unit, Unit.id == sums.c.unit_id)
        .subquery("ranking")
    )


def _card_view(row, entries=None) -> "CardView":
    return CardView(
        UnitRef(row.unit_id, row.code, row.name),
        row.score,
        row.deductions,
        row.credits,
        row.rank,
        entries if entries is not None else [],
    )


def period_state(period: rules.Period, today: date) -> "PeriodScores":
    """The period's months computed and missing, the last day computed, the rule versions and
    the number of units ranked, without any card (one statement for a month; two for a
    quarter or a year, or a month stored under two rule versions)."""
    rows = db.session.execute(
        select(
            Scorecard.period,
            Scorecard.rule_set_version,
            func.max(Scorecard.computed_on),
            func.count(func.distinct(Scorecard.unit_id)),
        )
        .where(Scorecard.period.in_(period.months))
        .group_by(Scorecard.period, Scorecard.rule_set_version)
    ).all()
    computed = sorted({r[0] for r in rows})
    this_month = rules.month_key(today.year, today.month)
    unit_count = 0
    if rows:
        unit_count = (
            db.session.scalar(
                select(func.count(func.distinct(Scorecard.unit_id))).where(
                    Scorecard.period.in_(period.months)
                )
            )
            if len(rows) > 1
            else rows[0][3]
        )
    return PeriodScores(
        period,
        [],
        computed,
        [m for m in period.months if m <= this_month and m not in computed],
        max((r[2] for r in rows), default=None),
        sorted({r[1] for r in rows}),
        unit_count,
    )


def ranked_count(period: rules.Period, category_id: int | None = None) -> int:
    """The number of units `ranking` ranks (those with a card in the period, of the
    category if given), counted without ranking them (one statement)."""
    query = select(func.count(func.distinct(Scorecard.unit_id))).where(
        Scorecard.period.in_(period.months)
    )
    if category_id:
        query = query.join(Unit, Unit.id == Scorecard.unit_id).where(
            Unit.category_id == category_id
        )
    return db.session.scalar(query) or 0


def ranking_page(
    period: rules.Period,
    page: int,
    size: int,
    category_id: int | None = None,
    known_count: int | None = None,
) -> tuple[list["CardView"], int, int]:
    """(the page's cards, the page shown, the number of units ranked) — ranked and paged in
    SQL (two statements, one when the caller passes `known_count`, e.g. period_state's
    unit_count); a page past the end shows the last one."""
    ranked = ranking(period, category_id)
    count = ranked_count(period, category_id) if known_count is None else known_count
    pages = max(1, -(-count // size))
    page = min(max(page or 1, 1), pages)
    rows = db.session.execute(
        select(ranked)
        .where(ranked.c.position > (page - 1) * size, ranked.c.position <= page * size)
        .order_by(ranked.c.position)
    ).all()
    return [_card_view(r) for r in rows], page, count


def unit_card(
    period: rules.Period, unit_id: int, page: int, size: int
) -> tuple["CardView | None", int, int]:
    """(the unit's card with one page of its entries and its totals by rule, the page shown,
    the number of entries): the rank among all units from the SQL ranking; the entries
    paged and summed in SQL — four statements whatever the length of the ledger."""
    ranked = ranking(period)
    row = db.session.execute(select(ranked).where(ranked.c.unit_id == unit_id)).first()
    if row is None:
        return None, 1, 0
    in_period = (
        select(ScoreEntry)
        .join(Scorecard, Scorecard.id == ScoreEntry.scorecard_id)
        .where(Scorecard.period.in_(period.months), Scorecard.unit_id == unit_id)
    )
    totals = db.session.execute(
        select(ScoreEntry.rule, func.count(), func.sum(ScoreEntry.amount))
        .join(Scorecard, Scorecard.id == ScoreEntry.scorecard_id)
        .where(Scorecard.period.in_(period.months), Scorecard.unit_id == unit_id)
        .group_by(ScoreEntry.rule)
    ).all()
    count = sum(n for _rule, n, _total in totals)
    pages = max(1, -(-count // size))
    page = min(max(page or 1, 1), pages)
    entries = db.session.scalars(
        in_period.order_by(Scorecard.period, ScoreEntry.position)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    card = _card_view(row, entries)
    card.rule_totals = sort_by_rule(
        {rule: (n, Decimal(total).quantize(Decimal("0.01"))) for rule, n, total in totals}
    )
    return card, page, count


def sort_by_rule(totals: dict) -> list[tuple[str, int, Decimal]]:
    """(rule, count, total) for each rule with entries, deductions first."""
    order = {code: i for i, code in enumerate(rules.RULES + (rules.MANUAL_ADJUSTMENT,))}
    return [
        (code, n, total)
        for code, (n, total) in sorted(totals.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def period_scores(period: rules.Period, today: date, unit_id: int | None = None) -> PeriodScores:
    """The period's scorecards with all their entries, ranked in SQL over the whole period
    (services.ranking; a month's stored rank is the same: the rule is deterministic), for
    the JSON export, the CLI and the bulletins. With `unit_id`, only that unit's card, with
    the rank it has among all units. The entries are plain read-only rows with the
    columns of ScoreEntry (a year's ledger is hundreds of thousands: no ORM objects)."""
    state = period_state(period, today)
    ranked = ranking(period)
    query = select(ranked).order_by(ranked.c.position)
    entries = (
        select(*ScoreEntry.__table__.c, Scorecard.unit_id.label("owner"))
        .join(Scorecard, Scorecard.id == ScoreEntry.scorecard_id)
        .where(Scorecard.period.in_(period.months))
        .order_by(Scorecard.period, ScoreEntry.scorecard_id, ScoreEntry.position)
    )
    if unit_id is not None:
        query = query.where(ranked.c.unit_id == unit_id)
        entries = entries.where(Scorecard.unit_id == unit_id)
    rows = db.session.execute(query).all()
    rows_of: dict[int, list] = {}
    for entry in db.session.execute(entries):
        rows_of.setdefault(entry.owner, []).append(entry)
    state.cards = [_card_view(r, rows_of.get(r.unit_id, [])) for r in rows]
    return state


def trends(months: list[str], unit_ids=None) -> dict[int, dict[str, Decimal]]:
    """{unit id: {month: score}} from the stored ledger (one statement); with `unit_ids`,
    those units' only (a page of the ranking)."""
    query = select(Scorecard.unit_id, Scorecard.period, Scorecard.score).where(
        Scorecard.period.in_(months)
    )
    if unit_ids is not None:
        query = query.where(Scorecard.unit_id.in_(list(unit_ids) or [0]))
    result: dict[int, dict[str, Decimal]] = {}
    for unit_id, period, score in db.session.execute(query).all():
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
