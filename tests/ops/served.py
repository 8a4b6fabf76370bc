"""``huiqi serve`` as a real process tree on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests.browser_server import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def workers(self) -> list[psutil.Process]:
        """The worker processes (uvicorn's spawned children), not multiprocessing's helpers."""
        children = psutil.Process(self.process.pid).children()
        return [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for raw in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
        return lines

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def serving(db_url: str, workdir: Path, workers: int = 2, **env: str) -> Iterator[Served]:
    port = free_port()
    log = workdir / "serve.log"
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HUIQI_DB": db_url,
                   "HUIQI_RUN_DIR": str(workdir / "run"), **env}
    with open(log, "wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                    "--workers", str(workers)], cwd=workdir, env=environment,
                                   stdout=sink, stderr=subprocess.STDOUT)
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{served.base}/api/v1/ready", timeout=2).status_code == 200 \
                        and len(served.workers()) == (workers if workers > 1 else 0):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"huiqi serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            served.stop()
