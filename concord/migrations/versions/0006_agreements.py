"""settlement agreements, templates, signatures

Revision ID: 0006_agreements
Revises: 0005_playbooks
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0006_agreements'
down_revision = '0005_playbooks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agreement_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('clauses', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_agreement_templates_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_templates')),
    sa.UniqueConstraint('name', 'locale', 'version', name=op.f('uq_agreement_templates_name_locale_version'))
    )
    op.create_table('agreement_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('started_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('started_by_name', sa.String(length=120), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_agreement_batches_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_batches'))
    )
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=48), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('terms_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('review_comments', sa.Text(), nullable=False),
    sa.Column('approved_hash', sa.String(length=64), nullable=True),
    sa.Column('approved_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=120), nullable=False),
    sa.Column('signature', sa.JSON(), nullable=True),
    sa.Column('signed_hash', sa.String(length=64), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('head_hash_at_seal', sa.String(length=64), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('sealed_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('sealed_by_name', sa.String(length=120), nullable=False),
    sa.Column('timestamped', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.Column('voided_at', incident.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_agreements_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_agreements_incident_id_incidents'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['template_id'], ['agreement_templates.id'], name=op.f('fk_agreements_template_id_agreement_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('ref', name=op.f('uq_agreements_ref'))
    )
    op.create_index('ix_agreements_incident_status', 'agreements', ['incident_id', 'status'], unique=False)
    op.create_table('agreement_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('terms_hash', sa.String(length=64), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('by_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_revisions_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_revisions')),
    sa.UniqueConstraint('agreement_id', 'version', name=op.f('uq_agreement_revisions_agreement_id_version'))
    )


def downgrade() -> None:
    op.drop_table('agreement_revisions')
    op.drop_index('ix_agreements_incident_status', table_name='agreements')
    op.drop_table('agreements')
    op.drop_table('agreement_batches')
    op.drop_table('agreement_templates')
