from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main


def test_synth_then_batch_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--n", "60", "--seed", "2", "--out", str(tmp_path / "reg"), "--format", "jsonl"]) == 0
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    code = main(["batch", str(tmp_path / "reg"), "--as-of", "2026-01-15", "--db", db, "--out", str(tmp_path / "out"),
                 "--workers", "0", "--only-auto", "--no-progress"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["total"] == 60 == summary["matched"] + summary["unmatched"] + summary["rejected"]
    assert (Path(summary["out"]) / "summary.xlsx").exists()


def test_batch_refuses_unknown_measures_and_missing_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    (tmp_path / "r.jsonl").write_text("{}\n", encoding="utf-8")
    assert main(["batch", str(tmp_path / "r.jsonl"), "--db", db]) == 2
    assert "--as-of" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "r.jsonl"), "--as-of", "2026-01-15", "--db", db, "--measures", "M999"]) == 2
    assert "M999" in capsys.readouterr().err
    assert main(["batch", "--resume", "nope", "--db", db]) == 2
    assert "nope" in capsys.readouterr().err
