"""Running totals: the tables the dashboards and the minister's summary read, filled from the
live rows as `flask totals rebuild` fills them (tracker/totals/)

Revision ID: 0011
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('total_allocation',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('allocations', sa.Integer(), server_default='0', nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'status', name=op.f('pk_total_allocation'))
    )
    op.create_table('total_evidence',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('evidence_rating', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('committed_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('reported_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'evidence_rating', 'financial_year', name=op.f('pk_total_evidence'))
    )
    op.create_table('total_grantee',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('committed_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('reported_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('stream_id', 'organisation_id', 'financial_year', name=op.f('pk_total_grantee'))
    )
    op.create_table('total_money',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('in_draft_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('offered_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('committed_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('reported_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('recovered_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'financial_year', name=op.f('pk_total_money'))
    )
    op.create_table('total_output',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('achieved', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('latest', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'indicator_id', 'financial_year', name=op.f('pk_total_output'))
    )
    op.create_table('total_output_latest',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('latest', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'indicator_id', name=op.f('pk_total_output_latest'))
    )
    op.create_table('total_output_target',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('target', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'indicator_id', name=op.f('pk_total_output_target'))
    )
    op.create_table('total_payment',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('payments', sa.Integer(), server_default='0', nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'status', name=op.f('pk_total_payment'))
    )
    op.create_table('total_period',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('period_start', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('reported_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('forecast_pence', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('forecasts', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'period_start', name=op.f('pk_total_period'))
    )
    op.create_table('total_project',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('evidence_rating', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('projects', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'evidence_rating', name=op.f('pk_total_project'))
    )
    op.create_table('total_project_rating',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('rag', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('rated_by', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('projects', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'rag', 'rated_by', name=op.f('pk_total_project_rating'))
    )
    op.create_table('total_rating',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rater', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('rag', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('returns', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'financial_year', 'rater', 'rag', name=op.f('pk_total_rating'))
    )
    op.create_table('total_return',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('submitted_on_time', sa.Boolean(), autoincrement=False, nullable=False),
    sa.Column('returns', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'financial_year', 'status', 'submitted_on_time', name=op.f('pk_total_return'))
    )
    op.create_table('total_return_due',
    sa.Column('stream_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=60), autoincrement=False, nullable=False),
    sa.Column('financial_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('due_on', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('returns', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('region', 'stream_id', 'financial_year', 'due_on', name=op.f('pk_total_return_due'))
    )
    op.create_table('latest_project_rating',
    sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=60), nullable=False),
    sa.Column('rag', sa.String(length=10), nullable=False),
    sa.Column('rated_by', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_latest_project_rating_project_id_project')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_latest_project_rating'))
    )
    with op.batch_alter_table('latest_project_rating', schema=None) as batch_op:
        batch_op.create_index('ix_latest_project_rating_rag_stream_id', ['rag', 'stream_id'], unique=False)

    # Filled from the live rows by the latest migration that changes the totals (0015), which
    # rebuilds them all: the rebuild is today's code, so it can only run against today's tables.


def downgrade():
    with op.batch_alter_table('latest_project_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_latest_project_rating_rag_stream_id')

    op.drop_table('latest_project_rating')
    op.drop_table('total_return_due')
    op.drop_table('total_return')
    op.drop_table('total_rating')
    op.drop_table('total_project_rating')
    op.drop_table('total_project')
    op.drop_table('total_period')
    op.drop_table('total_payment')
    op.drop_table('total_output_target')
    op.drop_table('total_output_latest')
    op.drop_table('total_output')
    op.drop_table('total_money')
    op.drop_table('total_grantee')
    op.drop_table('total_evidence')
    op.drop_table('total_allocation')
