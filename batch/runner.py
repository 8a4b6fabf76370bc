"""``huiqi batch``: stream the registry, evaluate chunks in a process pool, commit chunk by chunk.

Chunk n is always the same records (the reader order is deterministic), and each chunk's results
are committed together with its marker, so a killed run resumes by skipping committed chunks.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from tqdm import tqdm

from batch.csv_index import CsvIndex
from batch.pools import shared_or_own
from batch.readers import EncodingProblem, Record, detect_format, encodings, fingerprint, open_input
from batch.worker import ChunkOutcome, Job, RecordsTask, SliceTask, Task
from engine import ProfileError, default_rules
from engine.as_of import check_as_of
from sources.mapping import MappingError
from sources.tables import TableError
from store import runs
from store.db import open_database


class BatchError(Exception):
    """A run cannot start or resume; the message is for the user."""


@dataclass
class RunSpec:
    input: Path
    as_of: dt.date
    measures: list[str] | None = None
    only_auto: bool = False
    out_dir: Path | None = None
    chunk_size: int | None = None  # default: CHUNK_SIZES of the engine
    fmt: str | None = None


ENGINES = ("columnar", "rete", "dask")  # "local" (the name before the columnar engine) is rete
# Enterprises per committed chunk: a columnar run pays a fixed cost per chunk (compiling the plans
# into one query per measure), durable-rules per enterprise.
CHUNK_SIZES = {"columnar": 10_000, "rete": 500, "dask": 10_000}


IN_FLIGHT = 30_000  # enterprises read ahead of the workers (see _pool)


def engine_name(name: str) -> str:
    return "rete" if name == "local" else name


def select_measures(requested: list[str] | None, only_auto: bool) -> list[str]:
    book = default_rules()
    known = [m.id for m in book.measures]
    if requested:
        unknown = [m for m in requested if m not in known]
        if unknown:
            raise BatchError(f"没有这些措施：{', '.join(unknown)}")
    chosen = [m for m in book.measures if (not requested or m.id in requested) and (m.auto_match or not only_auto)]
    if not chosen:
        raise BatchError("所选范围内没有措施（--only-auto 只保留可凭登记数据判定的措施）")
    return [m.id for m in chosen]


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def chunks(records: Iterable[Record], size: int) -> Iterator[tuple[int, list[Record]]]:
    batch: list[Record] = []
    number = 0
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield number, batch
            number, batch = number + 1, []
    if batch:
        yield number, batch


def start(engine: Engine, spec: RunSpec, engine_name: str = "columnar") -> str:
    """Record a new run and return its id."""
    try:
        check_as_of(spec.as_of)
    except ProfileError as exc:
        raise BatchError(exc.errors[0].message_zh) from None
    path = spec.input.resolve()
    if not path.exists():
        raise BatchError(f"找不到输入：{spec.input}")
    try:
        fmt = spec.fmt or detect_format(path)
    except ValueError as exc:
        raise BatchError(str(exc)) from None
    readable(path, fmt)
    if fmt == "sources" and spec.fmt not in (None, "sources"):
        raise BatchError("数据来源文件（sources.yaml）只能用 --sources 读取")
    run_id = new_run_id()
    book = default_rules()
    runs.create_run(
        engine, id=run_id, rules_version=book.version, rules_release=book.release_name,
        rules_release_date=book.release_date, input_path=str(path), input_format=fmt,
        input_fingerprint=fingerprint(path, fmt), as_of=spec.as_of,
        measures=select_measures(spec.measures, spec.only_auto), only_auto=spec.only_auto,
        chunk_size=spec.chunk_size or CHUNK_SIZES[engine_name], engine=engine_name,
        out_dir=str(spec.out_dir) if spec.out_dir else None,
    )
    return run_id


def readable(path: Path, fmt: str) -> None:
    """Every text file's encoding is UTF-8 or GB18030, every mapping usable and every mapped column
    present (checked before a run is recorded or resumed, so a bad input never leaves a run behind)."""
    try:
        encodings(path, fmt)
        if fmt == "sources":
            from sources.mapping import load_sources
            from sources.rows import plan

            for source in load_sources(path):
                plan(source).table.close()
    except EncodingProblem as exc:
        raise BatchError(f"{exc}（文件：{path / exc.file if path.is_dir() else path}）") from None
    except (MappingError, TableError) as exc:
        raise BatchError(str(exc)) from None


def check_resumable(engine: Engine, run_id: str) -> Any:
    run = runs.load_run(engine, run_id)
    if run is None:
        raise BatchError(f"没有编号为 {run_id} 的批次")
    path = Path(run.input_path)
    if not path.exists():
        raise BatchError(f"批次的输入已不存在：{path}")
    if fingerprint(path, run.input_format) != run.input_fingerprint:
        raise BatchError("输入文件自该批次开始后已改变，不能续跑；请重新发起批次")
    if default_rules().version != run.rules_version:
        raise BatchError(f"规则版本已由 {run.rules_version} 变为 {default_rules().version}，不能续跑；请重新发起批次")
    readable(path, run.input_format)
    return run


def execute(engine: Engine, run_id: str, workers: int = 2, progress: bool = True, verify: int = 0,
            timing: dict[str, float] | None = None, pool: ProcessPoolExecutor | None = None) -> dict[str, int]:
    """Evaluate every chunk of the run not yet committed, then close the run.

    ``verify``: re-evaluate that many enterprises, drawn at random, with durable-rules too (columnar
    runs); a difference raises ``VerifyError`` naming the enterprise, the measure and the field.
    ``pool``: the batch's worker processes (``batch.pools.batch_pool``), else ``workers`` started here."""
    run = check_resumable(engine, run_id)
    done = runs.done_chunks(engine, run_id)
    workdir = Path(run.out_dir) if run.out_dir else None
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)
    timing = {} if timing is None else timing
    started = time.perf_counter()
    try:
        tasks, total, warnings, close = _tasks(Path(run.input_path), run.input_format, workdir, run.chunk_size, pool)
    except (MappingError, TableError, EncodingProblem) as exc:
        raise BatchError(f"{exc}；批次 {run_id} 保留为未完成，可修正后用 --resume 续跑") from None
    timing["read_s"] = time.perf_counter() - started
    backend = engine_name(run.engine)
    sample = frozenset(random.Random(run_id).sample(range(total), min(verify, total))) if verify else frozenset()
    job = Job(as_of=run.as_of, measures=frozenset(run.measures), engine=backend, chunk_size=run.chunk_size,
              verify=sample)
    for warning in warnings:
        print(warning, file=sys.stderr)
    bar = tqdm(total=total, unit="户", desc=f"批次 {run_id}", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, mininterval=0.5)

    def commit(outcome: ChunkOutcome) -> None:
        started, used = time.perf_counter(), time.thread_time()
        runs.write_chunk(engine, run_id, outcome)
        timing["store_s"] = timing.get("store_s", 0.0) + time.perf_counter() - started
        # the CPU this thread spent storing: on a busy machine the wall time above counts waiting too
        timing["store_cpu_s"] = timing.get("store_cpu_s", 0.0) + time.thread_time() - used
        for name, seconds in outcome.timing.items():  # measured in the worker processes
            timing[name] = timing.get(name, 0.0) + seconds
        bar.update(outcome.rows)

    try:
        if workers <= 0 and pool is None:
            for task in tasks:
                if task.number in done:
                    bar.update(task.counted)
                    continue
                commit(task.evaluate(job))
        else:
            _pool(tasks, done, job, workers, commit, bar, pool)
    finally:
        bar.close()
        close()
    return runs.finish_run(engine, run_id)


def _tasks(path: Path, fmt: str, workdir: Path | None, size: int,
           pool: ProcessPoolExecutor | None) -> tuple[Iterator[Task], int, list[str], Any]:
    """(the run's chunks as tasks, number of enterprise rows, warnings, what closes the input).

    A CSV folder is indexed here and each chunk is read and merged in the worker that evaluates it
    (``batch.csv_index``); the other inputs are read here and their records sent to the workers."""
    if fmt == "csv":
        index = CsvIndex(path, workdir, pool)
        warnings = [f"忽略不认识的文件：{name}" for name in index.unknown_files]
        return (SliceTask(index.files, part) for part in index.slices(size)), index.total, warnings, index.close
    records, total, warnings = open_input(path, fmt, workdir)
    tasks = (RecordsTask(number, batch) for number, batch in chunks(records, size))
    return tasks, total, warnings, getattr(records, "close", lambda: None)


def _pool(tasks: Iterable[Task], done: set[int], job: Job, workers: int, commit: Any, bar: Any,
          shared: ProcessPoolExecutor | None) -> None:
    """A few chunks in flight (at most ``3 × workers``, and about 30,000 enterprises), so memory does
    not grow with the registry and every worker has its next chunk waiting."""
    in_flight = max(workers + 1, min(3 * workers, IN_FLIGHT // job.chunk_size))
    with shared_or_own(shared, workers) as pool:
        pending: set[Future[ChunkOutcome]] = set()
        for task in tasks:
            if task.number in done:
                bar.update(task.counted)
                continue
            if len(pending) >= in_flight:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    commit(future.result())
            pending.add(pool.submit(task.evaluate, job))
        for future in pending:
            commit(future.result())


def run_batch(db_url: str, spec: RunSpec, workers: int = 2, progress: bool = True) -> tuple[str, dict[str, int]]:
    engine = open_database(db_url)
    run_id = start(engine, spec)
    return run_id, execute(engine, run_id, workers, progress)


def measures_on_rete(engine: Engine, run_id: str) -> dict[str, str]:
    """The measures of a columnar run that the compiler refused, so ran on durable-rules, and why."""
    run = runs.load_run(engine, run_id)
    if run is None or engine_name(run.engine) == "rete":
        return {}
    from engine.columnar import compiled

    return {m: why for m, why in compiled(default_rules()).refused.items() if m in run.measures}
