"""manager levels (issue 13): users.manager_level, a manager's rung on the grade ladder

Revision ID: 0022_manager_levels
Revises: 0018_ledger_archive
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0022_manager_levels'
down_revision = '0018_ledger_archive'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manager_level', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('manager_level')
