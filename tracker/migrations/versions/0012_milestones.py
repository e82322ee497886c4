"""Milestones (节点) and pace (序时进度) (issue 14)

Revision ID: 0012_milestones
Revises: 0011_batch_state
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_milestones'
down_revision = '0011_batch_state'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('deliverable', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('expected_percent', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), server_default='manual', nullable=False),
    sa.Column('phrase', sa.String(length=200), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_milestone_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['done_by_id'], ['user_account.id'], name=op.f('fk_milestone_done_by_id_user_account')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_milestone_task_id_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_milestone_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_unit_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_task_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_due_date'))

    op.drop_table('milestone')
