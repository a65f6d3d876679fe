"""public side (issue 15): lookup codes (hashed), public stage and updates, self-registrations, survey answers

Revision ID: 0021_public
Revises: 0012_security_log
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0021_public'
down_revision = '0016_notify_channels'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('public_states',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('stage_names', sa.JSON(), nullable=False),
    sa.Column('next_update_due', incident.db.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_public_states_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_public_states'))
    )
    op.create_table('public_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('published_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_public_updates_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_updates'))
    )
    op.create_index(op.f('ix_public_updates_incident_id'), 'public_updates', ['incident_id'], unique=False)
    op.create_table('public_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=8), nullable=False),
    sa.Column('issued_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=120), nullable=False),
    sa.Column('revoked_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('used_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('last_opened_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('opens', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_public_codes_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_public_codes_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_public_codes_code_hash'))
    )
    op.create_index('ix_public_codes_incident_kind', 'public_codes', ['incident_id', 'kind'], unique=False)
    op.create_table('self_registrations',
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('demand', sa.Text(), nullable=False),
    sa.Column('consented_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_self_registrations_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_self_registrations_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('claimant_id', name=op.f('pk_self_registrations'))
    )
    op.create_index(op.f('ix_self_registrations_incident_id'), 'self_registrations', ['incident_id'], unique=False)
    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answered_at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_survey_answers_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_survey_answers_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers'))
    )
    op.create_index(op.f('ix_survey_answers_incident_id'), 'survey_answers', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_survey_answers_incident_id'), table_name='survey_answers')
    op.drop_table('survey_answers')
    op.drop_index(op.f('ix_self_registrations_incident_id'), table_name='self_registrations')
    op.drop_table('self_registrations')
    op.drop_index('ix_public_codes_incident_kind', table_name='public_codes')
    op.drop_table('public_codes')
    op.drop_index(op.f('ix_public_updates_incident_id'), table_name='public_updates')
    op.drop_table('public_updates')
    op.drop_table('public_states')
