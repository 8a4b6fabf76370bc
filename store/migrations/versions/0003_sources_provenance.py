"""sources: provenance of batch results and registry facts; located, classified report lines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('batch_rejections') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='rejected'))
        batch.add_column(sa.Column('source_name', sa.Text(), nullable=True))
        batch.add_column(sa.Column('sheet', sa.Text(), nullable=True))
        batch.add_column(sa.Column('column_name', sa.Text(), nullable=True))
    with op.batch_alter_table('batch_results') as batch:
        batch.add_column(sa.Column('provenance', sa.Text(), nullable=True))
    with op.batch_alter_table('registry_enterprises') as batch:
        batch.add_column(sa.Column('provenance', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registry_enterprises') as batch:
        batch.drop_column('provenance')
    with op.batch_alter_table('batch_results') as batch:
        batch.drop_column('provenance')
    with op.batch_alter_table('batch_rejections') as batch:
        batch.drop_column('column_name')
        batch.drop_column('sheet')
        batch.drop_column('source_name')
        batch.drop_column('kind')
