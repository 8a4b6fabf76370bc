"""Dates, whole numbers and money converted in bulk give exactly what sources.values gives, or step aside."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sources import values, vectorised

DIGITS = st.text("0123456789", min_size=1, max_size=8)
PIECES = st.sampled_from(["-", "/", ".", "年", "月", "日", " ", "\t", "T", ":", ",", "０", "１", "人", "元", "万元",
                          "e", "+", "-0", "NULL", "\u3000"])
CELLS = st.lists(st.one_of(DIGITS, PIECES), min_size=1, max_size=8).map("".join)
DATES = st.tuples(st.integers(0, 2200), st.integers(0, 13), st.integers(0, 32),
                  st.sampled_from([("-", "-", ""), ("/", "/", ""), (".", ".", ""), ("年", "月", "日"), ("", "", ""),
                                   ("-", "/", ""), ("年", "月", "")]),
                  st.sampled_from(["", " 00:00:00", "T10:30", " 9:05:01.5", "  "]), st.booleans()).map(
    lambda t: f"{t[0]:04d}{t[3][0]}{t[1]:0{1 + t[5]}d}{t[3][1]}{t[2]:0{1 + t[5]}d}{t[3][2]}{t[4]}")


def _agrees(bulk: Callable[[pa.Array], pa.Array], scalar: Callable[[Any], Any], cells: list[str]) -> int:
    """How many cells the bulk conversion took on; each must be what the scalar one gives."""
    taken = 0
    for cell, fast in zip(cells, bulk(pa.array(cells, pa.string())).to_pylist(), strict=True):
        if fast is None:
            continue
        taken += 1
        assert not values.is_blank(cell)
        assert orjson.loads(fast) == scalar(cell), cell
    return taken


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CELLS, DATES, st.integers(15_000, 90_000).map(str)), min_size=1, max_size=40))
def test_dates_in_bulk_are_values_date(cells: list[str]) -> None:
    _agrees(vectorised.dates, values.date, cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CELLS, st.integers(-10**20, 10**20).map(str)), min_size=1, max_size=40))
def test_integers_in_bulk_are_values_integer(cells: list[str]) -> None:
    _agrees(vectorised.integers, values.integer, cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CELLS, st.decimals(0, 10**16, places=8, allow_nan=False).map(str),
                          st.integers(0, 10**15).map(lambda n: f"{n:,}")), min_size=1, max_size=40),
       st.sampled_from(["元", "万元"]))
def test_money_in_bulk_is_values_money(cells: list[str], unit: str) -> None:
    _agrees(vectorised.money(unit), values.money(unit), cells)


def test_the_usual_shapes_are_taken_in_bulk() -> None:
    dates = ["2025-01-15", "2025/1/15", "2025年1月15日", "2025.1.15", "20250115", "45672", " 2025-01-15 00:00:00"]
    assert _agrees(vectorised.dates, values.date, dates) == len(dates)
    assert _agrees(vectorised.integers, values.integer, ["12", "0", " 7 ", "-3"]) == 4
    assert _agrees(vectorised.money("万元"), values.money("万元"), ["1,200.5", "0.000001", "3", "007.10"]) == 4
    # what is left to values one by one: impossible dates, below a fen, full-width digits, units written in
    assert _agrees(vectorised.dates, values.date, ["2025-02-30", "２０２５-01-15", "2025-01/15"]) == 0
    assert _agrees(vectorised.money("元"), values.money("元"), ["12.345", "１２", "12元"]) == 0
