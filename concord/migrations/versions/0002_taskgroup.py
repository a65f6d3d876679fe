"""task group: seats, formation, consent, recordings

Revision ID: 0002_taskgroup
Revises: 0001_foundation
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0002_taskgroup'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None

ACTIVE = sa.text('released_at IS NULL')


def upgrade() -> None:
    # Handoff chain and "one current holder per seat key" (a partial unique index).
    with op.batch_alter_table('seat_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predecessor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_seat_assignments_predecessor_id_seat_assignments'),
                                    'seat_assignments', ['predecessor_id'], ['id'], ondelete='SET NULL')
    op.create_index('uq_seat_assignments_active_seat', 'seat_assignments', ['incident_id', 'seat', 'label'],
                    unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_table('recording_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('consented_by', sa.String(length=300), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('recorder_assignment_id', sa.Integer(), nullable=True),
    sa.Column('recorder_name', sa.String(length=120), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_recording_consents_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_recording_consents_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['recorder_assignment_id'], ['seat_assignments.id'], name=op.f('fk_recording_consents_recorder_assignment_id_seat_assignments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_consents'))
    )
    op.create_index(op.f('ix_recording_consents_incident_id'), 'recording_consents', ['incident_id'], unique=False)
    op.create_table('recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_recordings_attachment_id_attachments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['consent_id'], ['recording_consents.id'], name=op.f('fk_recordings_consent_id_recording_consents'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_recordings_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_recordings_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings'))
    )
    op.create_index(op.f('ix_recordings_incident_id'), 'recordings', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_recordings_incident_id'), table_name='recordings')
    op.drop_table('recordings')
    op.drop_index(op.f('ix_recording_consents_incident_id'), table_name='recording_consents')
    op.drop_table('recording_consents')
    op.drop_index('uq_seat_assignments_active_seat', table_name='seat_assignments')
    with op.batch_alter_table('seat_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_seat_assignments_predecessor_id_seat_assignments'),
                                 type_='foreignkey')
        batch_op.drop_column('predecessor_id')
