"""Text for spreadsheet cells that can never become a live formula (CSV / formula injection).

Excel, WPS and LibreOffice read a cell that starts with ``= + - @`` (or a tab or carriage return,
which they skip) as a formula, so an enterprise named ``=HYPERLINK(...)`` in a registry export would
turn into a link or a command in a unit's list. Following OWASP's advice such text is prefixed with a
single quote, which spreadsheets show as plain text. Used by every CSV and workbook huiqi writes from
data it was given: the batch lists, error report and diff, and the console's log export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with text a spreadsheet would read as a formula prefixed by ``'``; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
