"""Worker processes started clean, never forked from a process that has run Polars.

Polars keeps a thread pool; a process forked while one of its threads holds a lock inherits the
lock held and hangs the first time it uses Polars (seen: a batch test froze after an in-process
columnar run). The forkserver starts each worker from a fresh server process instead.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext


def clean_processes() -> BaseContext:
    return multiprocessing.get_context("forkserver")
