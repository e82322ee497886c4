"""PostgreSQL: a unit's reports by month from one index (issue 13)

Revision ID: 0030_unit_reports_covering
Revises: 0029_ledger_card_link
Create Date: 2026-12-02 00:00:00

Two readers ask for a unit's reports month by month and want only the task and revision
besides: the reporting-load page (报送负担: the tasks 50 units filed reports on in each of
six months) and the late-filing list (补报: every report row of the liaison's unit, read on
the card after each submission). `progress_report (unit_id, period_id, state)` found the
rows, but PostgreSQL then read task_id and revision from the table, and for the load page
preferred to read the six months' whole index range of another index (≈ 160,000 entries,
24 ms) over ≈ 6,000 scattered table rows. The index now INCLUDEs task_id and revision: both
reads are index-only (the load page's 6 ms). Its key is unchanged, so every other reader
uses it as before. SQLite has no INCLUDE (see 0027): there it stays as it was.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0030_unit_reports_covering"
down_revision = "0029_ledger_card_link"
branch_labels = None
depends_on = None

NAME = "ix_progress_report_unit_period_state"
KEY = ["unit_id", "period_id", "state"]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="progress_report")
    op.create_index(NAME, "progress_report", KEY, postgresql_include=["task_id", "revision"])


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="progress_report")
    op.create_index(NAME, "progress_report", KEY)
