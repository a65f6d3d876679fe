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


def downgrade() -> None:
    op.drop_table('claimants')
