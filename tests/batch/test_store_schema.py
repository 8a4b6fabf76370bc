"""The stored schema the migrations build is the one the models describe, and a unit's list is read
through the index made for it (no pass over every result of the run per measure)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from store.db import open_database
from store.models import Base, BatchResult


def test_the_migrations_build_what_the_models_describe(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}")
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_one_measures_results_come_in_code_order_from_their_index(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}")
    query = (select(BatchResult.__table__).where(BatchResult.run_id == "r", BatchResult.measure == "M30")
             .order_by(BatchResult.measure, BatchResult.credit_code))
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_batch_results_run_measure_code" in plan
    assert "TEMP B-TREE" not in plan  # no sort: the index gives the order
