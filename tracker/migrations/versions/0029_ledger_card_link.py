"""The score ledger's link to its scorecard without a foreign key (issue 13)

Revision ID: 0029_ledger_card_link
Revises: 0028_ledger_links
Create Date: 2026-12-02 00:00:00

`score_entry` is derived (migration 0028): only the scorecard job writes it, and it deletes
a card's entries before the card. The foreign key from `score_entry.scorecard_id` to
`scorecard` (with ON DELETE CASCADE) made PostgreSQL check every entry's card as a month's
≈30,000 entries were copied in: ≈ 0.2–0.3 s of the month's scorecard at province scale
(measured on the same database with and without it). The index on `scorecard_id` stays (a
card's entries are read by it). On SQLite the table is rebuilt (batch mode).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0029_ledger_card_link"
down_revision = "0028_ledger_links"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("score_entry", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_score_entry_scorecard_id_scorecard"), type_="foreignkey"
        )


def downgrade():
    with op.batch_alter_table("score_entry", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_score_entry_scorecard_id_scorecard"),
            "scorecard",
            ["scorecard_id"],
            ["id"],
            ondelete="CASCADE",
        )
