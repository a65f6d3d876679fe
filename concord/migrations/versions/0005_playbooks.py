"""playbooks: checklists, deadlines, notifications

Revision ID: 0005_playbooks
Revises: 0004_demands
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0005_playbooks'
down_revision = '0004_demands'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
