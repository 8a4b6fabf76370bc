"""``--engine columnar`` against ``--engine rete`` on the same input: the same database rows, the same
rejection report and byte-identical lists; ``--verify N`` fails a run naming enterprise and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from api.cli import main
from batch.runner import RunSpec, execute, start
from batch.worker import VerifyError
from batch.writers import write_outputs
from engine.columnar import evaluate as columnar_evaluate
from store import runs
from tests.batch.conftest import AS_OF, results


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "run.json"}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_columnar_and_rete_write_byte_identical_lists(db: Engine, registry: dict[str, Path], tmp_path: Path,
                                                      fmt: str) -> None:
    rete = start(db, RunSpec(registry[fmt], AS_OF, chunk_size=90), engine_name="rete")
    execute(db, rete, workers=0, progress=False)
    columnar = start(db, RunSpec(registry[fmt], AS_OF, chunk_size=130), engine_name="columnar")
    execute(db, columnar, workers=2, progress=False)
    assert results(db, columnar) == results(db, rete)
    a, b = runs.load_run(db, rete), runs.load_run(db, columnar)
    assert a is not None and b is not None and b.engine == "columnar"
    assert (a.total, a.matched, a.unmatched, a.rejected) == (b.total, b.matched, b.unmatched, b.rejected)
    assert a.rejected > 0  # the registry has bad rows: the rejection report is compared too
    files_rete = _files(write_outputs(db, rete, tmp_path / "rete"))
    files_columnar = _files(write_outputs(db, columnar, tmp_path / "columnar"))
    assert "rejections.csv" in files_rete and "summary.csv" in files_rete
    assert sum(name.endswith(".xlsx") for name in files_rete) > 40
    assert files_columnar.keys() == files_rete.keys()
    for name, content in files_rete.items():
        assert files_columnar[name] == content, name


@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_verify_passes_when_the_engines_agree(registry: dict[str, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str], form: str) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    code = main(["batch", str(registry[form]), "--as-of", "2026-01-15", "--db", db, "--out", str(tmp_path / "out"),
                 "--workers", "0", "--verify", "50", "--no-progress"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["engine"] == "columnar" and summary["measures_on_rete"] == {}


@pytest.mark.parametrize("form", ["jsonl", "csv"])  # csv: the column lane's enterprises are verified too
def test_verify_fails_the_run_naming_enterprise_measure_and_field(db: Engine, registry: dict[str, Path],
                                                                  monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    real = columnar_evaluate._word

    def wrong_m30(columns: Any, key: dict[str, Any]) -> Any:
        found = real(columns, key)
        if columns.id == "M30" and found.status == "ineligible":
            found.reasons.append("多出的一句")
        return found

    monkeypatch.setattr(columnar_evaluate, "_word", wrong_m30)
    run_id = start(db, RunSpec(registry[form], AS_OF), engine_name="columnar")
    with pytest.raises(VerifyError, match=r"企业 [0-9A-Z]{18}：措施 M30 的字段 reasons"):
        execute(db, run_id, workers=0, progress=False, verify=400)
    run = runs.load_run(db, run_id)
    assert run is not None and run.status == "running"  # not closed: the run failed


def test_local_is_still_accepted_as_the_rete_engine(registry: dict[str, Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    code = main(["batch", str(registry["jsonl"]), "--as-of", "2026-01-15", "--db", db, "--out", str(tmp_path / "out"),
                 "--workers", "0", "--engine", "local", "--measures", "M30", "--no-progress"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["engine"] == "rete"
    from store.db import open_database

    run = runs.load_run(open_database(db), summary["run_id"])
    assert run is not None and run.engine == "rete" and run.chunk_size == 500
    assert main(["batch", str(registry["jsonl"]), "--as-of", "2026-01-15", "--db", db, "--engine", "rete",
                 "--verify", "5", "--no-progress"]) == 2
    assert "--verify" in capsys.readouterr().err
