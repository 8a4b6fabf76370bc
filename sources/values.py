"""Cell values as department exports write them -> contract values (money in yuan, ISO dates, true/false).

Every parser takes a raw cell (``str`` from CSV; ``str``, ``int``, ``float``, ``bool``, ``date`` or
``datetime`` from xlsx) and returns the contract value as JSON text or number, or raises
``CellError`` with a Chinese reason. Money stays exact: a 万元 figure is read as a decimal from its
written digits (an xlsx float through its shortest repr, which is what was typed) and must come
to whole fen.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

BLANKS = frozenset({"", "-", "--", "—", "——", "/", "／", "NULL", "null", "None", "#N/A"})
UNITS = {"元": Decimal(1), "万元": Decimal(10_000)}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900 leap-year bug (serials > 60)
SERIAL_RANGE = (20_000, 80_000)  # 1954-10-03 .. 2119-01-10: the serials an enterprise date can be
TRUE_WORDS = frozenset({"是", "有", "Y", "YES", "TRUE", "1", "√", "✓", "T"})
FALSE_WORDS = frozenset({"否", "无", "N", "NO", "FALSE", "0", "×", "✗", "F"})
_SEPARATORS = re.compile(r"[,\s']")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),  # 2025-01-15
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),  # 2025/1/15
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),  # 2025年1月15日
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),  # 2025.1.15
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20250115
)
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")  # "2025-01-15 00:00:00" from a datetime cell


class CellError(ValueError):
    """A cell that cannot be read as its column says; the message is the Chinese reason."""


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() in BLANKS)


def _text(raw: Any) -> str:
    """NFKC (full-width digits and signs to ASCII), trimmed."""
    return unicodedata.normalize("NFKC", str(raw)).strip()


def _decimal(raw: Any, what: str) -> Decimal:
    if isinstance(raw, bool):
        raise CellError(f"{what}应为数字，不是“{'是' if raw else '否'}”")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError(f"{what}应为数字")
        return Decimal(repr(raw))  # the shortest repr is the number as typed into the sheet
    text = _SEPARATORS.sub("", _text(raw))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CellError(f"{what}应为数字，“{raw}”无法识别") from None


def money(unit: str) -> Callable[[Any], str]:
    """A parser of money written in ``unit`` (元 or 万元), giving exact yuan as text."""
    factor = UNITS[unit]

    def parse(raw: Any) -> str:
        if isinstance(raw, str):
            text = _text(raw).removesuffix(unit).removesuffix("元").removeprefix("¥").removeprefix("￥")
        else:
            text = raw
        value = _decimal(text, "金额") * factor
        if value != value.quantize(Decimal("0.01")):
            raise CellError(f"金额“{raw}”（{unit}）折合 {value} 元，超过分的精度")
        return format(value.normalize(), "f")

    return parse


def integer(raw: Any) -> int:
    if isinstance(raw, str):
        raw = _text(raw).removesuffix("人").removesuffix("个月").removesuffix("月")
    value = _decimal(raw, "")
    if value != value.to_integral_value():
        raise CellError(f"应为整数，“{raw}”不是整数")
    return int(value)


def boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = _text(raw).upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"应为 是/否，“{raw}”无法识别")


def _serial(number: float) -> dt.date:
    if number != int(number) or not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        raise CellError(f"日期“{number}”不是有效的 Excel 日期序号")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def date(raw: Any) -> str:
    """2025-01-15, 2025/1/15, 2025年1月15日, 2025.1.15, 20250115, an Excel serial or a date cell -> ISO."""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, bool):
        raise CellError("日期无法识别")
    if isinstance(raw, int | float):
        return _serial(raw).isoformat()
    text = _TIME_TAIL.sub("", _text(raw))
    if text.isdigit() and len(text) == 5:
        return _serial(int(text)).isoformat()
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups())).isoformat()
            except ValueError:
                raise CellError(f"日期“{raw}”不存在") from None
    raise CellError(f"日期“{raw}”无法识别（可写 2025-01-15、2025/1/15、2025年1月15日 或 Excel 日期）")


def text(raw: Any) -> str:
    if isinstance(raw, float) and raw == int(raw):
        return str(int(raw))  # a number typed into a text column (e.g. a code) came back as float
    return str(raw).strip()


def code(raw: Any) -> str:
    """A code (credit code, industry code): full-width to ASCII, no spaces, upper case."""
    return _SEPARATORS.sub("", _text(text(raw))).upper()
