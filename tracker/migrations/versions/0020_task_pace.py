"""Pace: each open task's expected and reported percent, kept by the sweep and by reports (issue 13)

Revision ID: 0020_task_pace
Revises: 0019_sweep_state
Create Date: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_task_pace"
down_revision = "0019_sweep_state"
branch_labels = None
depends_on = None


def upgrade():
    # Left empty: the first alert sweep (or `flask pace refresh`) fills it (docs/milestones.md).
    op.create_table(
        "task_pace",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("expected_percent", sa.Integer(), nullable=True),
        sa.Column("reported_percent", sa.Integer(), nullable=True),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id"),
    )


def downgrade():
    op.drop_table("task_pace")
