"""Index of the dashboard's red units: tasks by status, due date and lead unit (issue 13)

Revision ID: 0022_page_indexes
Revises: 0020_task_pace
Create Date: 2026-12-01 00:00:00

The dashboard counts the red (overdue) tasks of every lead unit on each request. With
`task (status, due_date)` the database read ≈10,000 task rows for their lead unit; the
index below holds the lead unit (and the id, which the milestone condition asks for), so
the count reads the index alone. It starts with the same two columns, so it replaces the
narrower index.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_page_indexes"
down_revision = "0020_task_pace"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_task_status_due_lead", "task", ["status", "due_date", "lead_unit_id", "id"])
    op.drop_index("ix_task_status_due_date", table_name="task")


def downgrade():
    op.create_index("ix_task_status_due_date", "task", ["status", "due_date"])
    op.drop_index("ix_task_status_due_lead", table_name="task")
