"""SQLite: count the planner's statistics over every row once (issue 13)

Revision ID: 0024_full_statistics
Revises: 0023_list_indexes
Create Date: 2026-12-01 00:00:00

Earlier versions refreshed SQLite's statistics with `analysis_limit = 1000`: a sample that
recorded "about 1,000 rows per key" for columns of few values (a report's state, its
period) whatever the truth, so the planner took those indexes for selective ones. The
daily job now counts every row, but only for tables that grew by a tenth, so sampled
statistics would stay for months: this migration counts them again once (≈ 1.2 s at
province scale). A database without statistics keeps none (the daily job's first run
makes them). PostgreSQL keeps its own statistics (autovacuum): nothing to do.
"""

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = "0024_full_statistics"
down_revision = "0023_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        bind.execute(text("PRAGMA analysis_limit = 0"))
        bind.execute(text("ANALYZE"))


def downgrade():
    pass  # statistics are not schema: the counted ones serve the earlier version as well
