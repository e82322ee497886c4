"""Search: trigram indexes for finding work by any substring of a task, plan or unit

PostgreSQL: pg_trgm GIN indexes on task.title, task.text, plan.title, plan.doc_number and
unit.name, used by ILIKE '%…%' (CREATE EXTENSION needs a role allowed to create it; the
database owner is enough from PostgreSQL 13 on, pg_trgm being a trusted extension).

SQLite: an FTS5 table `task_search` with the trigram tokenizer (SQLite >= 3.34) over
task.title and task.text, kept in step with `task` by three triggers. It is contentless (it
holds the index only: searches read the rowid) and indexes each title and text followed by a
line break, so that any two characters of a task start one of its trigrams: a two-character
term ("孵化") is looked up as the trigrams that start with it, listed by the vocabulary table
`task_search_vocab` (tracker.plans.search). Not a view over `task`: a view would make SQLite
refuse the table rename of a later batch migration of `task`. Plans and units are few and are
searched with LIKE. A later migration that rebuilds `task` on SQLite (a batch "move and copy")
drops the triggers and must create them again (TRIGGERS below; tests/plans/test_search.py
checks that a new task is found).

Both: an index on task.due_date (the light, overdue and due-range filters, the due sort).

Revision ID: 0007_search
Revises: 0006_intake
Create Date: 2026-12-01 08:00:00

"""

from alembic import op

revision = "0007_search"
down_revision = "0006_intake"
branch_labels = None
depends_on = None

TRGM_INDEXES = [
    ("ix_task_title_trgm", "task", "title"),
    ("ix_task_text_trgm", "task", "text"),
    ("ix_plan_title_trgm", "plan", "title"),
    ("ix_plan_doc_number_trgm", "plan", "doc_number"),
    ("ix_unit_name_trgm", "unit", "name"),
]

# The indexed values: title and text each followed by a line break (char(10)). A 'delete'
# must give exactly the values indexed.
TRIGGERS = [
    """CREATE TRIGGER task_search_ai AFTER INSERT ON task BEGIN
        INSERT INTO task_search(rowid, title, text)
        VALUES (new.id, new.title || char(10), new.text || char(10));
    END""",
    """CREATE TRIGGER task_search_ad AFTER DELETE ON task BEGIN
        INSERT INTO task_search(task_search, rowid, title, text)
        VALUES ('delete', old.id, old.title || char(10), old.text || char(10));
    END""",
    """CREATE TRIGGER task_search_au AFTER UPDATE OF title, text ON task BEGIN
        INSERT INTO task_search(task_search, rowid, title, text)
        VALUES ('delete', old.id, old.title || char(10), old.text || char(10));
        INSERT INTO task_search(rowid, title, text)
        VALUES (new.id, new.title || char(10), new.text || char(10));
    END""",
]


def upgrade():
    op.create_index("ix_task_due_date", "task", ["due_date"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRGM_INDEXES:
            op.execute(f'CREATE INDEX {name} ON "{table}" USING gin ("{column}" gin_trgm_ops)')
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE task_search USING fts5("
            "title, text, content='', tokenize='trigram')"
        )
        op.execute("CREATE VIRTUAL TABLE task_search_vocab USING fts5vocab(task_search, 'row')")
        op.execute(
            "INSERT INTO task_search(rowid, title, text) "
            "SELECT id, title || char(10), text || char(10) FROM task"
        )
        for trigger in TRIGGERS:
            op.execute(trigger)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name, _table, _column in TRGM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif dialect == "sqlite":
        for name in ("task_search_ai", "task_search_ad", "task_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS task_search_vocab")
        op.execute("DROP TABLE IF EXISTS task_search")
    op.drop_index("ix_task_due_date", table_name="task")
