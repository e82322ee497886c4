"""State the incremental alert sweep and set-based scoring keep (issue 13)

Revision ID: 0011_batch_state
Revises: 0010_scale_indexes
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_batch_state'
down_revision = '0010_scale_indexes'
branch_labels = None
depends_on = None


# The sweep keeps its state in the `setting` table (alerts_last_sweep) and needs no new
# table; it reads the open alerts by period (tracker/supervision/alerts/record.py).
INDEXES = [
    ('alert', 'ix_alert_open_period', ['resolved_at', 'period_id']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
