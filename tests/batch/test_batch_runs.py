"""Reproducibility, diff, resume after SIGKILL, PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from batch.diff import diff_runs
from batch.runner import RunSpec, execute, start
from batch.synth import synthesize
from batch.writers import write_outputs
from store import runs
from store.db import open_database
from store.models import BatchChunk, BatchRun
from tests.batch.conftest import AS_OF, N, results
from tests.postgres import throwaway_database

ROOT = Path(__file__).resolve().parents[2]


def _run(db: Engine, path: Path, as_of: dt.date = AS_OF, workers: int = 0, chunk_size: int = 500) -> str:
    run_id = start(db, RunSpec(path, as_of, chunk_size=chunk_size))
    execute(db, run_id, workers=workers, progress=False)
    return run_id


def test_same_input_rules_and_date_give_identical_results_and_files(
    db: Engine, registry: dict[str, Path], tmp_path: Path
) -> None:
    a = _run(db, registry["csv"], chunk_size=37)
    b = _run(db, registry["csv"], workers=2, chunk_size=100)
    assert results(db, a) == results(db, b)
    out_a, out_b = write_outputs(db, a, tmp_path), write_outputs(db, b, tmp_path)
    files = sorted(p.relative_to(out_a) for p in [*out_a.rglob("*.csv"), *out_a.rglob("*.xlsx")])
    assert files == sorted(p.relative_to(out_b) for p in [*out_b.rglob("*.csv"), *out_b.rglob("*.xlsx")])
    assert len(files) > 20
    assert all((out_a / f).read_bytes() == (out_b / f).read_bytes() for f in files)
    run = runs.load_run(db, a)
    assert run is not None and run.status == "done" and run.total == N and run.finished_at is not None
    assert len(run.input_fingerprint) == 32 and run.rules_version


def test_diff_lists_new_gone_and_changed(db: Engine, registry: dict[str, Path]) -> None:
    a = _run(db, registry["jsonl"], as_of=dt.date(2025, 6, 1))
    b = _run(db, registry["jsonl"], as_of=AS_OF)
    before = {(r[1], r[0]): r[6] for r in results(db, a)}
    after = {(r[1], r[0]): r[6] for r in results(db, b)}
    changes = diff_runs(db, a, b)
    assert {(c.measure, c.credit_code) for c in changes if c.change == "new"} == after.keys() - before.keys()
    assert {(c.measure, c.credit_code) for c in changes if c.change == "gone"} == before.keys() - after.keys()
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert {(c.measure, c.credit_code) for c in changes if c.change == "amount"} == changed
    assert any(c.change == "new" for c in changes) and any(c.change == "gone" for c in changes)
    assert diff_runs(db, a, a) == []
    cli = subprocess.run([sys.executable, "-m", "api.cli", "batch", "diff", a, b, "--db", str(db.url)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    lines = cli.stdout.splitlines()
    assert lines[0].startswith("措施,统一社会信用代码") and len(lines) == 1 + len(changes)


def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    registry = synthesize(1500, 3, tmp_path / "reg", "csv")
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    db = open_database(url)
    command = [sys.executable, "-m", "api.cli", "batch", str(registry), "--as-of", "2026-01-15", "--db", url,
               "--out", str(tmp_path / "out"), "--workers", "1", "--chunk-size", "25", "--no-progress"]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    committed = 0
    while time.monotonic() < deadline and child.poll() is None:
        with db.connect() as conn:
            committed = conn.scalar(select(func.count()).select_from(BatchChunk)) or 0
        if committed >= 8:
            os.killpg(child.pid, signal.SIGKILL)  # the CLI and its worker process, no chance to clean up
            break
        time.sleep(0.02)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    with db.connect() as conn:
        run_id, status = conn.execute(select(BatchRun.id, BatchRun.status)).one()
        done = conn.scalar(select(func.count()).select_from(BatchChunk))
    assert status == "running" and 8 <= done < 60  # 1500 / 25 chunks
    resumed = subprocess.run(command[:4] + ["--resume", run_id] + command[7:], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    run = runs.load_run(db, run_id)
    assert run is not None and run.status == "done" and run.total == 1500
    reference = _run(db, registry, chunk_size=25)
    assert results(db, run_id) == results(db, reference)
    assert (run.matched, run.unmatched, run.rejected) == (
        (lambda r: (r.matched, r.unmatched, r.rejected))(runs.load_run(db, reference))
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from throwaway_database("huiqi_test")


def test_postgresql_gives_the_same_results_as_sqlite(postgres_url: str, db: Engine, registry: dict[str, Path]) -> None:
    pg = open_database(postgres_url)
    try:
        open_database(postgres_url)  # upgrading twice is a no-op
        a = _run(pg, registry["csv"], workers=2, chunk_size=90)
        b = _run(db, registry["csv"])
        assert results(pg, a) == results(db, b)
        again = _run(pg, registry["csv"])  # the registry upsert replaces, never duplicates
        run = runs.load_run(pg, again)
        assert run is not None
        with pg.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM registry_enterprises")) == run.matched + run.unmatched
        assert diff_runs(pg, a, again) == []
    finally:
        pg.dispose()
