"""Contested assignments (退回交办) and linked tasks (减负) (issue 14)

Revision ID: 0014_contest_load
Revises: 0013_people
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_contest_load'
down_revision = '0013_people'
branch_labels = None
depends_on = None


def upgrade():
    # --- contest (退回交办): task_contest ------------------------------------
    op.create_table('task_contest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('paused_working_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_task_contest_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_task_contest_filed_by_id_user_account')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_contest_task_id_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_task_contest_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_contest'))
    )
    with op.batch_alter_table('task_contest', schema=None) as batch_op:
        batch_op.create_index('ix_task_contest_open', ['outcome', 'filed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_contest_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_contest_unit_id'), ['unit_id'], unique=False)
    # --- end contest ----------------------------------------------------------------------

    # --- linked tasks (一报多用): task_link_group, task_link -----------------
    op.create_table('task_link_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_task_link_group_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_link_group'))
    )
    op.create_table('task_link',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['task_link_group.id'], name=op.f('fk_task_link_group_id_task_link_group')),
    sa.ForeignKeyConstraint(['linked_by_id'], ['user_account.id'], name=op.f('fk_task_link_linked_by_id_user_account')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_link_task_id_task')),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_task_link'))
    )
    with op.batch_alter_table('task_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_link_group_id'), ['group_id'], unique=False)
    # --- end linked tasks -------------------------------------------------------------------


def downgrade():
    # --- linked tasks (一报多用) ------------------------------------------------
    with op.batch_alter_table('task_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_link_group_id'))

    op.drop_table('task_link')
    op.drop_table('task_link_group')
    # --- end linked tasks -------------------------------------------------------------------

    # --- contest (退回交办) ----------------------------------------------------
    with op.batch_alter_table('task_contest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_contest_unit_id'))
        batch_op.drop_index(batch_op.f('ix_task_contest_task_id'))
        batch_op.drop_index('ix_task_contest_open')

    op.drop_table('task_contest')
    # --- end contest ----------------------------------------------------------------------
