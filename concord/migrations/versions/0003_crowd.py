"""crowd: claimants, contact reveals, representatives

Revision ID: 0003_crowd
Revises: 0002_taskgroup
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0003_crowd'
down_revision = '0002_taskgroup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claimants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('unit_key', sa.String(length=200), nullable=False),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.Column('phone_cipher', sa.Text(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('phone_masked', sa.String(length=32), nullable=False),
    sa.Column('id_cipher', sa.Text(), nullable=False),
    sa.Column('id_masked', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('joined_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_claimants_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claimants'))
    )
    op.create_index('ix_claimants_incident_phone_index', 'claimants', ['incident_id', 'phone_index'], unique=False)
    op.create_index('ix_claimants_incident_segment', 'claimants', ['incident_id', 'segment'], unique=False)
    op.create_index('ix_claimants_incident_unit_key', 'claimants', ['incident_id', 'unit_key'], unique=False)
    op.create_table('contact_reveals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_contact_reveals_actor_id_users')),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_contact_reveals_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_contact_reveals_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_reveals'))
    )
    op.create_index(op.f('ix_contact_reveals_claimant_id'), 'contact_reveals', ['claimant_id'], unique=False)
    op.create_index(op.f('ix_contact_reveals_incident_id'), 'contact_reveals', ['incident_id'], unique=False)
    op.create_table('representatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('mandate', sa.String(length=20), nullable=False),
    sa.Column('mandate_attachment_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('elected_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('ended_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_representatives_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_representatives_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mandate_attachment_id'], ['attachments.id'], name=op.f('fk_representatives_mandate_attachment_id_attachments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['representatives.id'], name=op.f('fk_representatives_replaced_by_id_representatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_representatives'))
    )
    op.create_index(op.f('ix_representatives_claimant_id'), 'representatives', ['claimant_id'], unique=False)
    op.create_index(op.f('ix_representatives_incident_id'), 'representatives', ['incident_id'], unique=False)
    op.create_table('representative_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_representative_coverage_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['representative_id'], ['representatives.id'], name=op.f('fk_representative_coverage_representative_id_representatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_representative_coverage'))
    )
    op.create_index(op.f('ix_representative_coverage_representative_id'), 'representative_coverage', ['representative_id'], unique=False)
    op.create_table('representative_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_representative_history_actor_id_users')),
    sa.ForeignKeyConstraint(['representative_id'], ['representatives.id'], name=op.f('fk_representative_history_representative_id_representatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_representative_history'))
    )
    op.create_index(op.f('ix_representative_history_representative_id'), 'representative_history', ['representative_id'], unique=False)


def downgrade() -> None:
    op.drop_table('representative_history')
    op.drop_table('representative_coverage')
    op.drop_table('representatives')
    op.drop_table('contact_reveals')
    op.drop_table('claimants')
