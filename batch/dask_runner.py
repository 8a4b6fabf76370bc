"""``--engine dask``: the same evaluation over Parquet row groups on a dask.distributed cluster.

Each row group is one task (and one committed chunk, numbered by its position). A worker builds its
durable-rules engine once, on its first task, and keeps it. Results travel back to this process,
which commits them exactly as the local runner does, so resume and the unique constraint apply.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine
from tqdm import tqdm

from batch.readers import parquet_partitions, read_parquet_group
from batch.runner import BatchError, check_resumable
from batch.schema import KEY
from batch.worker import ChunkOutcome, Job, book, evaluate_chunk
from store import runs


def evaluate_partition(number: int, file: str, group: int, first_line: int, job: Job,
                       duplicates: dict[int, str]) -> tuple[str, ChunkOutcome]:
    """Runs on a Dask worker: read one row group, evaluate it; returns the worker's rules version too."""
    records = list(read_parquet_group(Path(file), group, first_line))
    for record in records:
        first = duplicates.get(record.line)
        if first is not None:
            record.error = (KEY, f"统一社会信用代码重复（首次出现于 {first}）")
    return book().version, evaluate_chunk(number, records, job)


def find_duplicates(parts: list[tuple[Path, int, int]]) -> dict[tuple[str, int], str]:
    """(file, line) of every repeated credit code -> where it first appeared; reads only that column."""
    import pyarrow.parquet as pq

    seen: dict[str, str] = {}
    repeated: dict[tuple[str, int], str] = {}
    for file, group, first_line in parts:
        codes = pq.ParquetFile(file).read_row_group(group, columns=[KEY]).column(KEY).to_pylist()
        for offset, code in enumerate(codes):
            key = str(code or "").strip().upper()
            if not key:
                continue
            where = f"{file.name} 第 {first_line + offset} 行"
            if key in seen:
                repeated[(str(file), first_line + offset)] = seen[key]
            else:
                seen[key] = where
    return repeated


def execute_dask(engine: Engine, run_id: str, scheduler: str | None = None, progress: bool = True,
                 n_workers: int = 2) -> dict[str, int]:
    import dask
    from distributed import Client, LocalCluster, as_completed

    run = check_resumable(engine, run_id)
    if run.input_format != "parquet":
        raise BatchError("--engine dask 需要 Parquet 输入（按行组分区）")
    job = Job(as_of=run.as_of, measures=frozenset(run.measures), engine="columnar", chunk_size=run.chunk_size)
    parts = parquet_partitions(Path(run.input_path))
    repeated = find_duplicates(parts)
    done = runs.done_chunks(engine, run_id)
    todo = [(n, p) for n, p in enumerate(parts) if n not in done]
    cluster = None
    if scheduler is None:
        # the workers' statistical profiler samples every thread's stack every 10 ms: with a deep pure-Python
        # evaluation that costs more than the evaluation itself, so it is off for the local cluster
        dask.config.set({"distributed.worker.profile.enabled": False})
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    bar = tqdm(total=len(parts), initial=len(done), unit="分区", desc=f"批次 {run_id}", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    try:
        futures = [
            client.submit(evaluate_partition, n, str(file), group, line, job,
                          {ln: first for (f, ln), first in repeated.items() if f == str(file)},
                          key=f"huiqi-{run_id}-{n}", pure=False)
            for n, (file, group, line) in todo
        ]
        for future in as_completed(futures):
            version, outcome = future.result()
            if version != run.rules_version:
                raise BatchError(f"Dask 工作节点的规则版本 {version} 与批次的 {run.rules_version} 不同")
            runs.write_chunk(engine, run_id, outcome)
            bar.update(1)
            future.release()
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    return runs.finish_run(engine, run_id)

