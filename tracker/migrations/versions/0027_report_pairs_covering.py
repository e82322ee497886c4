"""PostgreSQL: the month's reports for the scorecard from one index (issue 13)

Revision ID: 0027_report_pairs_covering
Revises: 0026_scorecard_reads
Create Date: 2026-12-02 00:00:00

The scorecard reads each month's reports grouped per task and unit (the latest revision,
its state and quality, the first submission). `progress_report (period_id, task_id,
unit_id, first_submitted_at, submitted_at)` found them, but PostgreSQL then read the
revision, state, quality and id from the table: ≈29,000 rows on ≈16,000 pages, twice
(224 ms at province scale). The index now INCLUDEs those four columns, so the reads are
index-only (66 ms). Its key is unchanged: every other reader uses it as before. SQLite
has no INCLUDE; there, with the four columns added to the key, the scorecard's other reads
of the index got about as much slower as this one got faster: it stays as it was.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0027_report_pairs_covering"
down_revision = "0026_scorecard_reads"
branch_labels = None
depends_on = None

NAME = "ix_progress_report_period_task_unit"
KEY = ["period_id", "task_id", "unit_id", "first_submitted_at", "submitted_at"]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="progress_report")
    op.create_index(
        NAME,
        "progress_report",
        KEY,
        postgresql_include=["revision", "state", "quality", "id"],
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="progress_report")
    op.create_index(NAME, "progress_report", KEY)
