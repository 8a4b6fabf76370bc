"""Names that look like spreadsheet formulas stay inert text in every list a batch writes (issue 11, point 8)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from stdnum.cn import uscc

from batch.cells import safe_cell
from batch.diff import report
from batch.runner import RunSpec, execute, start
from batch.writers import write_outputs
from tests.batch.conftest import AS_OF

# (a leading tab or CR never reaches a list: the Profile strips the whitespace around text)
NAMES = ['=HYPERLINK("http://evil.example","点我领补贴")', "+1+2", "-2+3", "@SUM(A1)", "厦门正常名称有限公司"]


def _code(n: int) -> str:
    body = f"9135020{n:02d}MA31X9QC"[:17]
    return body + uscc.calc_check_digit(body)


def _registry(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with (folder / "enterprises.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["credit_code", "name", "entity_type", "industry_code", "employees", "revenue_yuan",
                         "founded_on", "district"])
        for n, name in enumerate(NAMES):
            writer.writerow([_code(n), name, "enterprise", "C3911", "35", "12000000", "2024-03-01", "湖里区"])
    with (folder / "hires.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["credit_code", "birth_date", "hired_on", "registered_unemployed", "contract_months",
                         "insurance_months.unemployment", "insurance_months.work_injury", "insurance_months.pension"])
        for n in range(len(NAMES)):
            writer.writerow([_code(n), "2003-05-01", "2025-09-01", "true", "12", "3", "3", "3"])
    return folder


@pytest.mark.parametrize(("given", "written"), [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
                                                ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("甲=1", "甲=1"), (-1, -1),
                                                ("", "")])
def test_one_rule_for_every_cell(given: object, written: object) -> None:
    assert safe_cell(given) == written


def test_the_lists_of_a_batch_never_hold_a_live_formula(db: Engine, tmp_path: Path) -> None:
    run_id = start(db, RunSpec(_registry(tmp_path / "in"), AS_OF, measures=["M30"]))
    assert execute(db, run_id, workers=0, progress=False)["matched"] == len(NAMES)
    folder = write_outputs(db, run_id, tmp_path / "out")
    lists = sorted(folder.glob("M30_*/*.csv"))
    assert lists
    for path in lists:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            names = [row[0] for row in list(csv.reader(handle))[1:]]
        assert sorted(names) == sorted("'" + n if n[0] in "=+-@" else n for n in NAMES), path
        sheet = load_workbook(path.with_suffix(".xlsx")).active
        cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert sorted(cells) == sorted(names)  # the workbook says the same, as text
    again = start(db, RunSpec(tmp_path / "in", AS_OF, measures=["M31"]))
    execute(db, again, workers=0, progress=False)
    changes = tmp_path / "changes.csv"
    report(db, run_id, again, changes)
    with changes.open(encoding="utf-8-sig", newline="") as handle:
        named = {row[2] for row in list(csv.reader(handle))[1:]}
    assert '\'=HYPERLINK("http://evil.example","点我领补贴")' in named and "+1+2" not in named
