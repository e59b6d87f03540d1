"""The audit trail as a hash chain: each event carries its predecessor's hash and its own

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:50:00

Existing events are chained in id order, a batch at a time (keyset pages, so memory stays flat
however long the trail), with the same function the app uses; then the columns become NOT NULL
and unique (a unique previous_hash means the chain cannot fork).
"""
from alembic import op
import sqlalchemy as sa

from tracker.domain.audit_chain import GENESIS, HASHED_FIELDS, event_hash


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BATCH = 1000

audit_event = sa.table(
    'audit_event',
    sa.column('id', sa.Integer),
    sa.column('occurred_at', sa.DateTime),
    sa.column('actor_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('object_type', sa.String),
    sa.column('object_id', sa.Integer),
    sa.column('before', sa.JSON),
    sa.column('after', sa.JSON),
    sa.column('remote_address', sa.String),
    sa.column('previous_hash', sa.String),
    sa.column('event_hash', sa.String),
)


def backfill(connection) -> int:
    columns = [audit_event.c.id] + [audit_event.c[name] for name in HASHED_FIELDS]
    write = (
        sa.update(audit_event)
        .where(audit_event.c.id == sa.bindparam('b_id'))
        .values(previous_hash=sa.bindparam('b_previous'), event_hash=sa.bindparam('b_hash'))
    )
    previous, last_id, done = GENESIS, 0, 0
    while True:
        rows = connection.execute(
            sa.select(*columns)
            .where(audit_event.c.id > last_id)
            .order_by(audit_event.c.id)
            .limit(BATCH)
        ).mappings().all()
        if not rows:
            return done
        updates = []
        for row in rows:
            digest = event_hash(row, previous)
            updates.append({'b_id': row['id'], 'b_previous': previous, 'b_hash': digest})
            previous = digest
        connection.execute(write, updates)
        last_id, done = rows[-1]['id'], done + len(rows)


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('event_hash', sa.String(length=64), nullable=True))

    backfill(op.get_bind())

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('event_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_audit_event_previous_hash', ['previous_hash'], unique=True)
        batch_op.create_index('ix_audit_event_event_hash', ['event_hash'], unique=True)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_event_hash')
        batch_op.drop_index('ix_audit_event_previous_hash')
        batch_op.drop_column('event_hash')
        batch_op.drop_column('previous_hash')
