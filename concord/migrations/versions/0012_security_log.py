"""security log and login throttling: security_events, known login addresses, last failure time

Revision ID: 0012_security_log
Revises: 0011_accounts
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0012_security_log'
down_revision = '0011_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', incident.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_security_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events'))
    )
    op.create_index(op.f('ix_security_events_at'), 'security_events', ['at'], unique=False)
    op.create_index('ix_security_events_kind_at', 'security_events', ['kind', 'at'], unique=False)
    op.create_index('ix_security_events_user_at', 'security_events', ['user_id', 'at'], unique=False)
    op.create_table('login_known_addresses',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('last_success_at', incident.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_known_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'address', name=op.f('pk_login_known_addresses'))
    )
    with op.batch_alter_table('login_throttle') as batch:
        batch.add_column(sa.Column('last_failure_at', incident.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('login_throttle') as batch:
        batch.drop_column('last_failure_at')
    op.drop_table('login_known_addresses')
    op.drop_index('ix_security_events_user_at', table_name='security_events')
    op.drop_index('ix_security_events_kind_at', table_name='security_events')
    op.drop_index(op.f('ix_security_events_at'), table_name='security_events')
    op.drop_table('security_events')
