"""accounts: legal qualification, password/TOTP state, session device and stage, policy, account events

Revision ID: 0011_accounts
Revises: 0008_batch_jobs
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0011_accounts'
down_revision = '0008_batch_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('require_totp_for_legal', sa.Boolean(), nullable=False),
    sa.Column('updated_at', incident.db.UTCDateTime(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_policy'))
    )
    op.create_table('account_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_events_actor_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_events'))
    )
    op.create_index(op.f('ix_account_events_at'), 'account_events', ['at'], unique=False)
    op.create_index(op.f('ix_account_events_user_id'), 'account_events', ['user_id'], unique=False)
    with op.batch_alter_table('agreement_revisions') as batch_op:
        batch_op.add_column(sa.Column('by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_agreement_revisions_by_id_users'), 'users', ['by_id'], ['id'])
    # Existing sessions keep working (stage active); existing users are not legal staff until the
    # admin says so: a legal seat held today stops conferring legal powers after this upgrade.
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.add_column(sa.Column('user_agent', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=False, server_default='active'))
        batch_op.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=32), nullable=False, server_default=''))
        batch_op.create_index(op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('is_legal', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('password_changed_at', incident.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('disabled_at', incident.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_cipher', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('totp_pending_cipher', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('totp_enabled_at', incident.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        for col in ('totp_last_step', 'totp_enabled_at', 'totp_pending_cipher', 'totp_cipher', 'disabled_at',
                    'password_changed_at', 'must_change_password', 'is_legal'):
            batch_op.drop_column(col)
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.drop_index(op.f('ix_login_sessions_user_id'))
        for col in ('revoked_reason', 'failures', 'stage', 'address', 'user_agent'):
            batch_op.drop_column(col)
    with op.batch_alter_table('agreement_revisions') as batch_op:
        batch_op.drop_constraint(op.f('fk_agreement_revisions_by_id_users'), type_='foreignkey')
        batch_op.drop_column('by_id')
    op.drop_index(op.f('ix_account_events_user_id'), table_name='account_events')
    op.drop_index(op.f('ix_account_events_at'), table_name='account_events')
    op.drop_table('account_events')
    op.drop_table('account_policy')
