"""The Dask engine (columnar partitions over Parquet row groups) gives exactly the Rete run's results."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from batch.runner import RunSpec, execute, start
from store import runs
from tests.batch.conftest import AS_OF, N, results

pytest.importorskip("distributed")


def test_dask_local_cluster_equals_local_run(db: Engine, registry: dict[str, Path]) -> None:
    from distributed import LocalCluster

    from batch.dask_runner import execute_dask

    local = start(db, RunSpec(registry["parquet"], AS_OF), engine_name="rete")  # the reference engine
    execute(db, local, workers=0, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask_run = start(db, RunSpec(registry["parquet"], AS_OF), engine_name="dask")
        counts = execute_dask(db, dask_run, cluster.scheduler_address, progress=False)
    assert counts["total"] == N
    assert results(db, dask_run) == results(db, local)
    a, b = runs.load_run(db, local), runs.load_run(db, dask_run)
    assert a is not None and b is not None
    assert (a.matched, a.unmatched, a.rejected) == (b.matched, b.unmatched, b.rejected)
    assert b.engine == "dask" and len(runs.done_chunks(db, dask_run)) == 8  # 5 + 3 row groups of up to 60 rows
