"""People: 分管领导 and 责任人 (issue 14)

Revision ID: 0013_people
Revises: 0012_milestones
Create Date: 2026-12-03 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_people'
down_revision = '0012_milestones'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leader_in_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_leader_in_charge_plan_id_plan')),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], name=op.f('fk_leader_in_charge_section_id_section')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_leader_in_charge_task_id_task')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_leader_in_charge_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_in_charge')),
    sa.UniqueConstraint('plan_id', name=op.f('uq_leader_in_charge_plan_id')),
    sa.UniqueConstraint('section_id', name=op.f('uq_leader_in_charge_section_id')),
    sa.UniqueConstraint('task_id', name=op.f('uq_leader_in_charge_task_id'))
    )
    with op.batch_alter_table('leader_in_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_in_charge_user_id'), ['user_id'], unique=False)

    op.create_table('responsible_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_responsible_person_task_id_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_responsible_person_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsible_person')),
    sa.UniqueConstraint('task_id', 'unit_id', name=op.f('uq_responsible_person_task_id_unit_id'))
    )
    with op.batch_alter_table('responsible_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsible_person_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsible_person_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('responsible_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsible_person_unit_id'))
        batch_op.drop_index(batch_op.f('ix_responsible_person_task_id'))

    op.drop_table('responsible_person')
    with op.batch_alter_table('leader_in_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_in_charge_user_id'))

    op.drop_table('leader_in_charge')
