"""A final return's files (the statement of grant expenditure, say), kept as a return's
evidence files are: final_return_file

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('final_return_file',
    sa.Column('final_return_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_final_return_file_size_bytes_not_negative')),
    sa.ForeignKeyConstraint(['final_return_id'], ['final_return.id'], name=op.f('fk_final_return_file_final_return_id_final_return')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_final_return_file_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_return_file')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_final_return_file_stored_name'))
    )
    with op.batch_alter_table('final_return_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_return_file_final_return_id'), ['final_return_id'], unique=False)


def downgrade():
    with op.batch_alter_table('final_return_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_return_file_final_return_id'))

    op.drop_table('final_return_file')
