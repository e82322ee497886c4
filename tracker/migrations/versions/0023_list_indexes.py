"""Indexes of the task list and of the office's overdue acknowledgements (issue 13)

Revision ID: 0023_list_indexes
Revises: 0022_page_indexes
Create Date: 2026-12-01 00:00:00

/supervision/requests lists the assignments not acknowledged by their due day. Without an
index the database read all ≈38,000 assignments for the ≈1,100 unacknowledged ones (≈8 ms
of the page on PostgreSQL at province scale). `(acknowledged_at, ack_due, id)` finds the
unacknowledged ones (acknowledged_at IS NULL) already in due-day order.

/tasks counts and sorts the tasks not archived (archived_at IS NULL), often by light
(status, due date), and /notices counts the red ones: each read the whole task table with
its texts for a few columns. `task (status, due_date, archived_at, plan_id, number, id)`
holds them all, so the counts, the light filters and the page's ids come from the index
alone (PostgreSQL at province scale: /tasks 25 → 12 ms, /tasks?light=red 17 → 6 ms,
/notices 16 → 5 ms of the database's time). It leads with status, not archived_at: SQLite's
sampled statistics would rate `archived_at IS NULL` as selective and then look up every
task's row through the index for a sort on another column (/tasks?sort=lead).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_list_indexes"
down_revision = "0022_page_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_task_assignment_ack", "task_assignment", ["acknowledged_at", "ack_due", "id"]
    )
    op.create_index(
        "ix_task_list", "task", ["status", "due_date", "archived_at", "plan_id", "number", "id"]
    )


def downgrade():
    op.drop_index("ix_task_list", table_name="task")
    op.drop_index("ix_task_assignment_ack", table_name="task_assignment")
