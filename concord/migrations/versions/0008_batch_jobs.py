"""durable agreement batches (per-document rows, heartbeat, owner); default templates seeded here

Revision ID: 0008_batch_jobs
Revises: 0006_agreements
Create Date: 2026-12-02
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0008_batch_jobs'
down_revision = '0006_agreements'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agreement_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('heartbeat_at', incident.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.create_index('ix_agreement_batches_incident_status', ['incident_id', 'status'], unique=False)
    op.create_table('agreement_batch_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('reason_args', sa.JSON(), nullable=False),
    sa.Column('finished_at', incident.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_batch_items_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['batch_id'], ['agreement_batches.id'], name=op.f('fk_agreement_batch_items_batch_id_agreement_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_agreement_batch_items_claimant_id_claimants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_batch_items'))
    )
    op.create_index('ix_agreement_batch_items_batch_status', 'agreement_batch_items', ['batch_id', 'status'], unique=False)
    # Batches left "running" by a version without heartbeats can never finish: they blocked every
    # later batch. They become interrupted (abandon them; start a new batch for what is left).
    op.execute("UPDATE agreement_batches SET status = 'interrupted', "
               "error = 'stopped before the upgrade to durable batches' WHERE status = 'running'")
    _seed_default_templates()


def _seed_default_templates() -> None:
    """Version 1 of the settlement template per locale, so that no page has to create it on a GET."""
    from exports.agreements.clauses import default_clauses
    conn = op.get_bind()
    tpl = sa.table('agreement_templates', sa.column('name', sa.String), sa.column('locale', sa.String),
                   sa.column('version', sa.Integer), sa.column('clauses', sa.JSON),
                   sa.column('note', sa.String), sa.column('created_at', incident.db.UTCDateTime()),
                   sa.column('created_by_name', sa.String))
    have = {row[0] for row in conn.execute(sa.text(
        "SELECT DISTINCT locale FROM agreement_templates WHERE name = 'settlement'"))}
    now = datetime.now(timezone.utc)
    rows = [{"name": "settlement", "locale": loc, "version": 1, "clauses": default_clauses(loc),
             "note": "default", "created_at": now, "created_by_name": "system"}
            for loc in ("zh_CN", "en") if loc not in have]
    if rows:
        op.bulk_insert(tpl, rows)


def downgrade() -> None:
    op.drop_index('ix_agreement_batch_items_batch_status', table_name='agreement_batch_items')
    op.drop_table('agreement_batch_items')
    with op.batch_alter_table('agreement_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_batches_incident_status')
        batch_op.drop_column('params')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('owner')
