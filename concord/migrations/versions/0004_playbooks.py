"""playbooks: checklists, deadlines, notifications

Revision ID: 0004_playbooks
Revises: 0003_crowd
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0004_playbooks'
down_revision = '0003_crowd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
