"""Year-end outturn: the running total of each stream's outturn by financial quarter
(total_outturn: reported spend, forecast, profile where no forecast is given, and payments
approved but unpaid) and each stream's margin for the year-end flag; each stream's standard
conditions of grant as versioned text (stream_conditions); every running total is then
rebuilt from the live rows, as `flask totals rebuild` does

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

    from tracker.totals import ledger

    ledger.rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('funding_stream', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_funding_stream_outturn_margin_is_a_percentage'), type_='check')
        batch_op.drop_column('outturn_margin_percent')
    with op.batch_alter_table('stream_conditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stream_conditions_stream_id'))
    op.drop_table('stream_conditions')
    op.drop_table('total_outturn')
