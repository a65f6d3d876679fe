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
    pass


def downgrade() -> None:
    pass
