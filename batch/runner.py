"""``huiqi batch``: stream the registry, evaluate chunks in a process pool, commit chunk by chunk.

Chunk n is always the same records (the reader order is deterministic), and each chunk's results
are committed together with its marker, so a killed run resumes by skipping committed chunks.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from tqdm import tqdm

from batch.readers import EncodingProblem, Record, detect_format, encodings, fingerprint, open_input
from batch.worker import ChunkOutcome, Job, evaluate_chunk, warm_up
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
    chunk_size: int = 500
    fmt: str | None = None


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


def start(engine: Engine, spec: RunSpec, engine_name: str = "local") -> str:
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
        chunk_size=spec.chunk_size, engine=engine_name, out_dir=str(spec.out_dir) if spec.out_dir else None,
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


def execute(engine: Engine, run_id: str, workers: int = 2, progress: bool = True) -> dict[str, int]:
    """Evaluate every chunk of the run not yet committed, then close the run."""
    run = check_resumable(engine, run_id)
    job = Job(as_of=run.as_of, measures=frozenset(run.measures))
    done = runs.done_chunks(engine, run_id)
    workdir = Path(run.out_dir) if run.out_dir else None
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        records, total, warnings = open_input(Path(run.input_path), run.input_format, workdir)
    except (MappingError, TableError, EncodingProblem) as exc:
        raise BatchError(f"{exc}；批次 {run_id} 保留为未完成，可修正后用 --resume 续跑") from None
    for warning in warnings:
        print(warning, file=sys.stderr)
    bar = tqdm(total=total, unit="户", desc=f"批次 {run_id}", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, mininterval=0.5)

    def commit(outcome: ChunkOutcome) -> None:
        runs.write_chunk(engine, run_id, outcome)
        bar.update(outcome.rows)

    try:
        if workers <= 0:
            for number, batch in chunks(records, run.chunk_size):
                if number in done:
                    bar.update(sum(r.counted for r in batch))
                    continue
                commit(evaluate_chunk(number, batch, job))
        else:
            _pool(records, run.chunk_size, done, job, workers, commit, bar)
    finally:
        bar.close()
        close = getattr(records, "close", None)
        if close:
            close()
    return runs.finish_run(engine, run_id)


def _pool(records: Iterable[Record], size: int, done: set[int], job: Job, workers: int,
          commit: Any, bar: Any) -> None:
    """At most ``3 × workers`` chunks in flight, so memory does not grow with the registry."""
    with ProcessPoolExecutor(max_workers=workers, initializer=warm_up) as pool:
        pending: set[Future[ChunkOutcome]] = set()
        for number, batch in chunks(records, size):
            if number in done:
                bar.update(sum(r.counted for r in batch))
                continue
            if len(pending) >= 3 * workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    commit(future.result())
            pending.add(pool.submit(evaluate_chunk, number, batch, job))
        for future in pending:
            commit(future.result())


def run_batch(db_url: str, spec: RunSpec, workers: int = 2, progress: bool = True) -> tuple[str, dict[str, int]]:
    engine = open_database(db_url)
    run_id = start(engine, spec)
    return run_id, execute(engine, run_id, workers, progress)
