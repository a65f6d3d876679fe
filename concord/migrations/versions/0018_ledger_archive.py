"""settlement ledger, closing sign-offs, archive records, improvement actions; problem types seeded here

Revision ID: 0018_ledger_archive
Revises: 0012_security_log
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import incident.db


revision = '0018_ledger_archive'
down_revision = '0017_callbacks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('problem_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['problem_types.id'], name=op.f('fk_problem_types_parent_id_problem_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_types')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_problem_types_parent_id_name'))
    )
    op.create_table('archive_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('problem_type_id', sa.Integer(), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('updated_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('closed_at', incident.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_archive_records_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_type_id'], ['problem_types.id'], name=op.f('fk_archive_records_problem_type_id_problem_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_records')),
    sa.UniqueConstraint('incident_id', 'round', name=op.f('uq_archive_records_incident_id_round'))
    )
    op.create_table('close_sign_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('seat', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_close_sign_offs_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_close_sign_offs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_close_sign_offs')),
    sa.UniqueConstraint('incident_id', 'round', 'seat', name=op.f('uq_close_sign_offs_incident_id_round_seat'))
    )
    op.create_table('improvement_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_improvement_actions_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_actions'))
    )
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_actions_incident_id'), ['incident_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('demand_item_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entry', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.String(length=24), nullable=False),
    sa.Column('paid_on', sa.String(length=10), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('proof_kind', sa.String(length=16), nullable=False),
    sa.Column('proof_attachment_id', sa.Integer(), nullable=True),
    sa.Column('proof_sha256', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_ledger_entries_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['demand_item_id'], ['demand_items.id'], name=op.f('fk_ledger_entries_demand_item_id_demand_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_ledger_entries_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proof_attachment_id'], ['attachments.id'], name=op.f('fk_ledger_entries_proof_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_ledger_entries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_incident_item', ['incident_id', 'demand_item_id'], unique=False)
    op.create_table('demand_item_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('by_name', sa.String(length=120), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_demand_item_closures_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_demand_item_closures_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['demand_items.id'], name=op.f('fk_demand_item_closures_item_id_demand_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_item_closures')),
    sa.UniqueConstraint('item_id', name=op.f('uq_demand_item_closures_item_id'))
    )
    with op.batch_alter_table('demand_item_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_item_closures_incident_id'), ['incident_id'], unique=False)
    _seed_problem_types()


# Two levels: a group and the types inside it; the admin edits them at /admin/problem-types.
PROBLEM_TYPES = {
    "停车/收费": ["停车费争议", "物业费争议", "乱收费", "收费标准不清"],
    "电梯": ["电梯故障", "电梯困人", "电梯维保"],
    "漏水": ["屋面漏水", "管道漏水", "外墙渗水"],
    "物业服务": ["保洁", "安保", "绿化", "服务态度", "维修不及时"],
    "商品质量": ["商品质量问题", "假冒伪劣", "食品安全", "虚假宣传"],
    "退款": ["退款延迟", "拒绝退款", "预付卡退费"],
    "其他": ["其他"],
}


def _seed_problem_types() -> None:
    table = sa.table("problem_types", sa.column("id", sa.Integer()), sa.column("parent_id", sa.Integer()),
                     sa.column("name", sa.String()), sa.column("position", sa.Integer()),
                     sa.column("active", sa.Boolean()))
    rows, next_id = [], 1
    for g, (group, types) in enumerate(PROBLEM_TYPES.items()):
        gid = next_id
        rows.append({"id": gid, "parent_id": None, "name": group, "position": g, "active": True})
        next_id += 1
        for t, name in enumerate(types):
            rows.append({"id": next_id, "parent_id": gid, "name": name, "position": t, "active": True})
            next_id += 1
    op.bulk_insert(table, rows)
    if op.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequence past them
        op.execute("SELECT setval(pg_get_serial_sequence('problem_types', 'id'), (SELECT MAX(id) FROM problem_types))")



def downgrade() -> None:
    with op.batch_alter_table('demand_item_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demand_item_closures_incident_id'))
    op.drop_table('demand_item_closures')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_incident_item')

    op.drop_table('ledger_entries')
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_actions_incident_id'))

    op.drop_table('improvement_actions')
    op.drop_table('close_sign_offs')
    op.drop_table('archive_records')
    op.drop_table('problem_types')
