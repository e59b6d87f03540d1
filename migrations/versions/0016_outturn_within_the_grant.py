"""The year-end outturn no longer counts a forecast for a quarter after its grant's planned end
(left from before a variation brought the end forward): every running total is rebuilt from the
live rows by the current rules, as `flask totals rebuild` does. A later migration that changes
the totals' tables or rules moves this rebuild into itself (a rebuild runs today's code, which
only fits today's tables).

Revision ID: 0016
Revises: 0015
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    from tracker.totals import ledger

    ledger.rebuild(op.get_bind())


def downgrade():
    pass  # the totals rebuilt by the newer rule are still right for the rows
