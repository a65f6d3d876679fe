"""settlement agreements, templates, signatures

Revision ID: 0006_agreements
Revises: 0005_playbooks
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import incident.db

revision = '0006_agreements'
down_revision = '0005_playbooks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
