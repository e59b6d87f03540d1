"""The public record and payees: whether a department's org-id has been checked against the
Government Organisation Register (department.org_id_confirmed, org_id_source), the Home Office's
org-id corrected from GB-GOR-D25 (HM Revenue & Customs in the register) to GB-GOR-D16 and left
unconfirmed, and the Department for Education's marked as checked.

Revision ID: 0008
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None

DFE_SOURCE = (
    "Find That Charity, which carries the archived Government Organisation Register, gives "
    "GB-GOR-D6 for the Department for Education (as an org-id resolver's published matches "
    "record it): checked at second hand, not against the register itself."
)


def upgrade():
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('org_id_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('org_id_source', sa.Text(), server_default='', nullable=False))
    department = sa.table(
        'department',
        sa.column('name', sa.String),
        sa.column('org_id', sa.String),
        sa.column('org_id_confirmed', sa.Boolean),
        sa.column('org_id_source', sa.Text),
    )
    op.execute(
        department.update()
        .where(department.c.name == 'Home Office', department.c.org_id == 'GB-GOR-D25')
        .values(org_id='GB-GOR-D16', org_id_confirmed=False)
    )
    op.execute(
        department.update()
        .where(department.c.name == 'Department for Education', department.c.org_id == 'GB-GOR-D6')
        .values(org_id_confirmed=True, org_id_source=DFE_SOURCE)
    )


def downgrade():
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('org_id_source')
        batch_op.drop_column('org_id_confirmed')
