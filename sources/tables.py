"""A department's file as a table: its header and its rows, each with the row number a person sees.

``.xlsx`` is read with python-calamine (a named sheet or the first); ``.csv`` in UTF-8 (BOM or not)
or GB18030/GBK, detected (``sources.encoding``). The header row is found, not assumed: merged title
rows above it ("厦门市市场主体登记信息（导出日期…）") are skipped. Row numbers are the sheet's row
(xlsx) or the file's line (csv), counted from 1, so a report points at what the user opens.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sources.encoding import decode
from sources.vocab import folded

SCAN_ROWS = 30  # a header is looked for in the first rows only
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class TableError(ValueError):
    """A file or sheet that cannot be read as a table; the message is Chinese and names the file."""


@dataclass
class Table:
    file: str  # the file's name
    sheet: str | None  # the sheet read (xlsx)
    header: list[str]
    header_row: int
    encoding: str | None  # csv
    rows: Iterator[tuple[int, list[Any]]]  # (row number, cells) after the header, blank rows skipped
    text: str | None = None  # csv: the whole file, decoded once (sources.columns reads it again column-wise)

    def close(self) -> None:
        self.text = None


def _filled(cells: list[Any]) -> int:
    return sum(1 for c in cells if c is not None and str(c).strip() != "")


def _any_filled(cells: list[Any]) -> bool:
    """``_filled(cells) > 0``, stopping at the first filled cell (a number, a date… is never blank text)."""
    return any(c is not None and (c.__class__ is not str or c.strip() != "") for c in cells)


def _header_index(head: list[list[Any]], expect: Iterable[str], file: str) -> int:
    """The index of the header among the first rows: the first holding an expected header, else the
    first row of text cells as wide as the widest row (title rows have a single filled cell)."""
    wanted = {folded(e) for e in expect}
    if wanted:
        for index, cells in enumerate(head):
            if wanted & {folded(str(c)) for c in cells if c is not None}:
                return index
        raise TableError(f"{file}：前 {SCAN_ROWS} 行中找不到表头（应含列“{'”或“'.join(sorted(expect))}”）")
    widest = max((_filled(r) for r in head), default=0)
    for index, cells in enumerate(head):
        filled = _filled(cells)
        if filled >= 2 and filled * 2 >= widest and all(isinstance(c, str) for c in cells if c not in (None, "")):
            return index
    raise TableError(f"{file}：找不到表头行（应为一行列名）")


def _split(rows: Iterator[tuple[int, list[Any]]], header_row: int | None, expect: Iterable[str],
           file: str) -> tuple[list[str], int, Iterator[tuple[int, list[Any]]]]:
    head: list[tuple[int, list[Any]]] = []
    for numbered in rows:
        head.append(numbered)
        if len(head) >= (header_row or SCAN_ROWS):
            break
    if header_row is not None:
        index = next((i for i, (n, _) in enumerate(head) if n == header_row), None)
        if index is None:
            raise TableError(f"{file}：没有第 {header_row} 行（表头行）")
    else:
        index = _header_index([cells for _, cells in head], expect, file)
    header = [("" if c is None else str(c)).strip() for c in head[index][1]]
    while header and header[-1] == "":
        header.pop()

    def body() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in itertools.chain(head[index + 1:], rows):
            if _any_filled(cells):
                yield number, cells

    return header, head[index][0], body()


def _xlsx(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[Any]]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken or encrypted files
        raise TableError(f"{path.name}：无法读取 Excel 文件（{exc}）") from None
    names = book.sheet_names
    if sheet is not None and sheet not in names:
        raise TableError(f"{path.name}：没有工作表“{sheet}”（有：{'、'.join(names)}）")
    if not names:
        raise TableError(f"{path.name}：没有工作表")
    chosen = book.get_sheet_by_name(sheet or names[0])
    start = chosen.start[0] + 1 if chosen.start else 1  # calamine's first used row (0-based)
    return chosen.name, enumerate(chosen.iter_rows(), start=start)


def open_table(path: Path, sheet: str | None = None, encoding: str = "auto", header_row: int | None = None,
               expect: Iterable[str] = ()) -> Table:
    """The table in ``path``; ``expect`` (headers the mapping names) helps find the header row."""
    if not path.exists():
        raise TableError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        name, rows = _xlsx(path, sheet)
        header, at, body = _split(rows, header_row, expect, f"{path.name}[{name}]")
        return Table(path.name, name, header, at, None, body)
    if suffix in (".csv", ".txt"):
        if encoding == "auto":
            chosen, text = decode(path)
        else:
            chosen, text = encoding, path.read_bytes().decode(encoding)
        reader = csv.reader(io.StringIO(text, newline=""))
        header, at, body = _split(((reader.line_num, row) for row in reader), header_row, expect, path.name)
        return Table(path.name, None, header, at, chosen, body, text)
    raise TableError(f"{path.name}：不支持的文件类型（应为 .xlsx 或 .csv）")
