"""crowd: claimants, contact reveals, representatives

Revision ID: 0003_crowd
Revises: 0002_taskgroup
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0003_crowd'
down_revision = '0002_taskgroup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
