"""GBK/GB18030 inputs: detected and read; undecodable files rejected with file, line and reason; runs resumable."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from batch.runner import BatchError, RunSpec, execute, start
from sources.encoding import EncodingProblem, detect
from store import runs
from store.models import BatchRun
from tests.batch.conftest import AS_OF, results

ROOT = Path(__file__).resolve().parents[2]
TEXT = "统一社会信用代码,单位名称,出生日期\n91350200MA2Y0DQ93C,厦门鹭岛电子有限公司,2003年5月1日\n" * 40


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_detects_utf8_with_or_without_bom_and_gb18030(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert detect(path) == expected


def test_undecodable_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("a,b\n名称,甲\n".encode("gbk") + b"x,\xff\xfe\x80\n")
    with pytest.raises(EncodingProblem) as caught:
        detect(path)
    assert (caught.value.file, caught.value.line) == ("bad.csv", 3)
    assert "既不是 UTF-8" in caught.value.reason


def test_utf16_and_ambiguous_big5_are_rejected_not_guessed(tmp_path: Path) -> None:
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(TEXT.encode("utf-16"))
    with pytest.raises(EncodingProblem, match="UTF-16"):
        detect(utf16)
    big5 = tmp_path / "big5.csv"  # every Big5 byte pair is also valid GB18030: decodes, but as nonsense
    big5.write_bytes("統一社會信用代碼,單位名稱\n廈門鷺島電子有限公司,臺灣\n".encode("big5") * 40)
    with pytest.raises(EncodingProblem, match="无法确定文件编码"):
        detect(big5)


def _recode(src: Path, dst: Path, encoding: str) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for file in src.iterdir():
        (dst / file.name).write_bytes(file.read_text(encoding="utf-8").encode(encoding))
    return dst


def test_a_gbk_csv_folder_gives_the_same_results_as_utf8(db: Engine, registry: dict[str, Path], tmp_path: Path) -> None:
    gbk = _recode(registry["csv"], tmp_path / "gbk", "gb18030")
    bom = tmp_path / "bom"
    shutil.copytree(registry["csv"], bom)
    (bom / "hires.csv").write_bytes(b"\xef\xbb\xbf" + (bom / "hires.csv").read_bytes())
    plain = start(db, RunSpec(registry["csv"], AS_OF))
    counts = execute(db, plain, workers=0, progress=False)
    for folder in (gbk, bom):
        run_id = start(db, RunSpec(folder, AS_OF))
        assert execute(db, run_id, workers=0, progress=False) == counts
        assert results(db, run_id) == results(db, plain)
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_bytes((registry["jsonl"] / "registry.jsonl").read_text(encoding="utf-8").encode("gb18030"))
    run_id = start(db, RunSpec(jsonl, AS_OF))
    assert execute(db, run_id, workers=0, progress=False) == counts


def test_an_undecodable_csv_is_refused_before_a_run_starts(db: Engine, registry: dict[str, Path],
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(registry["csv"], folder)
    lines = (folder / "hires.csv").read_bytes().split(b"\n")
    lines[4] += b"\xff\xff"
    (folder / "hires.csv").write_bytes(b"\n".join(lines))
    with pytest.raises(BatchError, match=r"hires\.csv 第 5 行"):
        start(db, RunSpec(folder, AS_OF))
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(BatchRun)) == 0  # nothing left "running"
    cli = subprocess.run([sys.executable, "-m", "api.cli", "batch", str(folder), "--as-of", "2026-01-15",
                          "--db", str(db.url), "--out", str(tmp_path / "out"), "--no-progress"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 2
    assert "hires.csv 第 5 行" in cli.stderr and "GB18030" in cli.stderr and "Traceback" not in cli.stderr


def test_an_interrupted_gbk_run_resumes_to_the_uninterrupted_result(
    db: Engine, registry: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gbk = _recode(registry["csv"], tmp_path / "gbk", "gbk")
    reference = start(db, RunSpec(gbk, AS_OF, chunk_size=50))
    expected = execute(db, reference, workers=0, progress=False)
    run_id = start(db, RunSpec(gbk, AS_OF, chunk_size=50))
    write_chunk, written = runs.write_chunk, []

    def dying(engine: Engine, run: str, outcome: object) -> None:
        if len(written) == 3:
            raise KeyboardInterrupt  # the process is stopped after three committed chunks
        write_chunk(engine, run, outcome)
        written.append(outcome)

    monkeypatch.setattr(runs, "write_chunk", dying)
    with pytest.raises(KeyboardInterrupt):
        execute(db, run_id, workers=0, progress=False)
    monkeypatch.setattr(runs, "write_chunk", write_chunk)
    run = runs.load_run(db, run_id)
    assert run is not None and run.status == "running" and len(runs.done_chunks(db, run_id)) == 3
    assert execute(db, run_id, workers=0, progress=False) == expected
    assert results(db, run_id) == results(db, reference)
