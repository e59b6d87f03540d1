"""Who marked a payment paid (payment.paid_by_id), so that requester, approver and payer are
three different people, held by the database as well as the service

Revision ID: 0007
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_payment_paid_by_id_app_user'), 'app_user', ['paid_by_id'], ['id']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_payment_payer_is_neither_requester_nor_approver'),
            'paid_by_id IS NULL OR ((requested_by_id IS NULL OR paid_by_id <> requested_by_id)'
            ' AND (approved_by_id IS NULL OR paid_by_id <> approved_by_id))',
        )


def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_payment_payer_is_neither_requester_nor_approver'), type_='check'
        )
        batch_op.drop_constraint(batch_op.f('fk_payment_paid_by_id_app_user'), type_='foreignkey')
        batch_op.drop_column('paid_by_id')
