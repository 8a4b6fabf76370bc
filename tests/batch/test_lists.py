"""The lists of a real batch run: contents derived from the database rows, the city list copied, the summary."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from batch import lists
from batch.lists import write_each
from batch.runner import RunSpec, execute, start
from batch.writers import write_outputs
from engine import default_rules
from store import runs
from store.db import open_database
from store.models import BatchResult
from tests.batch.conftest import AS_OF

HEADER = ["企业名称", "统一社会信用代码", "所在区", "功能区", "金额类型", "金额（元）", "算式", "依据（符合的条件）",
          "数据来源"]
KINDS = {"exact": "确定金额", "up_to": "最高金额", "share": "比例（预付款等）", "none": "无金额"}
LOCAL = {"思明区人民政府", "湖里区人民政府", "集美区人民政府", "海沧区人民政府", "同安区人民政府", "翔安区人民政府",
         "自贸委", "火炬管委会"}


def amount(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def db_rows(db: Engine, run_id: str) -> list[Any]:
    with db.connect() as conn:
        rows = conn.execute(select(BatchResult).where(BatchResult.run_id == run_id)).all()
    return sorted(rows, key=lambda r: (r.measure, r.credit_code))


def expected_lists(db: Engine, run_id: str) -> dict[tuple[str, str], list[list[Any]]]:
    """(measure, unit) -> list lines, straight from the stored results: each row once per unit it names."""
    out: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for r in db_rows(db, run_id):
        line = [r.name, r.credit_code, r.district, r.zone, KINDS[r.amount_kind], amount(r.amount_yuan), r.formula,
                "；".join(r.reasons), r.provenance]
        for unit in r.units:
            out[(r.measure, unit)].append(line)
    return out


def expected_summary(db: Engine, run_id: str) -> list[list[Any]]:
    totals: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0), set()])
    for r in db_rows(db, run_id):
        for unit in r.units:
            entry = totals[(r.measure, unit)]
            entry[0] += 1
            entry[1] += r.amount_yuan or 0
            entry[2].add(r.amount_kind)
    measures = [m.id for m in default_rules().measures]
    titles = {m.id: m.title for m in default_rules().measures}
    ordered = sorted(totals.items(), key=lambda kv: (measures.index(kv[0][0]), kv[0][1]))
    return [[m, titles[m], u, n, amount(total), "、".join(KINDS[k] for k in sorted(kinds))]
            for (m, u), (n, total, kinds) in ordered]


def csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def sheets(path: Path, read_only: bool) -> list[tuple[str, list[list[Any]]]]:
    book = load_workbook(path, read_only=read_only)
    out = [(s.title, [list(r) + [None] * (len(HEADER) - len(r)) for r in s.iter_rows(values_only=True)])
           for s in book.worksheets]
    book.close()
    return out


def measure_folder(out: Path, measure: str) -> Path:
    (folder,) = out.glob(f"{measure}_*")
    return folder


@pytest.fixture
def run_id(db: Engine, registry: dict[str, Path]) -> str:
    """A real run, with a few rows made harder: a fractional amount, markup and blanks in a name,
    an enterprise of unknown locality (no local unit)."""
    run = start(db, RunSpec(registry["csv"], AS_OF, chunk_size=70))
    execute(db, run, workers=0, progress=False)
    rows = db_rows(db, run)
    with db.begin() as conn:
        first, second, third = rows[0], rows[len(rows) // 2], rows[-1]
        conn.execute(update(BatchResult).where(BatchResult.id == first.id).values(amount_yuan=Decimal("1234.56")))
        conn.execute(update(BatchResult).where(BatchResult.id == second.id)
                     .values(name=' A&B <厦门> "引号" \'单引号\' 公司  '))
        conn.execute(update(BatchResult).where(BatchResult.id == third.id)
                     .values(district=None, zone=None, units=[u for u in third.units if u not in LOCAL]))
    return run


def test_every_list_has_exactly_its_rows_from_the_database(db: Engine, run_id: str, tmp_path: Path) -> None:
    out = write_outputs(db, run_id, tmp_path)
    expected = expected_lists(db, run_id)
    assert len(expected) > 40 and sum(map(len, expected.values())) > 1000
    found = {(p.parent.name.split("_")[0], p.stem) for p in out.glob("*/*.xlsx")}
    assert found == set(expected)
    assert {(p.parent.name.split("_")[0], p.stem) for p in out.glob("*/*.csv")} == set(expected)
    values = {type(v) for lines in expected.values() for line in lines for v in line}
    assert {str, int, float, type(None)} <= values  # the check covers every kind of cell
    for (measure, unit), lines in expected.items():
        folder = measure_folder(out, measure)
        for read_only in (False, True):
            assert sheets(folder / f"{unit}.xlsx", read_only) == [("名单", [HEADER, *lines])], (measure, unit)
        text = (folder / f"{unit}.csv").read_bytes().decode("utf-8-sig")
        assert text == csv_text([HEADER, *([("" if v is None else v) for v in line] for line in lines)])


def test_summary_totals_come_from_the_database(db: Engine, run_id: str, tmp_path: Path) -> None:
    out = write_outputs(db, run_id, tmp_path)
    summary = expected_summary(db, run_id)
    header = ["措施", "名称", "经办单位", "企业数", "金额合计（元）", "金额类型"]
    rows = list(csv.reader(io.StringIO((out / "summary.csv").read_bytes().decode("utf-8-sig"))))
    assert rows == [header, *([str("" if v is None else v) for v in row] for row in summary)]
    book = load_workbook(out / "summary.xlsx")
    assert book.sheetnames == ["汇总"]
    assert [list(r) for r in book["汇总"].iter_rows(values_only=True)] == [header, *summary]


def test_city_lists_are_copies_identical_to_writing_each_unit(db: Engine, run_id: str, tmp_path: Path) -> None:
    out = write_outputs(db, run_id, tmp_path / "shared")
    plain = tmp_path / "plain"
    with db.connect() as conn:
        for measure in runs.measure_sizes(conn, run_id):
            with runs.results_of(conn, run_id, measure) as rows:
                write_each(rows, plain / measure_folder(out, measure).name)
    files = sorted(p.relative_to(plain) for p in plain.rglob("*.*"))
    assert files == sorted(p.relative_to(out) for p in out.glob("*/*.*"))
    assert all((out / f).read_bytes() == (plain / f).read_bytes() for f in files)
    copies = [m for m in runs.measure_sizes(db.connect(), run_id)
              if len([p for p in measure_folder(out, m).glob("*.xlsx") if p.stem not in LOCAL]) > 1]
    assert copies  # some measure really has several city units, so copying was exercised


def test_rows_naming_other_city_units_fall_back_to_one_list_per_unit(
    db: Engine, run_id: str, tmp_path: Path
) -> None:
    rows = db_rows(db, run_id)
    m33 = [r for r in rows if r.measure == "M33"]
    m30 = [r for r in rows if r.measure == "M30"]
    assert len(m33[0].units) > 3 and len(m30) > 2
    changes = [(m33[1], m33[1].units[1:]), (m33[2], [*m33[2].units, "市额外单位"])]  # one unit less, one more
    changes += [(r, [r.units[0], *r.units]) for r in m30]  # every M30 row names a unit twice: it lists each row twice
    with db.begin() as conn:
        for row, units in changes:
            conn.execute(update(BatchResult).where(BatchResult.id == row.id).values(units=units))
    out = write_outputs(db, run_id, tmp_path)
    expected = expected_lists(db, run_id)
    for measure in ("M33", "M30"):
        folder = measure_folder(out, measure)
        assert {p.stem for p in folder.glob("*.xlsx")} == {u for m, u in expected if m == measure}
        for (m, unit), lines in expected.items():
            if m == measure:
                assert sheets(folder / f"{unit}.xlsx", read_only=True) == [("名单", [HEADER, *lines])]
    assert len(expected[("M33", m33[1].units[0])]) == len(m33) - 1 and len(expected[("M33", "市额外单位")]) == 1
    assert len(expected[("M30", m30[0].units[0])]) == 2 * len(m30)
    summary = list(csv.reader(io.StringIO((out / "summary.csv").read_bytes().decode("utf-8-sig"))))[1:]
    assert summary == [[str("" if v is None else v) for v in row] for row in expected_summary(db, run_id)]


def test_long_lists_go_on_to_further_sheets(db: Engine, run_id: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lists, "EXCEL_MAX_ROWS", 40)
    out = write_outputs(db, run_id, tmp_path)
    longest = max(expected_lists(db, run_id).items(), key=lambda kv: len(kv[1]))
    (measure, unit), lines = longest
    assert len(lines) > 80
    found = sheets(measure_folder(out, measure) / f"{unit}.xlsx", read_only=False)
    names = ["名单", *(f"名单{k}" for k in range(2, (len(lines) + 39) // 40 + 1))]
    assert [title for title, _ in found] == names
    assert all(rows[0] == HEADER and len(rows) <= 41 for _, rows in found)
    assert [line for _, rows in found for line in rows[1:]] == lines


def test_writing_in_a_process_pool_gives_the_same_files(db: Engine, run_id: str, tmp_path: Path) -> None:
    one = write_outputs(db, run_id, tmp_path / "one", workers=1)
    two = write_outputs(db, run_id, tmp_path / "two", workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*.*"))
    assert len(files) > 80 and files == sorted(p.relative_to(two) for p in two.rglob("*.*"))
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_an_in_memory_database_is_written_without_the_pool(registry: dict[str, Path], tmp_path: Path) -> None:
    db = open_database("sqlite://")  # other processes could not see it
    run = start(db, RunSpec(registry["jsonl"], AS_OF, measures=["M30", "M33"]))
    execute(db, run, workers=0, progress=False)
    out = write_outputs(db, run, tmp_path, workers=2)
    expected = expected_lists(db, run)
    assert {m for m, _ in expected} == {"M30", "M33"}
    for (measure, unit), lines in expected.items():
        assert sheets(measure_folder(out, measure) / f"{unit}.xlsx", read_only=True) == [("名单", [HEADER, *lines])]
