"""A batch validates, rejects and lists exactly the same with the canonical-code shortcut on and off
(engine.credit_code, issue 14): over a synthetic registry record by record, and end to end through the
command line on a registry full of badly written codes (HUIQI_FAST_VALIDATE=0 turns it off)."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from pydantic import ValidationError
from stdnum.cn import uscc

from batch.csv_index import CsvIndex
from batch.schema import KEY
from batch.synth import synthesize
from engine.credit_code import canonical
from engine.profile import Profile
from tests.test_credit_code import shortcut

ROOT = Path(__file__).resolve().parents[2]


def _outcome(data: dict[str, object]) -> tuple[object, ...]:
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        return ("rejected", [(e["loc"], e["msg"], e["type"]) for e in exc.errors(include_url=False)])
    return ("valid", profile, profile.model_dump_json(), sorted(profile.model_fields_set))


def test_every_record_of_a_synthetic_registry_validates_the_same(tmp_path: Path) -> None:
    folder = synthesize(20_000, 3, tmp_path / "registry", "csv")
    index = CsvIndex(folder)
    try:
        records = [r.data for r in index.records() if r.data is not None and r.error is None]
    finally:
        index.close()
    taken = rejected = 0
    for data in records:
        with shortcut(False):
            before = _outcome(data)
        with shortcut(True):
            after = _outcome(data)
        assert after == before, data.get(KEY)
        rejected += before[0] == "rejected"
        taken += isinstance(data.get(KEY), str) and canonical(str(data[KEY]).strip())
    assert len(records) == 20_000 and rejected > 50  # the registry has bad rows, and they stay bad
    assert taken > 0.97 * len(records)  # the shortcut is what most codes take


def _spoil(code: str, line: int) -> str:
    """Codes written in every wrong-but-readable way, and some simply wrong."""
    body = code[:17]
    wrong = next(c for c in uscc._alphabet if c != code[17])
    return [code.lower(), f"{code[:8]} {code[8:]}", f"{code[:6]}-{code[6:]}", body + wrong,
            "９" + code[1:], code[:17], f" {code} ", code.replace("0", "O"), code, code][line % 10]


def _registry(folder: Path) -> Path:
    synthesize(400, 7, folder, "csv")
    path = folder / "enterprises.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for line, row in enumerate(rows):
        row[KEY] = _spoil(row[KEY], line)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _batch(registry: Path, where: Path, fast: str) -> tuple[Path, list[tuple[object, ...]]]:
    where.mkdir()
    database = where / "huiqi.sqlite3"
    subprocess.run([sys.executable, "-m", "api.cli", "batch", str(registry), "--as-of", "2026-01-15",
                    "--db", f"sqlite:///{database}", "--out", str(where / "out"), "--no-progress",
                    "--workers", "2", "--chunk-size", "60"],
                   cwd=ROOT, env={**os.environ, "HUIQI_FAST_VALIDATE": fast}, check=True, capture_output=True)
    db = sqlite3.connect(database)
    try:
        rejections = db.execute("SELECT * FROM batch_rejections").fetchall()
        columns = [c[1] for c in db.execute("PRAGMA table_info(batch_rejections)")]
    finally:
        db.close()
    keep = [i for i, name in enumerate(columns) if name not in ("id", "run_id")]
    (run,) = (where / "out").iterdir()
    return run, sorted(tuple(row[i] for i in keep) for row in rejections)


def test_the_rejection_report_and_lists_are_identical_with_the_shortcut_off(tmp_path: Path) -> None:
    registry = _registry(tmp_path / "registry")
    off, off_rejections = _batch(registry, tmp_path / "off", "0")
    on, on_rejections = _batch(registry, tmp_path / "on", "1")
    files = sorted(p.relative_to(off) for p in off.rglob("*") if p.is_file() and p.name != "run.json")
    assert files == sorted(p.relative_to(on) for p in on.rglob("*") if p.is_file() and p.name != "run.json")
    for name in files:
        assert (on / name).read_bytes() == (off / name).read_bytes(), name
    assert on_rejections == off_rejections
    report = (on / "rejections.csv").read_text(encoding="utf-8-sig")
    assert "统一社会信用代码校验位不正确" in report and "统一社会信用代码应为18位且格式正确" in report
    assert len(on_rejections) > 80 and len(files) > 10


def test_the_switch_turns_the_shortcut_off_in_a_new_process() -> None:
    # the comparison above means something only if HUIQI_FAST_VALIDATE=0 really turns it off
    for value, expected in (("0", "False"), ("1", "True")):
        shown = subprocess.run([sys.executable, "-c", "from engine import credit_code; print(credit_code.ENABLED)"],
                               cwd=ROOT, env={**os.environ, "HUIQI_FAST_VALIDATE": value}, check=True,
                               capture_output=True, text=True).stdout.strip()
        assert shown == expected
