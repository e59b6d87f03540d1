"""The public record and payees: which streams were announced at the summit and which are related
measures, and which amounts the source gives as approximate (funding_stream.announced_at_summit,
announced_is_approximate), with the seeded streams' names and wording put as the source has them; whether a department's org-id has been checked against the
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
    upgrade_streams()


STREAM_FIXES = [
    ('DFE-VULNERABLE', {'announced_at_summit': False}),
    ('CSE-POLICING', {'announced_is_approximate': True}),
    ('FLOWS', {'name': 'FLOWS Project'}),
]


def upgrade_streams():
    with op.batch_alter_table('funding_stream', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('announced_at_summit', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                'announced_is_approximate', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    stream = sa.table(
        'funding_stream',
        sa.column('code', sa.String),
        sa.column('name', sa.String),
        sa.column('description', sa.Text),
        sa.column('announced_at_summit', sa.Boolean),
        sa.column('announced_is_approximate', sa.Boolean),
    )
    for code, values in STREAM_FIXES:
        op.execute(stream.update().where(stream.c.code == code).values(**values))
    op.execute(
        stream.update()
        .where(stream.c.code == 'SWIS')
        .values(
            description=sa.func.replace(
                stream.c.description,
                'by the What Works Centre for Children\'s Social Care',
                'by the What Works Centre for Social Care (as the source names it)',
            )
        )
    )


def downgrade():
    with op.batch_alter_table('funding_stream', schema=None) as batch_op:
        batch_op.drop_column('announced_is_approximate')
        batch_op.drop_column('announced_at_summit')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('org_id_source')
        batch_op.drop_column('org_id_confirmed')
