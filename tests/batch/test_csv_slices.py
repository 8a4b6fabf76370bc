"""A CSV folder read chunk by chunk in the workers (``CsvIndex.slices`` + ``records_of``) gives exactly
the chunks of the one-pass merge: the same records, child rows, strays, duplicates and errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from batch.csv_index import CsvIndex, records_of
from batch.runner import chunks

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


def _by_merge(index: CsvIndex, size: int) -> list[list[object]]:
    return [batch for _, batch in chunks(index.records(), size)]


def _agree(folder: Path, sizes: range) -> None:
    index = CsvIndex(folder)
    try:
        for size in sizes:
            assert _by_slices(index, size) == _by_merge(index, size), f"chunk size {size}"
            assert [p.count for p in index.slices(size)] == [
                sum(r.counted for r in batch) for batch in _by_merge(index, size)]
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
