"""Indexes for the list pages at department scale: allocations by award date (whole, per
stream and per grantee), returns by status and due date (the review queue, overdue lists), variations by status

Revision ID: 0005
Revises: 0002

In the bench-data branch this follows 0002. 0003 (the audit hash chain) and 0004 come from other
branches: when they are merged, re-chain this one after them (down_revision = '0004') so the
migrations keep one head.
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.create_index('ix_allocation_awarded_on_id', ['awarded_on', 'id'], unique=False)
        batch_op.create_index(
            'ix_allocation_stream_awarded_on_id', ['stream_id', 'awarded_on', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_allocation_organisation_awarded_on_id',
            ['organisation_id', 'awarded_on', 'id'],
            unique=False,
        )
    with op.batch_alter_table('milestone_return', schema=None) as batch_op:
        batch_op.create_index(
            'ix_milestone_return_status_due_on_id', ['status', 'due_on', 'id'], unique=False
        )
    with op.batch_alter_table('variation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variation_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('variation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variation_status'))
    with op.batch_alter_table('milestone_return', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_return_status_due_on_id')
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_index('ix_allocation_organisation_awarded_on_id')
        batch_op.drop_index('ix_allocation_stream_awarded_on_id')
        batch_op.drop_index('ix_allocation_awarded_on_id')
