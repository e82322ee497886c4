"""Alert sweep: state for the incremental sweep at province scale (issue 13)

Revision ID: 0019_sweep_state
Revises: 0017_dashboard_state
Create Date: 2026-12-01 00:00:00

The sweep keeps no new table. Its escalation UPDATE reads the open alerts below the top
level (tracker/supervision/alerts/record.py `escalate`): at province scale ~95,000 of the
~106,000 open alerts are at level 4 and can rise no more, so an index on
(resolved_at, level, swept_on) lets it read the others only. Nothing to backfill.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_sweep_state"
down_revision = "0017_dashboard_state"
branch_labels = None
depends_on = None

INDEXES = [
    ("alert", "ix_alert_open_level", ["resolved_at", "level", "swept_on"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
