"""Worker processes started clean, never forked from a process that has run Polars.

Polars keeps a thread pool; a process forked while one of its threads holds a lock inherits the
lock held and hangs the first time it uses Polars (seen: a batch test froze after an in-process
columnar run). Workers are spawned instead: fresh interpreters, still direct children of the batch,
so they end with it when it is killed (batch/lifeline.py; a forkserver in between outlived it).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext


def clean_processes() -> BaseContext:
    return multiprocessing.get_context("spawn")
