"""opinion watch: opinion_sources, opinion_snapshots (issue 14)

Revision ID: 0023_opinion
Revises: 0018_ledger_archive
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0023_opinion'
down_revision = '0022_manager_levels'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('opinion_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('first_seen_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('negative', sa.Boolean(), nullable=False),
    sa.Column('reply_due_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('reply_fired_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('replied_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('reply_text', sa.Text(), nullable=False),
    sa.Column('reply_url', sa.String(length=1000), nullable=False),
    sa.Column('replied_by_name', sa.String(length=120), nullable=False),
    sa.Column('alerts', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opinion_sources_created_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_opinion_sources_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_sources'))
    )
    op.create_index(op.f('ix_opinion_sources_incident_id'), 'opinion_sources', ['incident_id'], unique=False)
    op.create_index('ix_opinion_sources_reply_due', 'opinion_sources', ['replied_at', 'reply_fired_at', 'reply_due_at'], unique=False)
    op.create_table('opinion_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('reads', sa.Integer(), nullable=True),
    sa.Column('reposts', sa.Integer(), nullable=True),
    sa.Column('comments', sa.Integer(), nullable=True),
    sa.Column('likes', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('screenshot_sha256', sa.String(length=64), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_opinion_snapshots_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_opinion_snapshots_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_opinion_snapshots_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['source_id'], ['opinion_sources.id'], name=op.f('fk_opinion_snapshots_source_id_opinion_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_snapshots'))
    )
    op.create_index(op.f('ix_opinion_snapshots_incident_id'), 'opinion_snapshots', ['incident_id'], unique=False)
    op.create_index('ix_opinion_snapshots_source_taken', 'opinion_snapshots', ['source_id', 'taken_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_opinion_snapshots_source_taken', table_name='opinion_snapshots')
    op.drop_index(op.f('ix_opinion_snapshots_incident_id'), table_name='opinion_snapshots')
    op.drop_table('opinion_snapshots')
    op.drop_index('ix_opinion_sources_reply_due', table_name='opinion_sources')
    op.drop_index(op.f('ix_opinion_sources_incident_id'), table_name='opinion_sources')
    op.drop_table('opinion_sources')
