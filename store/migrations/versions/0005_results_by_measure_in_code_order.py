"""batch results read a measure at a time in credit-code order: the index on (run_id, measure) gains
credit_code

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 19:20:00

Each unit's list is one measure's results ordered by credit code (``store.runs.results_of``). With an
index on (run_id, measure) only, SQLite walked the unique index (run_id, credit_code, measure) for every
measure, reading every result of the run once per measure (50 times in all); with credit_code in the
index each measure's rows come out already in order.
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('batch_results', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_results_run_measure')
        batch_op.create_index('ix_batch_results_run_measure_code', ['run_id', 'measure', 'credit_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_results', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_results_run_measure_code')
        batch_op.create_index('ix_batch_results_run_measure', ['run_id', 'measure'], unique=False)
