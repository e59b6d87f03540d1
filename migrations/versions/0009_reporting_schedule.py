"""The reporting schedule of an allocation (reporting_schedule): how often its projects report,
from which period, and how many working days after a period ends a return is due; the returns
are generated from it; an index for the second officer's queue of large draft awards

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reporting_schedule',
        sa.Column('allocation_id', sa.Integer(), nullable=False),
        sa.Column('frequency', sa.Enum('quarterly', 'monthly', name='schedule_frequency', native_enum=False, create_constraint=True, length=30), nullable=False),
        sa.Column('first_period_start', sa.Date(), nullable=False),
        sa.Column('due_working_days', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('due_working_days >= 0', name=op.f('ck_reporting_schedule_due_working_days_not_negative')),
        sa.ForeignKeyConstraint(['allocation_id'], ['allocation.id'], name=op.f('fk_reporting_schedule_allocation_id_allocation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_schedule')),
        sa.UniqueConstraint('allocation_id', name=op.f('uq_reporting_schedule_allocation_id')),
    )
    # The second officer's work queue: drafts at or over the approval threshold.
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.create_index('ix_allocation_status_amount_pence', ['status', 'amount_pence'], unique=False)


def downgrade():
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_index('ix_allocation_status_amount_pence')
    op.drop_table('reporting_schedule')
