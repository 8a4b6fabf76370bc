"""Every input form gives the same results; every row is accounted for; bad rows are reported."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select

from batch.runner import RunSpec, execute, start
from batch.writers import write_outputs
from engine import default_rules
from store.models import BatchRejection, RegistryEnterprise
from tests.batch.conftest import AS_OF, N, results


def _run(db: Engine, path: Path, **kw: object) -> tuple[str, dict[str, int]]:
    run_id = start(db, RunSpec(path, AS_OF, **kw))  # type: ignore[arg-type]
    return run_id, execute(db, run_id, workers=0, progress=False)


def test_every_form_gives_the_same_results(db: Engine, registry: dict[str, Path]) -> None:
    runs = {fmt: _run(db, path) for fmt, path in registry.items()}
    counts = {fmt: c for fmt, (_, c) in runs.items()}
    assert counts["csv"] == counts["jsonl"] == counts["parquet"]
    c = counts["csv"]
    assert c["total"] == N == c["matched"] + c["unmatched"] + c["rejected"]
    assert c["matched"] > 0 and c["rejected"] > 0
    base = results(db, runs["csv"][0])
    assert base and all(results(db, runs[f][0]) == base for f in ("jsonl", "parquet"))
    with db.connect() as conn:
        registry_rows = conn.execute(select(RegistryEnterprise.credit_code)).all()
    assert len(registry_rows) == c["matched"] + c["unmatched"]


def test_measure_selection_and_only_auto(db: Engine, registry: dict[str, Path]) -> None:
    run_id, _ = _run(db, registry["jsonl"], measures=["M30"])
    assert {r[1] for r in results(db, run_id)} == {"M30"}
    run_id, _ = _run(db, registry["jsonl"], only_auto=True)
    auto = {m.id for m in default_rules().measures if m.auto_match}
    found = {r[1] for r in results(db, run_id)}
    assert found and found <= auto


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


GOOD = "91350200MA2Y0DQ93C"


def test_bad_csv_rows_are_reported_with_file_line_and_field(db: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    _write(folder, "enterprises.csv", "\n".join([
        "credit_code,name,industry_code,employees,revenue_yuan,founded_on,district,zone",
        f"{GOOD},甲公司,C3911,35,12000000,2024-03-01,湖里区,火炬高新区",   # line 2: good, 2 hires
        "91350200MA2Y0DQ93D,乙公司,C3911,35,12000000,2024-03-01,湖里区,",   # line 3: bad check character
        f"{GOOD},甲公司重复,C3911,35,12000000,2024-03-01,湖里区,",           # line 4: duplicate
        "913502030BMYLM073B,丙公司,C3911,abc,1,2024-03-01,湖里区,",        # line 5: employees not a number
        "913502033T3FENA699,丁公司,C3911,3",                                 # line 6: wrong column count
        ",无代码,C3911,3,1,2024-03-01,湖里区,",                              # line 7: no credit code
    ]) + "\n")
    hire = "2025-09-01,true,12,3,3,3,6"
    _write(folder, "hires.csv", "\n".join([
        "credit_code,birth_date,hired_on,registered_unemployed,contract_months,insurance_months.unemployment,"
        "insurance_months.work_injury,insurance_months.pension,social_insurance_months",
        f"{GOOD},2003-05-01,{hire}",
        f"{GOOD},2005-02-10,{hire.replace('true', '是')}",
        f"913502030BMYLM073B,2026-02-30,{hire}",        # line 4: impossible date (enterprise already bad)
        f"913502034K21X0JC6B,2003-05-01,{hire}",        # line 5: no such enterprise
        f",2003-05-01,{hire}",                          # line 6: no credit code: not the code-less enterprise's
    ]) + "\n")
    _write(folder, "notes.csv", "x\n1\n")
    run_id, counts = _run(db, folder)
    assert counts == {"total": 6, "matched": 1, "unmatched": 0, "rejected": 5}
    with db.connect() as conn:
        rows = conn.execute(select(BatchRejection.source, BatchRejection.line, BatchRejection.field,
                                   BatchRejection.reason).where(BatchRejection.run_id == run_id)).all()
    by_line = {(s, ln): (f, r) for s, ln, f, r in rows}
    assert by_line[("enterprises.csv", 3)][0] == "credit_code"
    assert "重复" in by_line[("enterprises.csv", 4)][1]
    assert by_line[("enterprises.csv", 5)][0] == "employees"
    assert "列数" in by_line[("enterprises.csv", 6)][1]
    assert by_line[("enterprises.csv", 7)][0] == "credit_code"
    assert ("hires.csv", 4) in by_line and by_line[("hires.csv", 4)][0] == "hires[0].birth_date"
    assert "没有统一社会信用代码" in by_line[("hires.csv", 5)][1]
    assert "缺少统一社会信用代码" in by_line[("hires.csv", 6)][1]
    m30 = [r for r in results(db, run_id) if r[1] == "M30"]
    assert len(m30) == 1 and str(m30[0][6]) == "3000.00"
    out = write_outputs(db, run_id, tmp_path / "out")
    report = (out / "rejections.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "文件,行号,统一社会信用代码,字段,原因" and len(report) == 1 + len(rows)
    assert (out / "M30_中小微企业扩岗补助" / "市人社局.xlsx").exists()
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]["rejected"] == 5


def test_bad_jsonl_lines_are_counted(db: Engine, tmp_path: Path, example_profile: dict) -> None:
    path = tmp_path / "r.jsonl"
    lines = [json.dumps(example_profile, ensure_ascii=False), "{not json", "[1, 2]",
             json.dumps({**example_profile, "hires": [{"birth_date": "2003-05-01", "hired_on": "2001-01-01"}]}),
             "", json.dumps({**example_profile, "name": "重复"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_id, counts = _run(db, path)
    assert counts == {"total": 5, "matched": 1, "unmatched": 0, "rejected": 4}
    with db.connect() as conn:
        rows = conn.execute(select(BatchRejection.line, BatchRejection.field)
                            .where(BatchRejection.run_id == run_id)).all()
    assert sorted(rows) == [(2, ""), (3, ""), (4, "credit_code"), (6, "credit_code")]  # 4 and 6 repeat line 1


def test_a_list_beyond_the_limit_rejects_its_enterprise_naming_the_list(db: Engine, tmp_path: Path,
                                                                       example_profile: dict) -> None:
    # issue 11, point 7: at most 1,000 items a list (engine/limits.py); the rest of the batch runs on
    from engine.limits import MAX_ITEMS_PER_LIST

    long = {**example_profile, "credit_code": "913502030BMYLM073B", "hires": [{}] * (MAX_ITEMS_PER_LIST + 1)}
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in (example_profile, long)) + "\n",
                    encoding="utf-8")
    run_id, counts = _run(db, path)
    assert counts == {"total": 2, "matched": 1, "unmatched": 0, "rejected": 1}
    with db.connect() as conn:
        ((line, field, reason),) = conn.execute(select(BatchRejection.line, BatchRejection.field, BatchRejection.reason)
                                                .where(BatchRejection.run_id == run_id)).all()
    assert (line, field) == (2, "hires") and f"最多 {MAX_ITEMS_PER_LIST} 项" in reason
