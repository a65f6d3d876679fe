"""intake follow-up and notifications where the team is: playbook_proposals, notify_channels

Revision ID: 0016_notify_channels
Revises: 0012_security_log
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0016_notify_channels'
down_revision = '0013_import_mapping'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('playbook_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cause', sa.String(length=64), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('proposed_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_playbook_proposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_playbook_proposals_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_proposals')),
    sa.UniqueConstraint('incident_id', 'key', name=op.f('uq_playbook_proposals_incident_id_key'))
    )
    op.create_index(op.f('ix_playbook_proposals_incident_id'), 'playbook_proposals', ['incident_id'], unique=False)
    op.create_table('notify_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('url_cipher', sa.Text(), nullable=False),
    sa.Column('url_masked', sa.String(length=300), nullable=False),
    sa.Column('secret_cipher', sa.Text(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_notify_channels_created_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_notify_channels_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_channels'))
    )
    op.create_index(op.f('ix_notify_channels_incident_id'), 'notify_channels', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notify_channels_incident_id'), table_name='notify_channels')
    op.drop_table('notify_channels')
    op.drop_index(op.f('ix_playbook_proposals_incident_id'), table_name='playbook_proposals')
    op.drop_table('playbook_proposals')
