"""The dashboard's stamp of task writes (issue 13)

Revision ID: 0025_dashboard_stamp
Revises: 0024_full_statistics
Create Date: 2026-12-02 00:00:00

One row, given a new random value by every commit that writes a task, milestone, plan,
section, unit or the dashboard's stored punctuality (tracker.dashboard.figures): the dashboard keeps the figures it counted over every task
while the stamp stays the same, instead of counting 20,000 tasks on every load.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025_dashboard_stamp"
down_revision = "0024_full_statistics"
branch_labels = None
depends_on = None


def upgrade():
    stamp = op.create_table(
        "dashboard_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(stamp, [{"id": 1, "version": 0}])


def downgrade():
    op.drop_table("dashboard_stamp")
