"""Fixtures for the batch tests: small synthetic registries and a database per test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from batch.synth import profiles, synthesize, write_parquet
from store.db import open_database
from store.models import BatchResult

AS_OF = dt.date(2026, 1, 15)
N = 400
SEED = 11


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same synthetic registry in every input form."""
    root = tmp_path_factory.mktemp("registry")
    out = {fmt: synthesize(N, SEED, root / fmt, fmt) for fmt in ("csv", "jsonl")}
    (root / "parquet").mkdir()
    write_parquet(profiles(N, SEED), root / "parquet", rows_per_file=250, row_group=60)
    out["parquet"] = root / "parquet"
    return out


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    return open_database(f"sqlite:///{tmp_path / 'huiqi.sqlite3'}")


def results(engine: Engine, run_id: str) -> list[tuple[Any, ...]]:
    """A run's results without run-specific columns, in a stable order."""
    columns = [c for c in BatchResult.__table__.c if c.name not in ("id", "run_id", "chunk_no", "provenance")]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(BatchResult.run_id == run_id)).all()
    return sorted(tuple(r) for r in rows)
