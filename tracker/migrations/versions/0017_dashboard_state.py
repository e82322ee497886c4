"""Dashboard: state kept by the batch jobs for the province-scale dashboard (issue 13)

Revision ID: 0017_dashboard_state
Revises: 0016_report_lateness
Create Date: 2026-12-01 00:00:00

The reporting punctuality of finished months, per month and unit
(tracker.dashboard.models), written by dashboard.punctuality.refresh_punctuality from the
alert sweep. No backfill here: an empty table is a valid state (the dashboard counts a
month that is not stored live, as before) and the first sweep after the upgrade fills it —
the counting is the application's rule (reports.rules), which a migration does not import.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_dashboard_state"
down_revision = "0016_report_lateness"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_punctuality_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_table(
        "dashboard_punctuality",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("not_due", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("month", "unit_id"),
    )


def downgrade():
    op.drop_table("dashboard_punctuality")
    op.drop_table("dashboard_punctuality_month")
