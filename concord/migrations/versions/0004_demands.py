"""verification samples, demand items, offers and ceilings

Revision ID: 0004_demands
Revises: 0003_crowd
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0004_demands'
down_revision = '0003_crowd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compliance_ceilings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('demand_type', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('set_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_by_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_compliance_ceilings_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_compliance_ceilings_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_ceilings')),
    sa.UniqueConstraint('incident_id', 'demand_type', name=op.f('uq_compliance_ceilings_incident_id_demand_type'))
    )
    op.create_table('demand_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('amount', sa.String(length=24), nullable=True),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('deadline', incident.db.UTCDateTime(), nullable=True),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.Column('created_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_demand_templates_created_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_demand_templates_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_templates'))
    )
    op.create_index(op.f('ix_demand_templates_incident_id'), 'demand_templates', ['incident_id'], unique=False)
    op.create_table('sample_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('claim', sa.Text(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('stratified', sa.Boolean(), nullable=False),
    sa.Column('algorithm', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('population_size', sa.Integer(), nullable=False),
    sa.Column('population_hash', sa.String(length=64), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('drawn_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('drawn_by_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_sample_draws_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_sample_draws_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_draws'))
    )
    op.create_index(op.f('ix_sample_draws_incident_id'), 'sample_draws', ['incident_id'], unique=False)
    op.create_table('demand_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('amount', sa.String(length=24), nullable=True),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('deadline', incident.db.UTCDateTime(), nullable=True),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('indemnity_approved_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('indemnity_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_demand_items_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_demand_items_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indemnity_approved_by_id'], ['users.id'], name=op.f('fk_demand_items_indemnity_approved_by_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['demand_templates.id'], name=op.f('fk_demand_items_template_id_demand_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_items')),
    sa.UniqueConstraint('template_id', 'claimant_id', name=op.f('uq_demand_items_template_id_claimant_id'))
    )
    op.create_index('ix_demand_items_incident_claimant', 'demand_items', ['incident_id', 'claimant_id'], unique=False)
    op.create_index(op.f('ix_demand_items_template_id'), 'demand_items', ['template_id'], unique=False)
    op.create_table('sample_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=120), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('recorded_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_sample_members_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draw_id'], ['sample_draws.id'], name=op.f('fk_sample_members_draw_id_sample_draws'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_members')),
    sa.UniqueConstraint('draw_id', 'claimant_id', name=op.f('uq_sample_members_draw_id_claimant_id'))
    )
    op.create_index(op.f('ix_sample_members_draw_id'), 'sample_members', ['draw_id'], unique=False)
    op.create_table('demand_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_demand_history_actor_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['demand_items.id'], name=op.f('fk_demand_history_item_id_demand_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_history'))
    )
    op.create_index(op.f('ix_demand_history_item_id'), 'demand_history', ['item_id'], unique=False)
    op.create_table('demand_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('amount', sa.String(length=24), nullable=True),
    sa.Column('offered_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('offered_by_name', sa.String(length=120), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('decided_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['demand_items.id'], name=op.f('fk_demand_offers_item_id_demand_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offered_by_id'], ['users.id'], name=op.f('fk_demand_offers_offered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_offers')),
    sa.UniqueConstraint('item_id', 'step', name=op.f('uq_demand_offers_item_id_step'))
    )


def downgrade() -> None:
    op.drop_table('demand_offers')
    op.drop_table('demand_history')
    op.drop_table('sample_members')
    op.drop_table('demand_items')
    op.drop_table('sample_draws')
    op.drop_table('demand_templates')
    op.drop_table('compliance_ceilings')
