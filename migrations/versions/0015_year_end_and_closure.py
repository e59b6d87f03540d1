"""Year-end outturn: the running total of each stream's outturn by financial quarter
(total_outturn: reported spend, forecast, profile where no forecast is given, and payments
approved but unpaid) and each stream's margin for the year-end flag; each stream's standard
conditions of grant as versioned text (stream_conditions); closing a grant: its final return
(final_return), the recovery of money paid but not spent on eligible costs (recovery) and what
is received against it (recovery_receipt); the running totals are rebuilt by 0016

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('total_outturn',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('quarter_start', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('reported_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('forecast_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('profile_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('approved_unpaid_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'quarter_start', name=op.f('pk_total_outturn'))
    )
    op.create_table('stream_conditions',
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['made_by_id'], ['app_user.id'], name=op.f('fk_stream_conditions_made_by_id_app_user')),
    sa.ForeignKeyConstraint(['stream_id'], ['funding_stream.id'], name=op.f('fk_stream_conditions_stream_id_funding_stream')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_conditions')),
    sa.UniqueConstraint('stream_id', 'version', name=op.f('uq_stream_conditions_stream_id'))
    )
    with op.batch_alter_table('stream_conditions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stream_conditions_stream_id'), ['stream_id'], unique=False)

    with op.batch_alter_table('funding_stream', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outturn_margin_percent', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(op.f('ck_funding_stream_outturn_margin_is_a_percentage'), 'outturn_margin_percent BETWEEN 0 AND 100')

    op.create_table('final_return',
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'changes requested', 'accepted', name='final_return_status', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('delivered', sa.JSON(), nullable=False),
    sa.Column('eligible_spend_pence', sa.BigInteger(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('eligible_spend_pence >= 0', name=op.f('ck_final_return_eligible_spend_pence_not_negative')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocation.id'], name=op.f('fk_final_return_allocation_id_allocation')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_final_return_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['app_user.id'], name=op.f('fk_final_return_submitted_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_return')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_final_return_allocation_id'))
    )
    op.create_table('recovery',
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'write-off requested', 'settled', name='recovery_status', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('received_pence', sa.BigInteger(), nullable=False),
    sa.Column('written_off_pence', sa.BigInteger(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('write_off_reason', sa.Text(), nullable=False),
    sa.Column('write_off_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('write_off_requested_at', sa.DateTime(), nullable=True),
    sa.Column('write_off_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('write_off_approved_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_recovery_amount_is_positive')),
    sa.CheckConstraint('received_pence + written_off_pence <= amount_pence', name=op.f('ck_recovery_settled_within_amount')),
    sa.CheckConstraint('received_pence >= 0', name=op.f('ck_recovery_received_pence_not_negative')),
    sa.CheckConstraint('write_off_approved_by_id IS NULL OR write_off_requested_by_id IS NULL OR write_off_approved_by_id <> write_off_requested_by_id', name=op.f('ck_recovery_write_off_by_two_people')),
    sa.CheckConstraint('written_off_pence >= 0', name=op.f('ck_recovery_written_off_pence_not_negative')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocation.id'], name=op.f('fk_recovery_allocation_id_allocation')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['app_user.id'], name=op.f('fk_recovery_raised_by_id_app_user')),
    sa.ForeignKeyConstraint(['write_off_approved_by_id'], ['app_user.id'], name=op.f('fk_recovery_write_off_approved_by_id_app_user')),
    sa.ForeignKeyConstraint(['write_off_requested_by_id'], ['app_user.id'], name=op.f('fk_recovery_write_off_requested_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_recovery_allocation_id'))
    )
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_status'), ['status'], unique=False)

    op.create_table('recovery_receipt',
    sa.Column('recovery_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_recovery_receipt_amount_is_positive')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocation.id'], name=op.f('fk_recovery_receipt_allocation_id_allocation')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_recovery_receipt_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['recovery_id'], ['recovery.id'], name=op.f('fk_recovery_receipt_recovery_id_recovery')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_receipt'))
    )
    with op.batch_alter_table('recovery_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_receipt_allocation_id'), ['allocation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_receipt_recovery_id'), ['recovery_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_receipt_recovery_id'))
        batch_op.drop_index(batch_op.f('ix_recovery_receipt_allocation_id'))

    op.drop_table('recovery_receipt')
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_status'))

    op.drop_table('recovery')
    op.drop_table('final_return')
    with op.batch_alter_table('funding_stream', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_funding_stream_outturn_margin_is_a_percentage'), type_='check')
        batch_op.drop_column('outturn_margin_percent')
    with op.batch_alter_table('stream_conditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stream_conditions_stream_id'))
    op.drop_table('stream_conditions')
    op.drop_table('total_outturn')
