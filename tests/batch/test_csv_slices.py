"""A CSV folder read chunk by chunk in the workers (``CsvIndex.slices`` + ``records_of``) gives exactly
the records the placement rule of a CSV folder asks for, cut into the same chunks as a one-pass reading:
the same records, child rows, strays, duplicates and errors.

The expected records are worked out here straight from the CSV files, plainly, by the rule the README
states: enterprises in (credit code, line) order; a child row belongs to the first enterprise of its
(non-empty) code; any other child row is reported on the first enterprise whose code sorts after it,
or on a last record of its own; an enterprise repeating the code before it is a duplicate.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect_right
from pathlib import Path
from typing import Any

import pytest

from batch.csv_index import CsvIndex, records_of
from batch.records import Record, Stray
from batch.runner import chunks
from batch.schema import unflatten

HEADER = "credit_code,name,employees"
HIRES = "credit_code,birth_date,hired_on"
LOANS = "credit_code,amount_yuan"


def _folder(root: Path, enterprises: list[str], hires: list[str], loans: list[str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "enterprises.csv").write_text("\n".join([HEADER, *enterprises]) + "\n", encoding="utf-8")
    (root / "hires.csv").write_text("\n".join([HIRES, *hires]) + "\n", encoding="utf-8")
    if loans is not None:
        (root / "loans.csv").write_text("\n".join([LOANS, *loans]) + "\n", encoding="utf-8")
    return root


def _by_slices(index: CsvIndex, size: int) -> list[list[object]]:
    parts = index.slices(size)
    assert [p.number for p in parts] == list(range(len(parts)))
    return [records_of(index.files, part) for part in parts]


def _rows(file: Path) -> list[tuple[str, int, dict[str, Any] | None, str | None]]:
    """(code, line, cells, error) of each row, sorted by (code, line)."""
    out = []
    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        for row in reader:
            if len(row) != len(header):
                out.append(("", reader.line_num, None, f"列数为 {len(row)}，表头有 {len(header)} 列"))
                continue
            cells = dict(zip(header, row, strict=True))
            out.append(((cells.get("credit_code") or "").strip().upper(), reader.line_num, cells, None))
    return sorted(out, key=lambda r: (r[0], r[1]))


def _expected(folder: Path) -> list[Record]:
    tables = [f.stem for f in (folder / "hires.csv", folder / "loans.csv") if f.exists()]
    enterprises = _rows(folder / "enterprises.csv")
    codes = [code for code, _, _, _ in enterprises]
    known = {code for code in codes if code}
    children = {table: _rows(folder / f"{table}.csv") for table in tables}
    strays: dict[int, list[Stray]] = {}
    for table in tables:
        for code, line, _, _ in children[table]:
            if not code or code not in known:
                reason = ("缺少统一社会信用代码，无法归属企业" if not code
                          else f"enterprises.csv 中没有统一社会信用代码为 {code} 的企业")
                strays.setdefault(bisect_right(codes, code), []).append(
                    Stray(f"{table}.csv", line, code or None, "credit_code", reason))
    records = []
    first_line: dict[str, int] = {}
    for position, (code, line, cells, error) in enumerate(enterprises):
        if code and code in first_line:
            reason = f"统一社会信用代码重复（首次出现于第 {first_line[code]} 行）"
            record = Record("enterprises.csv", line, {"credit_code": code}, ("credit_code", reason))
        else:
            first_line.setdefault(code, line)
            data = {} if cells is None else unflatten(cells)
            problem = None if error is None else ("", error)
            origins: dict[str, list[tuple[str, int]]] = {}
            for table in tables:
                mine = [c for c in children[table] if code and c[0] == code]
                items = []
                for number, (_, child_line, child_cells, child_error) in enumerate(mine):
                    if child_error is not None and problem is None:
                        problem = (f"{table}[{number}]", f"{table}.csv 第 {child_line} 行：{child_error}")
                    item = {} if child_cells is None else unflatten(child_cells, f"{table}.")
                    item.pop("credit_code", None)
                    items.append(item)
                    origins.setdefault(table, []).append((f"{table}.csv", child_line))
                data[table] = items
            record = Record("enterprises.csv", line, data, problem, origins)
        record.strays = strays.get(position, [])
        records.append(record)
    if len(enterprises) in strays:
        records.append(Record("enterprises.csv", 0, None, None, None, strays[len(enterprises)]))
    return records


def _agree(folder: Path, sizes: range) -> None:
    expected = _expected(folder)
    index = CsvIndex(folder)
    try:
        assert list(index.records()) == expected
        for size in sizes:
            wanted = [batch for _, batch in chunks(expected, size)]
            assert _by_slices(index, size) == wanted, f"chunk size {size}"
            assert [p.count for p in index.slices(size)] == [sum(r.counted for r in batch) for batch in wanted]
    finally:
        index.close()


def test_strays_duplicates_and_empty_codes_fall_in_the_same_chunks(tmp_path: Path) -> None:
    enterprises = [
        "B2,乙,3", ",无代码甲,1", "D4,丁,5", "B2,乙重复,3", ",无代码乙,2", "F6,戊,7", "D4,丁重复,9",
        "H8,庚,1,多一列", "J9,辛,2",
    ]
    hires = [
        "A1,1990-01-01,2025-03-01",     # before every enterprise: a stray on the first coded one
        ",1991-01-01,2025-03-01",       # no code: a stray
        "B2,1992-01-01,2025-03-01", "B2,1993-01-01,2025-04-01",
        "C3,1994-01-01,2025-03-01",     # between B2 and D4
        "D4,1995-01-01,2025-03-01,多",  # a child row with the wrong number of cells
        "F6,1996-01-01,2025-03-01",
        "Z9,1997-01-01,2025-03-01", "ZZ,1998-01-01,2025-03-01",  # after every enterprise
    ]
    loans = ["B2,100000", "E5,5000", "J9,3000", "K1,1"]
    _agree(_folder(tmp_path / "a", enterprises, hires, loans), range(1, 13))


def test_leftover_child_rows_after_a_full_last_chunk_make_a_chunk_of_their_own(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "b", ["A1,甲,1", "B2,乙,2", "C3,丙,3", "D4,丁,4"], ["Z1,1990-01-01,2025-01-01"])
    index = CsvIndex(folder)
    try:
        parts = index.slices(2)
        assert [p.count for p in parts] == [2, 2, 0]
        assert records_of(index.files, parts[-1])[0].strays[0].line == 2
    finally:
        index.close()
    _agree(folder, range(1, 6))


def test_only_empty_codes_or_no_enterprises(tmp_path: Path) -> None:
    _agree(_folder(tmp_path / "c", [",甲,1", ",乙,2", ",丙,3"], [",1990-01-01,2025-01-01", "A1,1990-01-01,2025-01-01"]),
           range(1, 5))
    _agree(_folder(tmp_path / "d", [], ["A1,1990-01-01,2025-01-01"]), range(1, 3))
    _agree(_folder(tmp_path / "e", [], []), range(1, 3))


@pytest.mark.parametrize("seed", range(6))
def test_random_folders(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    codes = [rng.choice(["", "a1 ", "A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8"]) for _ in range(40)]
    enterprises = [f"{c},企业{i},{i}" for i, c in enumerate(codes)]
    hires = [f"{rng.choice(codes + ['', 'A9', 'Q1'])},1990-01-01,2025-01-01" for _ in range(60)]
    loans = [f"{rng.choice(codes + ['Z0', ''])},{rng.randint(1, 9)}" for _ in range(25)]
    _agree(_folder(tmp_path / "r", enterprises, hires, loans), range(1, 45, 3))


def test_repeated_columns_nested_and_boolean_cells(tmp_path: Path) -> None:
    """The index keeps each row's cells in header order (the header once per file): a column that
    appears twice counts once, where it first stands, with its last cell, as a dict of the row had it."""
    root = tmp_path / "f"
    root.mkdir()
    (root / "enterprises.csv").write_text(
        "credit_code,name,foreign_trade,name,employees,credit_code\n"
        "B2,甲,是,乙,3,A1\n,丙,否,,1,C3\nx,丁,,,,\nA1,戊,true,己,2,B2\nD4,庚\n", encoding="utf-8")
    (root / "hires.csv").write_text(
        "credit_code,insurance_months.pension,registered_unemployed,insurance_months.unemployment,birth_date\n"
        "A1,12,是,,1990-01-01\nB2,,否,3,\nC3,1,,2,1991-01-01\nb2 ,,,,\n,5,是,5,\nA1,1\n", encoding="utf-8")
    _agree(root, range(1, 7))
