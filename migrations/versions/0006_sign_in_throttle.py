"""Sign-in throttling counted atomically: a counter per account, per browser's tries at an
account and per address (sign_in_throttle), and attempts refused without being checked
(sign_in_attempt.refused)

Revision ID: 0006
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_throttle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=400), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=True),
        sa.Column('wait_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttle')),
        sa.UniqueConstraint('key', name=op.f('uq_sign_in_throttle_key')),
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('refused', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.drop_column('refused')
    op.drop_table('sign_in_throttle')
