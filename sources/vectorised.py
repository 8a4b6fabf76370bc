"""The common shapes of dates, whole numbers and money, converted in bulk by pyarrow (C++).

Each function takes the distinct raw cells of a CSV column (an arrow string array) and returns, per
cell, its contract value as JSON text (``"2025-01-15"``, ``12``, ``"123456.78"``), or null for every
cell it does not take on. It takes on only cells of a plainly written, ASCII shape whose conversion
it can do exactly as ``sources.values`` does; everything else (full-width digits, ``3.5人``, an
impossible date, money below a fen, …) is left null and goes through ``sources.values`` one by one,
so values and the Chinese reasons of rejected cells are the same either way (tests/sources/test_columns.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from sources.values import EXCEL_EPOCH, SERIAL_RANGE, UNITS

Bulk = Callable[[pa.Array], pa.Array]

_PAD = r"[ \t]*"  # spaces around a cell: str.strip() removes them too
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"  # values._TIME_TAIL
# values._DATE_FORMS in one pattern (ASCII digits only): RE2 has no backreferences, so whether the
# separators make one of the forms (2025-1-15, 2025/1/15, 2025.1.15, 2025年1月15日, 20250115) is
# checked after the match, in _ymd.
_DATE = (f"^{_PAD}(?P<y>[0-9]{{4}})(?P<a>[-/.年]?)(?P<m>[0-9]{{1,2}})(?P<b>[-/.月]?)(?P<d>[0-9]{{1,2}})(?P<c>日?)"
         f"{_TIME}{_PAD}$")
_SERIAL = f"^{_PAD}[0-9]{{5}}{_PAD}$"
_INTEGER = f"^{_PAD}-?[0-9]{{1,18}}{_PAD}$"
# Up to 15 integer digits and 6 decimals: the product by 10,000 stays far inside Decimal's 28 digits.
_MONEY = f"^{_PAD}(?P<i>[0-9]{{1,15}}|[0-9]{{1,3}}(?:,[0-9]{{3}}){{1,4}})(?:\\.(?P<f>[0-9]{{1,6}}))?{_PAD}$"
_DAYS = pa.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int8())
_EPOCH_DAYS = (EXCEL_EPOCH - dt.date(1970, 1, 1)).days


def _quoted(text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise('"', text, '"', "")


def _ymd(raw: pa.Array) -> pa.Array:
    """ISO dates (quoted) of the cells written in one of the forms that are real dates; null otherwise."""
    parts = pc.extract_regex(raw, _DATE)  # null where the pattern does not match
    y, a, m, b, d, c = (pc.struct_field(parts, name) for name in "yambdc")
    form = pc.or_(pc.and_(pc.and_(pc.equal(a, b), pc.is_in(a, value_set=pa.array(["-", "/", "."]))), pc.equal(c, "")),
                  pc.and_(pc.and_(pc.equal(a, "年"), pc.equal(b, "月")), pc.equal(c, "日")))
    packed = pc.and_(pc.and_(pc.equal(pc.binary_join_element_wise(a, b, c, ""), ""), pc.equal(pc.utf8_length(m), 2)),
                     pc.equal(pc.utf8_length(d), 2))  # 20250115
    year, month, day = (pc.cast(part, pa.int16()) for part in (y, m, d))
    leap = pc.and_(pc.equal(pc.bit_wise_and(year, 3), 0),
                   pc.or_(pc.not_equal(pc.remainder(year, 100), 0), pc.equal(pc.remainder(year, 400), 0)))
    known_month = pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))
    last = pc.add(pc.take(_DAYS, pc.if_else(known_month, month, 0)),
                  pc.cast(pc.and_(leap, pc.equal(month, 2)), pa.int8()))
    real = pc.and_(pc.and_(known_month, pc.greater_equal(year, 1)),
                   pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, last)))
    iso = pc.binary_join_element_wise(y, pc.utf8_lpad(m, 2, "0"), pc.utf8_lpad(d, 2, "0"), "-")
    # not a form, or an impossible date: null, and values.date says why
    return pc.if_else(pc.and_(pc.or_(form, packed), real), _quoted(iso), pa.nulls(len(raw), pa.string()))


def dates(raw: pa.Array) -> pa.Array:
    """``values.date`` for 2025-01-15, 2025/1/15, 2025年1月15日, 2025.1.15, 20250115 and 5-digit Excel serials."""
    serial = pc.if_else(pc.match_substring_regex(raw, _SERIAL), raw, pa.nulls(len(raw), pa.string()))
    number = pc.cast(pc.utf8_trim(serial, " \t"), pa.int32())
    in_range = pc.and_(pc.greater_equal(number, SERIAL_RANGE[0]), pc.less_equal(number, SERIAL_RANGE[1]))
    days = pc.cast(pc.cast(pc.add(number, _EPOCH_DAYS), pa.int32()), pa.date32())
    out = pc.if_else(in_range, _quoted(pc.cast(days, pa.string())), pa.nulls(len(raw), pa.string()))
    return pc.coalesce(out, _ymd(raw))


def integers(raw: pa.Array) -> pa.Array:
    """``values.integer`` for cells such as ``12``, ``-3``, ``007``."""
    plain = pc.if_else(pc.match_substring_regex(raw, _INTEGER), raw, pa.nulls(len(raw), pa.string()))
    return pc.cast(pc.cast(pc.utf8_trim(plain, " \t"), pa.int64()), pa.string())


def money(unit: str) -> Bulk:
    """``values.money(unit)`` for cells such as ``1200``, ``1,200.5``, ``0.000001``: exact yuan, quoted."""
    shift = len(str(UNITS[unit])) - 1  # the decimal point moves right: 元 0 places, 万元 4
    assert UNITS[unit] == Decimal(10) ** shift

    def parse(raw: pa.Array) -> pa.Array:
        parts = pc.extract_regex(raw, _MONEY)
        whole = pc.replace_substring(pc.struct_field(parts, "i"), ",", "")
        decimals = pc.utf8_rtrim(pc.struct_field(parts, "f"), "0")
        # below a fen (more than shift + 2 decimals left): values.money gives the reason
        exact = pc.less_equal(pc.utf8_length(decimals), shift + 2)
        padded = pc.utf8_rpad(decimals, shift, "0")
        integral = pc.utf8_ltrim(pc.binary_join_element_wise(whole, pc.utf8_slice_codeunits(padded, 0, shift), ""),
                                 "0")
        integral = pc.if_else(pc.equal(integral, ""), "0", integral)
        fraction = pc.utf8_slice_codeunits(padded, shift)
        fraction = pc.if_else(pc.equal(fraction, ""), "", pc.binary_join_element_wise(".", fraction, ""))
        yuan = _quoted(pc.binary_join_element_wise(integral, fraction, ""))
        return pc.if_else(exact, yuan, pa.nulls(len(raw), pa.string()))

    return parse


def bulk(kind: type, unit: str, date_format: str | None) -> Bulk | None:
    """The bulk conversion of a column of ``kind``; None when cells go one by one (flags, words, text:
    few distinct values, or values whose rules are not worth repeating here)."""
    if kind is dt.date and date_format is None:
        return dates
    if kind is int:
        return integers
    if kind is Decimal:
        return money(unit)
    return None

