"""Worker processes started clean, never forked from a process that has run Polars.

Polars keeps a thread pool; a process forked while one of its threads holds a lock inherits the
lock held and hangs the first time it uses Polars (seen: a batch test froze after an in-process
columnar run). Workers are spawned instead: fresh interpreters, still direct children of the batch,
so they end with it when it is killed (batch/lifeline.py; a forkserver in between outlived it).

A spawned process costs about a second and a half of CPU before its first task (the interpreter,
the command's modules, the rules), so one ``huiqi batch`` shares one pool between its phases: the
CSV index loaders, the evaluation and the lists (``batch_pool``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext

from batch.lifeline import die_with_parent


def clean_processes() -> BaseContext:
    return multiprocessing.get_context("spawn")


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` spawned processes that end with this one."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    return ProcessPoolExecutor(max_workers=workers, mp_context=clean_processes(), initializer=_start_worker,
                               initargs=(os.getpid(), threads))


def _start_worker(parent: int, threads: int) -> None:
    """In a new worker, before it imports Polars: its share of the cores for Polars' thread pool, unless
    ``POLARS_MAX_THREADS`` says otherwise (the workers already keep every core busy, each with its own chunk:
    a pool as wide as the machine in each of them only oversubscribes the cores)."""
    os.environ.setdefault("POLARS_MAX_THREADS", str(threads))
    die_with_parent(parent)


@contextmanager
def batch_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """The pool a whole batch shares (``None`` when it runs without worker processes)."""
    if workers <= 0:
        yield None
        return
    with worker_pool(workers) as pool:
        yield pool


@contextmanager
def shared_or_own(pool: ProcessPoolExecutor | None, workers: int) -> Iterator[ProcessPoolExecutor]:
    """``pool`` when the caller shares one, else a pool of ``workers`` of its own for this phase."""
    if pool is not None:
        yield pool
        return
    with worker_pool(workers) as own:
        yield own


def warm(pool: ProcessPoolExecutor | None, workers: int) -> None:
    """Have the pool start its processes now (a spawned process needs about a second and a half before
    its first task) rather than on the first real task: an empty task for each."""
    if pool is not None:
        for _ in range(workers):
            pool.submit(os.getpid)
