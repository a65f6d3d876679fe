"""playbooks: checklists, deadlines, notifications

Revision ID: 0005_playbooks
Revises: 0004_demands
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0005_playbooks'
down_revision = '0004_demands'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('failed_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox'))
    )
    op.create_index('ix_notification_outbox_next', 'notification_outbox', ['sent_at', 'failed_at', 'next_attempt_at'], unique=False)
    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('expires_at', incident.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('playbook', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('seat', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('anchor', sa.String(length=80), nullable=True),
    sa.Column('anchor_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('due_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('remind_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('reminded_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('fired_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('fired_by', sa.String(length=120), nullable=True),
    sa.Column('done_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_by_name', sa.String(length=120), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_checklist_items_done_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_checklist_items_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items')),
    sa.UniqueConstraint('incident_id', 'playbook', 'step', 'round', name=op.f('uq_checklist_items_incident_id_playbook_step_round'))
    )
    op.create_index('ix_checklist_items_due', 'checklist_items', ['status', 'fired_at', 'due_at'], unique=False)
    op.create_index(op.f('ix_checklist_items_incident_id'), 'checklist_items', ['incident_id'], unique=False)
    op.create_index('ix_checklist_items_remind', 'checklist_items', ['status', 'reminded_at', 'remind_at'], unique=False)
    op.create_table('incident_playbooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('attached_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('dropped_at', incident.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_incident_playbooks_attached_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_playbooks_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_playbooks')),
    sa.UniqueConstraint('incident_id', 'key', name=op.f('uq_incident_playbooks_incident_id_key'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', incident.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_notifications_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_user_read', 'notifications', ['user_id', 'read_at'], unique=False)


def downgrade() -> None:
    # indexes go with their tables
    op.drop_table('notification_outbox')
    op.drop_table('notifications')
    op.drop_table('scheduler_leases')
    op.drop_table('checklist_items')
    op.drop_table('incident_playbooks')
