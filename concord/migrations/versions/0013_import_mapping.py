"""claimant import (issue 11): staged uploads, saved column mappings, claimant attributes

Revision ID: 0013_import_mapping
Revises: 0012_security_log
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0013_import_mapping'
down_revision = '0012_security_log'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claimant_import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_claimant_import_mappings_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claimant_import_mappings')),
    sa.UniqueConstraint('incident_id', 'name', name='uq_claimant_import_mappings_incident_name')
    )
    op.create_table('claimant_import_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_claimant_import_stages_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_claimant_import_stages_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claimant_import_stages'))
    )
    op.create_index(op.f('ix_claimant_import_stages_expires_at'), 'claimant_import_stages', ['expires_at'], unique=False)
    op.create_index(op.f('ix_claimant_import_stages_incident_id'), 'claimant_import_stages', ['incident_id'], unique=False)
    with op.batch_alter_table('claimants') as batch_op:
        batch_op.add_column(sa.Column('attributes', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('claimants') as batch_op:
        batch_op.drop_column('attributes')
    op.drop_index(op.f('ix_claimant_import_stages_incident_id'), table_name='claimant_import_stages')
    op.drop_index(op.f('ix_claimant_import_stages_expires_at'), table_name='claimant_import_stages')
    op.drop_table('claimant_import_stages')
    op.drop_table('claimant_import_mappings')
