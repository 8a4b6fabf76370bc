"""Cells as departments write them: money in 元/万元 exactly, four date forms, 是/否, full-width digits."""

from __future__ import annotations

import datetime as dt

import pytest

from sources import values
from sources.values import CellError


@pytest.mark.parametrize(("raw", "unit", "yuan"), [
    ("1,200.5", "万元", "12005000"), (1200.5, "万元", "12005000"), ("１２００", "万元", "12000000"),
    (1234.5678, "万元", "12345678"), ("0.000001", "万元", "0.01"), ("12,000", "元", "12000"),
    ("12000.50元", "元", "12000.5"), ("￥99.99", "元", "99.99"), (3, "万元", "30000"),
    ("1,200.5万元", "万元", "12005000"),
])
def test_money_is_exact_in_either_unit(raw: object, unit: str, yuan: str) -> None:
    assert values.money(unit)(raw) == yuan


@pytest.mark.parametrize(("raw", "unit"), [("0.0000001", "万元"), ("12.345", "元"), ("约100", "元"), (True, "元")])
def test_money_below_a_fen_or_not_a_number_is_rejected(raw: object, unit: str) -> None:
    with pytest.raises(CellError):
        values.money(unit)(raw)


@pytest.mark.parametrize("raw", ["2025-01-15", "2025/1/15", "2025年1月15日", "2025.1.15", "20250115", 45672,
                                 45672.0, "45672", dt.date(2025, 1, 15), dt.datetime(2025, 1, 15, 0, 0),
                                 "2025-01-15 00:00:00", "２０２５年１月１５日"])
def test_the_usual_date_forms_and_excel_serials(raw: object) -> None:
    assert values.date(raw) == "2025-01-15"  # Excel serial 45672 is 2025-01-15 (1900 date system)


@pytest.mark.parametrize("raw", ["2025-02-30", "15/01/2025", "明年", 45672.5, 123])
def test_impossible_or_unknown_dates_are_rejected(raw: object) -> None:
    with pytest.raises(CellError):
        values.date(raw)


def test_integers_flags_and_codes() -> None:
    assert values.integer("３５人") == 35 and values.integer(35.0) == 35 and values.integer("1,200") == 1200
    with pytest.raises(CellError, match="整数"):
        values.integer("3.5")
    assert values.boolean("是") is True and values.boolean("否") is False and values.boolean("Y") is True
    with pytest.raises(CellError, match="是/否"):
        values.boolean("也许")
    assert values.code(" ９１３５０２００ma2y0dq93c ") == "91350200MA2Y0DQ93C"
    assert values.is_blank("  -  ") and values.is_blank("") and not values.is_blank("0")
