"""The public record and payees: which streams were announced at the summit and which are related
measures, and which amounts the source gives as approximate (funding_stream.announced_at_summit,
announced_is_approximate), with the seeded streams' names and wording put as the source has them; whether a department's org-id has been checked against the
Government Organisation Register (department.org_id_confirmed, org_id_source), the Home Office's
org-id corrected from GB-GOR-D25 (HM Revenue & Customs in the register) to GB-GOR-D16 and left
unconfirmed, and the Department for Education's marked as checked.

Revision ID: 0008
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0012'
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
    upgrade_payees()


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


def upgrade_payees():
    op.create_table(
        'payee_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('account_name', sa.String(length=200), nullable=False),
        sa.Column('sort_code', sa.String(length=6), nullable=False),
        sa.Column('account_number', sa.String(length=8), nullable=False),
        sa.Column(
            'status',
            sa.Enum(
                'proposed', 'confirmed', 'replaced', 'cancelled',
                name='payee_status', native_enum=False, create_constraint=True, length=30,
            ),
            nullable=False,
        ),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('holds_payments_until', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisation.id'],
            name=op.f('fk_payee_account_organisation_id_organisation'),
        ),
        sa.ForeignKeyConstraint(
            ['proposed_by_id'], ['app_user.id'],
            name=op.f('fk_payee_account_proposed_by_id_app_user'),
        ),
        sa.ForeignKeyConstraint(
            ['confirmed_by_id'], ['app_user.id'],
            name=op.f('fk_payee_account_confirmed_by_id_app_user'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payee_account')),
    )
    with op.batch_alter_table('payee_account', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_payee_account_organisation_id'), ['organisation_id'], unique=False
        )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee_account_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_payment_payee_account_id_payee_account'),
            'payee_account', ['payee_account_id'], ['id'],
        )


def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_payment_payee_account_id_payee_account'), type_='foreignkey'
        )
        batch_op.drop_column('payee_account_id')
    op.drop_table('payee_account')
    with op.batch_alter_table('funding_stream', schema=None) as batch_op:
        batch_op.drop_column('announced_is_approximate')
        batch_op.drop_column('announced_at_summit')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('org_id_source')
        batch_op.drop_column('org_id_confirmed')
