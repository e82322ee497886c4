"""Score rules, manual adjustments, the scorecard ledger and bulletins (通报).

A month's scorecards are computed from events (tracker.scoring.rules, pure) and stored as
the ledger: one `Scorecard` per unit and month, each with its `ScoreEntry` rows. Quarter and
year scorecards add up the stored months. A recompute replaces a month's ledger in one
transaction; a published bulletin keeps its own copy of the figures it printed.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

AMOUNT = Numeric(8, 2)


class ScoreRuleSet(db.Model):
    """One version of the score rules. Versions are never edited: a change is a new version
    in force from a given month (`effective_from`, "YYYY-MM"). A month is scored with the
    version whose `effective_from` is the latest on or before it (the highest version wins
    when two start in the same month)."""

    __tablename__ = "score_rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    effective_from: Mapped[str] = mapped_column(String(7), index=True)
    # {rule code: amount as a string, e.g. "-2" or "0.5"}
    amounts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User", lazy="raise_on_sql")

    def amount(self, code: str) -> Decimal:
        return Decimal(str(self.amounts.get(code, "0")))


class ScoreAdjustment(db.Model):
    """A manual deduction or credit by the office for one unit and month, with its reason."""

    __tablename__ = "score_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "YYYY-MM"
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit = relationship("Unit", lazy="raise_on_sql")


class Scorecard(db.Model):
    """A unit's score for one month: 100 + the sum of its entries, and its rank that month."""

    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("period", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "YYYY-MM"
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    score: Mapped[Decimal] = mapped_column(AMOUNT)
    deductions: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    credits: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    rank: Mapped[int]
    rule_set_version: Mapped[int]
    computed_on: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # services.entries_digest of its entries, written with them: a rerun of the month
    # compares it instead of reading the entries back (issue 13); None before migration 0026
    entries_digest: Mapped[str | None] = mapped_column(String(32))

    unit = relationship("Unit", lazy="raise_on_sql")
    entries = relationship(
        "ScoreEntry",
        primaryjoin="Scorecard.id == foreign(ScoreEntry.scorecard_id)",
        back_populates="scorecard",
        order_by="ScoreEntry.position",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )


class ScoreEntry(db.Model):
    """One deduction or credit (扣分/加分): its rule, its amount and the event behind it.

    `event_type`/`event_id` name the event's record: report, task, notice, instruction,
    adjustment or audit (a returned report is found in the audit log).

    The ledger is derived: only services.store_month writes it, from rows it read in the
    same transaction, and a scored task or report is never deleted (a task may be deleted
    only while pending, which scores nothing). So `task_id` and `report_id` are plain
    links, without foreign keys or indexes (migration 0028): nothing reads entries by task
    or rule, and at province scale PostgreSQL's foreign-key checks and the two indexes
    cost more than half of writing a month's ≈30,000 entries. Likewise `scorecard_id`
    (indexed) has no foreign key (migration 0029): store_month deletes a card's entries
    before the card, in the same statements whatever the month, and the check of each
    entry's card cost PostgreSQL ≈ 0.2–0.3 s of the month's scorecard (issue 13)."""

    __tablename__ = "score_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(index=True)  # a link without a foreign key
    position: Mapped[int] = mapped_column(default=0)
    rule: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    event_type: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int]
    event_date: Mapped[date | None] = mapped_column(Date)
    task_id: Mapped[int | None]  # a link to the task behind the entry (see above)
    report_id: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")

    scorecard = relationship(
        "Scorecard",
        primaryjoin="foreign(ScoreEntry.scorecard_id) == Scorecard.id",
        back_populates="entries",
        lazy="raise_on_sql",
    )


class BulletinState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(BULLETIN_STATE_LABELS[self])


BULLETIN_STATE_LABELS = {
    BulletinState.DRAFT: _l("Draft"),
    BulletinState.PUBLISHED: _l("Published"),
}


class Bulletin(db.Model):
    """A circular (通报) for a period: drafted from the data, edited by the office, published.

    `figures` is the copy of the data the draft was made from (ranking, praised and
    criticised units, overdue tasks, notices): the Word and Excel exports print it, so a
    published bulletin never changes when scores are recomputed."""

    __tablename__ = "bulletin"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "YYYY-MM", "YYYY-Qn", "YYYY"
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=BulletinState.DRAFT.value, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None]
    published_on: Mapped[date | None] = mapped_column(Date)

    @property
    def state_enum(self) -> BulletinState:
        return BulletinState(self.state)


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "score_rules.created": _l("Score rules changed (new version)"),
    "score.adjusted": _l("Score adjusted by the office"),
    "scores.computed": _l("Scores computed"),
    "bulletin.drafted": _l("Bulletin drafted"),
    "bulletin.edited": _l("Bulletin edited"),
    "bulletin.published": _l("Bulletin published"),
}
