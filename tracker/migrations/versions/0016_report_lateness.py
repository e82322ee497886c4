"""Reports: stored first submission and lateness for the review queue's light filter (issue 13)

Revision ID: 0016_report_lateness
Revises: 0015_reorganisation
Create Date: 2026-12-01 00:00:00

Every revision of a (task, unit, period) carries that report's first submission (the
earliest over its revisions, rules.first_submission) as `first_filed_at`, and `first_late`
says whether it came after the period's due date (Beijing day, rules.is_late). The backfill
is set-based (see _backfill): seconds, whatever the number of reports.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_report_lateness"
down_revision = "0015_reorganisation"
branch_labels = None
depends_on = None


BEIJING = ZoneInfo("Asia/Shanghai")


def _day_end(day) -> datetime:
    """The naive UTC end (exclusive) of the Beijing day `day` (timeutil.local_day_bounds,
    copied: a migration does not import the app)."""
    start = datetime(day.year, day.month, day.day, tzinfo=BEIJING) + timedelta(days=1)
    return start.astimezone(UTC).replace(tzinfo=None)


# the groups of revisions: a report with a correction (revision 2 or more)
REVISED = (
    "(task_id, unit_id, period_id) IN "
    "(SELECT task_id, unit_id, period_id FROM progress_report WHERE revision > 1)"
)
EARLIEST = (
    "(SELECT MIN(COALESCE(o.first_submitted_at, o.submitted_at)) FROM progress_report o"
    " WHERE o.period_id = progress_report.period_id AND o.task_id = progress_report.task_id"
    " AND o.unit_id = progress_report.unit_id)"
)


def _backfill(bind) -> None:
    """Set-based: every submitted report gets its own first submission and its lateness
    against its period's Beijing day end (a CASE over the few periods); then the reports
    with corrections get the earliest over their revisions (few rows). On PostgreSQL the
    first step is a table rewrite (ALTER COLUMN … TYPE … USING: the indexes are built once
    at the end) — an UPDATE of every row maintaining its ten indexes row by row takes
    minutes at the province's 874,000 reports; on SQLite one UPDATE."""
    periods = bind.execute(sa.text("SELECT id, due_date FROM reporting_period")).all()
    if not periods:
        return
    ends = {}
    for period_id, due in periods:
        if isinstance(due, str):  # SQLite hands dates back as text
            due = datetime.strptime(due[:10], "%Y-%m-%d").date()
        ends[int(period_id)] = _day_end(due)
    filed = "COALESCE(first_submitted_at, submitted_at)"
    if bind.dialect.name == "postgresql":
        # literals, not parameters (ALTER TABLE takes none): ints and our own timestamps
        whens = " ".join(
            f"WHEN {pid} THEN TIMESTAMP '{end:%Y-%m-%d %H:%M:%S}'" for pid, end in ends.items()
        )
        day_end = f"(CASE period_id {whens} END)"
        bind.execute(
            sa.text(
                "ALTER TABLE progress_report"
                f" ALTER COLUMN first_filed_at TYPE timestamp without time zone USING {filed},"
                f" ALTER COLUMN first_late TYPE boolean USING COALESCE({filed} >= {day_end}, FALSE)"
            )
        )
        params = []
    else:
        whens = " ".join(f"WHEN {pid} THEN :end_{pid}" for pid in ends)
        day_end = f"(CASE period_id {whens} END)"
        params = [sa.bindparam(f"end_{pid}", end, type_=sa.DateTime()) for pid, end in ends.items()]
        bind.execute(
            sa.text(
                f"UPDATE progress_report SET first_filed_at = {filed},"
                f" first_late = COALESCE({filed} >= {day_end}, FALSE) WHERE {filed} IS NOT NULL"
            ).bindparams(*params)
        )
    bind.execute(
        sa.text(
            f"UPDATE progress_report SET first_filed_at = {EARLIEST},"
            f" first_late = COALESCE({EARLIEST} >= {day_end}, FALSE) WHERE {REVISED}"
        ).bindparams(*params)
    )


def upgrade():
    op.add_column("progress_report", sa.Column("first_filed_at", sa.DateTime(), nullable=True))
    op.add_column(
        "progress_report",
        sa.Column("first_late", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _backfill(op.get_bind())
    op.create_index(
        "ix_progress_report_state_late",
        "progress_report",
        ["state", "first_late", "first_filed_at", "period_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_progress_report_state_late", table_name="progress_report")
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.drop_column("first_late")
        batch_op.drop_column("first_filed_at")
