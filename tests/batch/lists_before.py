"""The list writer as it was before issue 14's speed work (main at c2974c7), kept verbatim but for the
imports: the reference the new batch/lists.py must match byte for byte (tests/batch/test_lists_identical.py)
and the baseline of bench/lists_bench.py. With tests/batch/xlsx_before.py (the old batch/xlsx_stream.py)
it uses nothing of the code it checks.

Original docstring:

One measure's lists, one per handling unit: the city list is written once, the local lists partition it.

Each result row names its handling units as ``[*city, *local]`` (batch/worker.py): first the
measure's city units, the same for every row of a run, then at most one local unit, the district
government or the 自贸委 / 火炬管委会 of the enterprise's locality (engine/units.py, rules/units.yaml).
So every city unit of a measure gets the identical full list: it is written once, under the first
city unit's name, and the finished files are copied for the others. Local units are told apart by
name (``LocalUnits.all_local_units``). Should the city units ever differ between the rows of one
measure (say, a run stored under other rules), that measure is written again the plain way, one
list per unit, so the files are always what per-unit writing gives.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from store.models import BatchResult
from tests.batch.xlsx_before import SHEET_ROWS, XlsxStream

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class runs:  # noqa: N801 - stands in for store.runs as it was
    @staticmethod
    def results_of(conn: Any, run_id: str, measure: str | None = None) -> Any:
        query = select(BatchResult.__table__).where(BatchResult.run_id == run_id)
        if measure is not None:
            query = query.where(BatchResult.measure == measure)
        return conn.execution_options(yield_per=5000).execute(
            query.order_by(BatchResult.measure, BatchResult.credit_code))

HEADER = ["企业名称", "统一社会信用代码", "所在区", "功能区", "金额类型", "金额（元）", "算式", "依据（符合的条件）",
          "数据来源"]
KIND_LABEL = {"exact": "确定金额", "up_to": "最高金额", "share": "比例（预付款等）", "none": "无金额"}
EXCEL_MAX_ROWS = SHEET_ROWS - 1  # data rows per worksheet: one row for the header
SHEET_TITLE = "名单"


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def safe_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "_"


def list_line(row: Any) -> list[Any]:
    """A result row as a list line, in ``HEADER`` order (text that looks like a formula made inert)."""
    return [safe_cell(row.name), safe_cell(row.credit_code), safe_cell(row.district), safe_cell(row.zone),
            KIND_LABEL.get(row.amount_kind, row.amount_kind), number(row.amount_yuan), safe_cell(row.formula),
            safe_cell("；".join(row.reasons)), safe_cell(row.provenance)]


@dataclass
class Total:
    """A list's count, amount total and amount kinds, for the summary."""

    count: int = 0
    amount: Decimal = Decimal(0)
    kinds: set[str] = field(default_factory=set)

    def add(self, row: Any) -> None:
        self.count += 1
        self.amount += row.amount_yuan or 0
        self.kinds.add(row.amount_kind)


class ListFiles:
    """One unit's list: an .xlsx and a .csv (UTF-8 with BOM) with the same lines, written as they arrive."""

    def __init__(self, folder: Path, unit: str, header: list[str] = HEADER) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.xlsx = folder / f"{safe_name(unit)}.xlsx"
        self.csv = folder / f"{safe_name(unit)}.csv"
        self.book = XlsxStream(self.xlsx, SHEET_TITLE, header, rows_per_sheet=EXCEL_MAX_ROWS)
        self.handle = self.csv.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(header)

    def write(self, line: list[Any]) -> None:
        self.book.add(line)
        self.writer.writerow(line)

    def close(self) -> None:
        self.book.close()
        self.handle.close()

    def copy_for(self, unit: str) -> None:
        """The finished files again under another unit's name."""
        for source in (self.xlsx, self.csv):
            target = self.folder / f"{safe_name(unit)}{source.suffix}"
            if target != source:
                shutil.copyfile(source, target)


class UnitList(ListFiles):
    """One unit's list of one measure's eligible enterprises, with its count and total for the summary."""

    def __init__(self, folder: Path, unit: str) -> None:
        super().__init__(folder, unit)
        self.total = Total()

    def add(self, row: Any, line: list[Any]) -> None:
        self.write(line)
        self.total.add(row)


class _MixedCityUnits(Exception):
    """The rows of one measure do not all name the same city units."""


def write_measure(conn: Any, run_id: str, measure: str, folder: Path, local_units: frozenset[str]) -> dict[str, Total]:
    """Write ``measure``'s lists of ``run_id`` under ``folder``; the total of each unit's list."""
    try:
        with runs.results_of(conn, run_id, measure) as rows:
            return _write_shared(rows, folder, local_units)
    except _MixedCityUnits:
        shutil.rmtree(folder, ignore_errors=True)  # what the shared pass wrote, if anything
        with runs.results_of(conn, run_id, measure) as rows:
            return write_each(rows, folder)


def _write_shared(rows: Iterable[Any], folder: Path, local_units: frozenset[str]) -> dict[str, Total]:
    city: tuple[str, ...] | None = None
    shared: UnitList | None = None
    local: dict[str, UnitList] = {}
    try:
        for row in rows:
            here = tuple(u for u in row.units if u not in local_units)
            if city is None:
                if len(set(here)) != len(here):  # a unit named twice gets the row twice: the plain way
                    raise _MixedCityUnits
                city = here
                shared = UnitList(folder, city[0]) if city else None
            elif here != city:
                raise _MixedCityUnits
            line = list_line(row)
            if shared is not None:
                shared.add(row, line)
            for unit in row.units:
                if unit in local_units:
                    if unit not in local:
                        local[unit] = UnitList(folder, unit)
                    local[unit].add(row, line)
    finally:
        for unit_list in [shared, *local.values()]:
            if unit_list is not None:
                unit_list.close()
    totals = {unit: unit_list.total for unit, unit_list in local.items()}
    if shared is not None and city:
        for unit in city[1:]:
            shared.copy_for(unit)
        totals.update(dict.fromkeys(city, shared.total))
    return totals


def write_each(rows: Iterable[Any], folder: Path) -> dict[str, Total]:
    """The plain way: every unit named in a row gets its own list, written row by row."""
    lists: dict[str, UnitList] = {}
    try:
        for row in rows:
            line = list_line(row)
            for unit in row.units:
                if unit not in lists:
                    lists[unit] = UnitList(folder, unit)
                lists[unit].add(row, line)
    finally:
        for unit_list in lists.values():
            unit_list.close()
    return {unit: unit_list.total for unit, unit_list in lists.items()}
