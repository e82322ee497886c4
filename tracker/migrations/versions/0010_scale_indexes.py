"""Indexes for the province-scale pages (issue 13)

Revision ID: 0010_scale_indexes
Revises: 0009_api
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_scale_indexes'
down_revision = '0009_api'
branch_labels = None
depends_on = None

# (table, index name, columns): each is on the model too (tests/test_migrations.py)
INDEXES = [
    ('audit_event', 'ix_audit_event_subject', ['subject_type', 'subject_id', 'occurred_at']),
    ('progress_report', 'ix_progress_report_unit_period_state', ['unit_id', 'period_id', 'state']),
    ('progress_report', 'ix_progress_report_period_state', ['period_id', 'state']),
    ('progress_report', 'ix_progress_report_period_task_unit',
     ['period_id', 'task_id', 'unit_id', 'first_submitted_at', 'submitted_at']),
    ('task', 'ix_task_plan_section_status_due', ['plan_id', 'section_id', 'status', 'due_date']),
    ('task', 'ix_task_status_due_date', ['status', 'due_date']),
    ('notification', 'ix_notification_user_read', ['user_id', 'read_at', 'created_at']),
]


def upgrade():
    # --- indexes of the dashboard, scores, plan and task pages ---
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    # --- end ---
    # --- indexes of the reporting, supervision and notification pages ---
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(
            'ix_notification_user_created', ['user_id', 'created_at', 'id'], unique=False
        )
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.create_index(
            'ix_progress_report_state_submitted', ['state', 'submitted_at', 'id'], unique=False
        )
    # --- end ---


def downgrade():
    # --- indexes of the reporting, supervision and notification pages ---
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_created')
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_report_state_submitted')
    # --- end ---
    # --- indexes of the dashboard, scores, plan and task pages ---
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    # --- end ---
