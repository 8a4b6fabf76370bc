"""A batch over department exports gives what the plain registry of the same seed gives; it resumes after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from batch.runner import BatchError, RunSpec, execute, start
from batch.synth import synthesize
from batch.synth_departments import synthesize_departments
from batch.writers import write_outputs
from store import runs
from store.db import open_database
from store.models import BatchChunk, BatchRejection, BatchResult, BatchRun, RegistryEnterprise
from tests.batch.conftest import AS_OF, results

ROOT = Path(__file__).resolve().parents[2]
N, SEED = 600, 5


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("forms")
    return synthesize(N, SEED, root / "plain", "csv"), synthesize_departments(N, SEED, root / "departments")


def _run(db: Engine, path: Path, fmt: str | None = None, chunk_size: int = 500) -> tuple[str, dict[str, int]]:
    run_id = start(db, RunSpec(path, AS_OF, chunk_size=chunk_size, fmt=fmt))
    return run_id, execute(db, run_id, workers=0, progress=False)


def test_department_exports_give_the_same_matches_and_amounts(db: Engine, both: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    plain, departments = both
    assert sorted(p.name for p in departments.iterdir() if p.suffix in (".xlsx", ".csv")) == [
        "人社_招用人员.csv", "商务_参展.xlsx", "工信_认定名单.xlsx", "登记库.xlsx", "财政_采购合同.csv",
        "金融_贷款.csv"]
    a, counts_a = _run(db, plain)
    b, counts_b = _run(db, departments / "sources.yaml", chunk_size=77)
    assert counts_a == counts_b
    assert counts_b["total"] == N == counts_b["matched"] + counts_b["unmatched"] + counts_b["rejected"]
    assert counts_b["rejected"] > 0 and counts_b["matched"] > 0
    assert results(db, a) == results(db, b)  # every (enterprise, measure): kind, amount, formula, reasons, units
    with db.connect() as conn:
        provenance = conn.scalars(select(BatchResult.provenance).where(BatchResult.run_id == b,
                                                                       BatchResult.measure == "M30")).all()
        registry = conn.execute(select(RegistryEnterprise.source, RegistryEnterprise.provenance)).all()
    assert provenance and all(p.startswith("登记库（市市场监管局，登记库.xlsx 第 ") for p in provenance)
    assert all("人社招用（市人社局，人社_招用人员.csv 第 " in p for p in provenance)  # M30 counts hires
    assert any(r.provenance and r.provenance.get("employees", {}).get("department") == "市市场监管局"
               for r in registry)
    out = write_outputs(db, b, tmp_path)
    head = (out / "M30_中小微企业扩岗补助" / "市人社局.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.endswith(",数据来源")
    report = (out / "rejections.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "数据来源,文件,工作表,行号,列,统一社会信用代码,字段,原因"
    assert any(line.startswith("登记库,登记库.xlsx,企业登记信息,") and ",所属区," in line for line in report)


def test_a_missing_column_or_bad_mapping_is_refused_before_a_run(db: Engine, both: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "d"
    shutil.copytree(both[1], folder)
    mapping = folder / "人社_招用人员.mapping.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("社保缴费月数:", "社保月数:"), encoding="utf-8")
    with pytest.raises(BatchError, match="人社_招用人员.csv 中没有这些列：社保月数"):
        start(db, RunSpec(folder / "sources.yaml", AS_OF))
    mapping.write_text("name: x\ndepartment: y\nfile: a.csv\nkey: k\ncolumns: {甲: salary}\n", encoding="utf-8")
    with pytest.raises(BatchError, match="columns.甲: 没有字段“salary”"):
        start(db, RunSpec(folder / "sources.yaml", AS_OF))
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(BatchRun)) == 0


def test_a_sources_run_resumes_after_kill_9_to_the_uninterrupted_result(both: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    departments = synthesize_departments(1500, 3, tmp_path / "departments")
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    db = open_database(url)
    command = [sys.executable, "-m", "api.cli", "batch", "--sources", str(departments / "sources.yaml"),
               "--as-of", "2026-01-15", "--db", url, "--out", str(tmp_path / "out"), "--workers", "1",
               "--chunk-size", "25", "--no-progress"]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and child.poll() is None:
        with db.connect() as conn:
            committed = conn.scalar(select(func.count()).select_from(BatchChunk)) or 0
        if committed >= 8:
            os.killpg(child.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    with db.connect() as conn:
        run_id, status = conn.execute(select(BatchRun.id, BatchRun.status)).one()
    assert status == "running"
    resumed = subprocess.run(command[:4] + ["--resume", run_id, "--db", url, "--workers", "1", "--no-progress"],
                             cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    run = runs.load_run(db, run_id)
    assert run is not None and run.status == "done" and run.total == 1500
    reference, counts = _run(db, departments / "sources.yaml", chunk_size=25)
    assert results(db, run_id) == results(db, reference)
    assert (run.matched, run.unmatched, run.rejected) == (counts["matched"], counts["unmatched"], counts["rejected"])
    with db.connect() as conn:
        def report(run: str) -> list[tuple[object, ...]]:
            return sorted(conn.execute(select(BatchRejection.source, BatchRejection.line, BatchRejection.field,
                                              BatchRejection.reason).where(BatchRejection.run_id == run)).all())
        assert report(run_id) == report(reference)  # nothing reported twice, nothing missing
