"""The scorecard job's reads at province scale: a digest of each card's entries, and audit
records by action and time (issue 13)

Revision ID: 0026_scorecard_reads
Revises: 0025_dashboard_stamp
Create Date: 2026-12-02 00:00:00

`scorecard.entries_digest`: a fingerprint of the card's entries, written with them; the
nightly rerun of a month compares it instead of reading ≈30,000 entries back (≈110 ms at
province scale). Cards stored before have none and are written again once.

`audit_event (action, occurred_at)` replaces the index on `action` alone: the scorecard
reads a month's returned reports (action "report.returned" since the month began), which
the index on occurred_at answered by reading every record since then (≈98,000 at province
scale, ≈150 ms on SQLite). The new index answers every filter by action alone as well.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_scorecard_reads"
down_revision = "0025_dashboard_stamp"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scorecard") as batch_op:
        batch_op.add_column(sa.Column("entries_digest", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_audit_event_action_occurred_at", "audit_event", ["action", "occurred_at"]
    )
    op.drop_index("ix_audit_event_action", table_name="audit_event")


def downgrade():
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.drop_index("ix_audit_event_action_occurred_at", table_name="audit_event")
    with op.batch_alter_table("scorecard") as batch_op:
        batch_op.drop_column("entries_digest")
