"""The score ledger's task and report links without foreign keys or indexes (issue 13)

Revision ID: 0028_ledger_links
Revises: 0027_report_pairs_covering
Create Date: 2026-12-02 00:00:00

`score_entry` is derived: only the scorecard job writes it, from rows it read in the same
transaction, and a scored task or report is never deleted. Its foreign keys to `task` and
`progress_report` and its indexes on `task_id` and `rule` (which no query filters by) cost
the job, at province scale on PostgreSQL, ≈ 470 of the 720 ms it took to write a month's
≈30,000 entries (COPY into the table as it was, then without the two foreign keys: 385 ms;
into a table without constraints or indexes: 55 ms). The link to the scorecard (with its
cascade and index) stays. On SQLite the table is rebuilt (batch mode).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0028_ledger_links"
down_revision = "0027_report_pairs_covering"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("score_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_entry_rule"))
        batch_op.drop_index(batch_op.f("ix_score_entry_task_id"))
        batch_op.drop_constraint(batch_op.f("fk_score_entry_task_id_task"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_score_entry_report_id_progress_report"), type_="foreignkey"
        )


def downgrade():
    with op.batch_alter_table("score_entry", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_score_entry_report_id_progress_report"),
            "progress_report",
            ["report_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_score_entry_task_id_task"), "task", ["task_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_score_entry_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_score_entry_rule"), ["rule"], unique=False)
