"""realtime: presence and socket bookkeeping

Revision ID: 0007_realtime
Revises: 0006_agreements
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0007_realtime'
down_revision = '0006_agreements'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
