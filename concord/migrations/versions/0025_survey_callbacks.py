"""survey answers feed the callbacks: survey_answers.callback_id (issue 15)

Revision ID: 0025_survey_callbacks
Revises: 0018_ledger_archive
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_survey_callbacks'
down_revision = '0023_opinion'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_survey_answers_callback_id_callbacks'), 'callbacks',
                                    ['callback_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_answers_callback_id_callbacks'), type_='foreignkey')
        batch_op.drop_column('callback_id')
