"""rules releases: the release name and date beside rules_version on runs and consultations; each run's
enterprises and the profiles it evaluated (for ``huiqi batch what-if``)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:30:00

``registry_enterprises`` keeps only the latest import of each enterprise, so a later run overwrites
the profiles an earlier run evaluated. ``batch_members`` lists a run's enterprises with the digest of
the profile it evaluated; the registry row carries the digest of the profile it holds, and a profile
about to be replaced by a different one is first kept in ``profile_snapshots`` (once per content). A
first import stores each profile once; a monthly run over a mostly unchanged registry adds one small
member row per enterprise and a snapshot only for the enterprises that changed.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('batch_runs', 'consultation_versions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('rules_release', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('rules_release_date', sa.Date(), nullable=True))
    with op.batch_alter_table('registry_enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_digest', sa.String(length=32), nullable=True))
    op.create_table('profile_snapshots',
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('digest')
    )
    op.create_table('batch_members',
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('profile_digest', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['batch_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'credit_code')
    )


def downgrade() -> None:
    op.drop_table('batch_members')
    op.drop_table('profile_snapshots')
    with op.batch_alter_table('registry_enterprises', schema=None) as batch_op:
        batch_op.drop_column('profile_digest')
    for table in ('consultation_versions', 'batch_runs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('rules_release_date')
            batch_op.drop_column('rules_release')
