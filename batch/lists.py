"""One measure's lists, one per handling unit: the city list is written once, the local lists partition it.

Each result row names its handling units as ``[*city, *local]`` (batch/worker.py): first the
measure's city units, the same for every row of a run, then at most one local unit, the district
government or the 自贸委 / 火炬管委会 of the enterprise's locality (engine/units.py, rules/units.yaml).
So every city unit of a measure gets the identical full list: it is written once, under the first
city unit's name, and the finished files are copied for the others. Local units are told apart by
name (``LocalUnits.all_local_units``). Should the city units ever differ between the rows of one
measure (say, a run stored under other rules), that measure is written again the plain way, one
list per unit, so the files are always what per-unit writing gives.

Each result row is made a list line once, for every list it goes to: its cells, its workbook markup
(``xlsx_stream.Markup``, numbered in each workbook), its CSV text and its amount, a block of rows at a
time; the lists take their lines a block at a time. The files are byte for byte what writing each line
to each list with ``csv.writer`` and ``XlsxStream.add`` gave (tests/batch/test_lists_identical.py keeps
that writer to compare with); a line costs about half the CPU it did (bench/lists_bench.py).
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from batch.cells import FORMULA_START
from batch.xlsx_stream import SHEET_ROWS, Markup, XlsxStream
from store import runs

HEADER = ["企业名称", "统一社会信用代码", "所在区", "功能区", "金额类型", "金额（元）", "算式", "依据（符合的条件）",
          "数据来源"]
KIND_LABEL = {"exact": "确定金额", "up_to": "最高金额", "share": "比例（预付款等）", "none": "无金额"}
EXCEL_MAX_ROWS = SHEET_ROWS - 1  # data rows per worksheet: one row for the header
SHEET_TITLE = "名单"
BLOCK = 2048  # result rows made lines at a time
BOM = "\ufeff".encode()
_FORMULA = frozenset(FORMULA_START)


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def safe_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "_"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text or "\n" in text or "\r" in text else text


def csv_line(cells: Sequence[Any]) -> str:
    """One CSV line exactly as ``csv.writer`` (the excel dialect) writes it, CRLF included: a field
    with a comma, a quote or a line break quoted (quotes doubled), None empty, other values by ``str``.
    tests/batch/test_lists_identical.py holds it to the csv module."""
    texts = [v if isinstance(v, str) else "" if v is None else str(v) for v in cells]
    line = ",".join(texts)
    if line.count(",") >= len(texts) or '"' in line or "\n" in line or "\r" in line:
        line = ",".join(map(_quoted, texts))
    elif line == "" and len(texts) == 1:
        line = '""'  # a lone empty field, which would read back as no field at all
    return line + "\r\n"


def list_line(row: Sequence[Any]) -> list[Any]:
    """A result row (``runs.LIST_COLUMNS``) as a list line, in ``HEADER`` order: text that looks like a formula
    made inert (``batch.cells.safe_cell``, written out: a call per cell cost more than the rest of the line).
    The text columns hold str or None."""
    name, code, district, zone, kind, amount, formula, reasons, _, provenance = row
    reasons = "；".join(reasons)
    unsafe = _FORMULA
    return [name if not name or name[0] not in unsafe else "'" + name,
            code if not code or code[0] not in unsafe else "'" + code,
            district if not district or district[0] not in unsafe else "'" + district,
            zone if not zone or zone[0] not in unsafe else "'" + zone,
            KIND_LABEL.get(kind, kind), None if amount is None else number(amount),
            formula if not formula or formula[0] not in unsafe else "'" + formula,
            reasons if not reasons or reasons[0] not in unsafe else "'" + reasons,
            provenance if not provenance or provenance[0] not in unsafe else "'" + provenance]


@dataclass
class Lines:
    """Result rows made list lines once, for every list they go to."""

    cells: list[list[Any]]
    xml: list[bytes | None]  # each line's workbook markup (``Markup.encode``)
    texts: list[str]  # each line's CSV text
    amounts: list[Decimal | None]
    kinds: list[str]

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]], markup: Markup) -> Lines:
        cells = [list_line(row) for row in rows]
        return cls(cells, markup.encode(cells), list(map(csv_line, cells)), [row[5] for row in rows],
                   [row[4] for row in rows])

    def pick(self, indices: list[int]) -> Lines:
        if len(indices) == len(self.cells):
            return self
        return Lines([self.cells[i] for i in indices], [self.xml[i] for i in indices],
                     [self.texts[i] for i in indices], [self.amounts[i] for i in indices],
                     [self.kinds[i] for i in indices])


def blocks(rows: Iterable[Any], size: int = BLOCK) -> Iterator[list[Any]]:
    found = iter(rows)
    while block := list(islice(found, size)):
        yield block


@dataclass
class Total:
    """A list's count, amount total and amount kinds, for the summary."""

    count: int = 0
    amount: Decimal = Decimal(0)
    kinds: set[str] = field(default_factory=set)

    def add(self, lines: Lines) -> None:
        self.count += len(lines.kinds)
        self.amount = sum(filter(None, lines.amounts), self.amount)  # in order, as adding each row did
        self.kinds.update(lines.kinds)


class ListFiles:
    """One unit's list: an .xlsx and a .csv (UTF-8 with BOM) with the same lines, written as they arrive."""

    def __init__(self, folder: Path, unit: str, header: list[str] = HEADER) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.xlsx = folder / f"{safe_name(unit)}.xlsx"
        self.csv = folder / f"{safe_name(unit)}.csv"
        self.book = XlsxStream(self.xlsx, SHEET_TITLE, header, rows_per_sheet=EXCEL_MAX_ROWS)
        self.handle = self.csv.open("wb")
        self.handle.write(BOM + csv_line(header).encode())

    def write(self, line: list[Any]) -> None:
        self.book.add(line)
        self.handle.write(csv_line(line).encode())

    def write_lines(self, lines: Lines) -> None:
        self.book.add_encoded(lines.cells, lines.xml)
        self.handle.write("".join(lines.texts).encode())

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

    def add(self, lines: Lines) -> None:
        self.write_lines(lines)
        self.total.add(lines)


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
    where: dict[tuple[str, ...], list[str]] = {}  # a row's units -> its local units
    markup = Markup()
    try:
        for block in blocks(rows):
            picks: defaultdict[str, list[int]] = defaultdict(list)
            for i, row in enumerate(block):
                units = tuple(row[8])
                if (mine := where.get(units)) is None:
                    here = tuple(u for u in units if u not in local_units)
                    if city is None:
                        if len(set(here)) != len(here):  # a unit named twice gets the row twice: the plain way
                            raise _MixedCityUnits
                        city = here
                        shared = UnitList(folder, city[0]) if city else None
                    elif here != city:
                        raise _MixedCityUnits
                    mine = where[units] = [u for u in units if u in local_units]
                for unit in mine:
                    picks[unit].append(i)
            lines = Lines.of(block, markup)
            if shared is not None:
                shared.add(lines)
            for unit, indices in picks.items():
                if unit not in local:
                    local[unit] = UnitList(folder, unit)
                local[unit].add(lines.pick(indices))
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
    markup = Markup()
    try:
        for block in blocks(rows):
            picks: defaultdict[str, list[int]] = defaultdict(list)
            for i, row in enumerate(block):
                for unit in row[8]:
                    picks[unit].append(i)
            lines = Lines.of(block, markup)
            for unit, indices in picks.items():
                if unit not in lists:
                    lists[unit] = UnitList(folder, unit)
                lists[unit].add(lines.pick(indices))
    finally:
        for unit_list in lists.values():
            unit_list.close()
    return {unit: unit_list.total for unit, unit_list in lists.items()}
