"""``kill -9`` of a batch takes its pool workers with it (issue 11, point 8; batch/lifeline.py).

A real ``huiqi batch --workers 2`` is started on a registry big enough to still be running, its
worker processes are seen to exist, the batch process gets SIGKILL, and every worker must be gone
within a few seconds. Should any survive (the failure), the test ends them itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from batch.synth import synthesize
from tests.conftest import ROOT

GRACE_SECONDS = 10  # the watchdog polls once a second; PR_SET_PDEATHSIG acts at once


@pytest.fixture(scope="module")
def big_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(20_000, 5, tmp_path_factory.mktemp("big") / "jsonl", "jsonl")


def _workers_of(parent: psutil.Process, count: int, timeout: float = 60) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if len(children) >= count:
            return children
        time.sleep(0.1)
    raise AssertionError(f"the batch did not start {count} workers within {timeout} s")


@pytest.mark.parametrize("stage", ["evaluate", "index"])
def test_pool_workers_end_when_the_batch_is_killed(big_registry: Path, tmp_path: Path, stage: str) -> None:
    source = big_registry if stage == "evaluate" else synthesize(20_000, 6, tmp_path / "csv", "csv")
    batch = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "batch", str(source), "--as-of", "2026-01-15", "--workers", "2",
         "--db", f"sqlite:///{tmp_path / 'h.sqlite3'}", "--out", str(tmp_path / "out"), "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        # evaluation: two pool workers; a CSV folder is first indexed by loader processes (one per file)
        workers = _workers_of(psutil.Process(batch.pid), 2)
        os.kill(batch.pid, signal.SIGKILL)
        batch.wait(timeout=10)
        gone, alive = psutil.wait_procs(workers, timeout=GRACE_SECONDS)
        assert alive == [], f"workers still running {GRACE_SECONDS} s after the batch was killed: {alive}"
        assert len(gone) == len(workers)
    finally:
        for process in workers:
            if process.is_running():
                process.kill()
        if batch.poll() is None:
            batch.kill()
