"""Reorganisations with dates and splits; unit categories (issue 14)

Revision ID: 0015_reorganisation
Revises: 0014_contest_load
Create Date: 2026-12-03 00:00:00

Each existing successor link (unit.successor_id) becomes a reorganisation record: one
reorganisation per distinct note (its title is the note up to the first colon, its date is left
to confirm), with one main succession per linked unit. `unit.successor_id` stays: it is the
main successor the rules follow (docs/reorganisations.md).
"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_reorganisation"
down_revision = "0014_contest_load"
branch_labels = None
depends_on = None

UNNAMED = "机构改革（迁移前的记录）"


def upgrade():
    op.create_table(
        "unit_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_category")),
        sa.UniqueConstraint("name", name=op.f("uq_unit_category_name")),
    )
    op.create_table(
        "reorganisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reorganisation")),
        sa.UniqueConstraint("title", name=op.f("uq_reorganisation_title")),
    )
    op.create_table(
        "unit_succession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reorganisation_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=True),
        sa.Column("duties", sa.String(length=200), nullable=True),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reorganisation_id"],
            ["reorganisation.id"],
            name=op.f("fk_unit_succession_reorganisation_id_reorganisation"),
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"], ["unit.id"], name=op.f("fk_unit_succession_successor_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_succession_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_succession")),
        sa.UniqueConstraint(
            "reorganisation_id",
            "unit_id",
            "successor_id",
            name=op.f("uq_unit_succession_reorganisation_id_unit_id_successor_id"),
        ),
    )
    with op.batch_alter_table("unit_succession", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_succession_reorganisation_id"), ["reorganisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unit_succession_successor_id"), ["successor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unit_succession_unit_id"), ["unit_id"], unique=False)

    # A plain ADD COLUMN (with its REFERENCES on SQLite): a batch copy of `unit` would drop
    # the table every task refers to, which SQLite refuses with foreign keys on.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE unit ADD COLUMN category_id INTEGER"
            " CONSTRAINT fk_unit_category_id_unit_category REFERENCES unit_category (id)"
        )
    else:
        op.add_column("unit", sa.Column("category_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_unit_category_id_unit_category"),
            "unit",
            "unit_category",
            ["category_id"],
            ["id"],
        )
    op.create_index(op.f("ix_unit_category_id"), "unit", ["category_id"], unique=False)

    _move_successor_links()


def _title(note):
    """The reorganisation a note names: its text up to the first colon (2019年…机构改革)."""
    head = re.split(r"[:：]", note or "", maxsplit=1)[0].strip()
    return head[:200] or UNNAMED


def _move_successor_links():
    conn = op.get_bind()
    links = conn.execute(
        sa.text(
            "SELECT id, successor_id, successor_note FROM unit"
            " WHERE successor_id IS NOT NULL ORDER BY id"
        )
    ).all()
    reorganisation = sa.table(
        "reorganisation",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("note", sa.Text),
    )
    succession = sa.table(
        "unit_succession",
        sa.column("reorganisation_id", sa.Integer),
        sa.column("unit_id", sa.Integer),
        sa.column("successor_id", sa.Integer),
        sa.column("is_main", sa.Boolean),
    )
    ids = {}
    for unit_id, successor_id, note in links:
        title = _title(note)
        if title not in ids:
            conn.execute(reorganisation.insert().values(title=title, note=note))
            ids[title] = conn.execute(
                sa.text("SELECT id FROM reorganisation WHERE title = :t"), {"t": title}
            ).scalar_one()
        conn.execute(
            succession.insert().values(
                reorganisation_id=ids[title],
                unit_id=unit_id,
                successor_id=successor_id,
                is_main=True,
            )
        )


def downgrade():
    with op.batch_alter_table("unit_succession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_succession_unit_id"))
        batch_op.drop_index(batch_op.f("ix_unit_succession_successor_id"))
        batch_op.drop_index(batch_op.f("ix_unit_succession_reorganisation_id"))
    op.drop_table("unit_succession")
    op.drop_table("reorganisation")
    op.drop_index(op.f("ix_unit_category_id"), table_name="unit")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column only by copying the table, which the tasks' foreign keys
        # forbid; the unused column stays and its category table with it.
        op.execute("UPDATE unit SET category_id = NULL")
        return
    op.drop_constraint(op.f("fk_unit_category_id_unit_category"), "unit", type_="foreignkey")
    op.drop_column("unit", "category_id")
    op.drop_table("unit_category")
