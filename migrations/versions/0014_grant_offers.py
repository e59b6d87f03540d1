"""Grant offers (grant_offer): each version of an allocation's offer, its terms frozen as
offered with their SHA-256, and who accepted them (name, job title, when), or why it ended

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grant_offer',
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', 'withdrawn', 'superseded', name='offer_status', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_job_title', sa.String(length=200), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['app_user.id'], name=op.f('fk_grant_offer_accepted_by_id_app_user')),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocation.id'], name=op.f('fk_grant_offer_allocation_id_allocation')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['app_user.id'], name=op.f('fk_grant_offer_ended_by_id_app_user')),
    sa.ForeignKeyConstraint(['made_by_id'], ['app_user.id'], name=op.f('fk_grant_offer_made_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_offer')),
    sa.UniqueConstraint('allocation_id', 'version', name=op.f('uq_grant_offer_allocation_id'))
    )


def downgrade():
    op.drop_table('grant_offer')
