"""callbacks and the written reply: written_replies, callbacks, callback_attempts (issue 13)

Revision ID: 0017_callbacks
Revises: 0012_security_log
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0017_callbacks'
down_revision = '0021_public'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('written_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('promises_money', sa.Boolean(), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=120), nullable=False),
    sa.Column('updated_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('leader_approved_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('leader_approved_by', sa.String(length=120), nullable=False),
    sa.Column('legal_approved_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('legal_approved_by', sa.String(length=120), nullable=False),
    sa.Column('issued_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('issued_by_name', sa.String(length=120), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_written_replies_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_written_replies_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_replies'))
    )
    op.create_index('ix_written_replies_incident_status', 'written_replies', ['incident_id', 'status'], unique=False)
    op.create_table('callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('spec_key', sa.String(length=100), nullable=False),
    sa.Column('anchor', sa.String(length=32), nullable=False),
    sa.Column('anchor_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('offset_minutes', sa.Integer(), nullable=False),
    sa.Column('window_minutes', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('representative_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('covers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('satisfaction', sa.String(length=24), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('done_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=120), nullable=False),
    sa.Column('follows_id', sa.Integer(), nullable=True),
    sa.Column('due_fired_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('overdue_fired_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_callbacks_claimant_id_claimants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['follows_id'], ['callbacks.id'], name=op.f('fk_callbacks_follows_id_callbacks')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_callbacks_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_callbacks_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['representative_id'], ['representatives.id'], name=op.f('fk_callbacks_representative_id_representatives'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks'))
    )
    op.create_index('ix_callbacks_due', 'callbacks', ['status', 'due_fired_at', 'due_at'], unique=False)
    op.create_index('ix_callbacks_incident_status', 'callbacks', ['incident_id', 'status'], unique=False)
    op.create_table('callback_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('callback_id', sa.Integer(), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['callback_id'], ['callbacks.id'], name=op.f('fk_callback_attempts_callback_id_callbacks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_callback_attempts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_attempts'))
    )
    op.create_index(op.f('ix_callback_attempts_callback_id'), 'callback_attempts', ['callback_id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_index(op.f('ix_callback_attempts_callback_id'), table_name='callback_attempts')
    op.drop_table('callback_attempts')
    op.drop_index('ix_callbacks_incident_status', table_name='callbacks')
    op.drop_index('ix_callbacks_due', table_name='callbacks')
    op.drop_table('callbacks')
    op.drop_index('ix_written_replies_incident_status', table_name='written_replies')
    op.drop_table('written_replies')
