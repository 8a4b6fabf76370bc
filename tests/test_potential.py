""""What is possible" (potential_yuan, totals 可能涉及) never counts an item known to fail.

Expected values by hand from the text: M30 pays 1,500 元 per qualifying hire (16–24 岁, …); a hire
aged 35 at hiring is known to fail, so with two such hires and one open hire at most one hire,
1,500 元, is possible (it read 4,500 元: every listed hire was counted). M16 refunds the fees of
“闽货华夏行” events in full; fees of other events are no part of what is possible.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from engine import evaluate, parse_profile
from engine.columnar import evaluate_columns

AS_OF = dt.date(2026, 1, 15)
AGED_35 = {"birth_date": "1990-01-01", "hired_on": "2025-09-01", "registered_unemployed": True,
           "contract_months": 12, "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
SMALL_MAKER = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35, "revenue_yuan": 12_000_000,
               "district": "湖里区"}


def both_engines(data: dict[str, Any], measure: str) -> list[Any]:
    profile = parse_profile(data)
    rete = evaluate(profile, AS_OF).by_measure(measure)
    columnar = evaluate_columns([profile], AS_OF).results()[0].by_measure(measure)
    assert rete == columnar
    return [rete.status, rete.potential_yuan]


@pytest.mark.parametrize(("hires", "expected"), [
    ([AGED_35, AGED_35, {"birth_date": "2003-01-01"}], Decimal(1500)),  # one open hire
    ([AGED_35, {}, {"birth_date": "2003-01-01"}], Decimal(3000)),  # two open hires
    ([{}, {}, {}], Decimal(4500)),  # nothing known of any: all three may qualify
])
def test_m30_counts_only_hires_that_may_still_qualify(hires: list[dict[str, Any]], expected: Decimal) -> None:
    assert both_engines({**SMALL_MAKER, "hires": hires}, "M30") == ["undetermined", expected]


def test_m16_counts_only_fees_of_events_that_may_be_min_huo_hua_xia_xing() -> None:
    exhibitions = [{"program": "福品销全球", "fees_yuan": "20000"}, {"fees_yuan": "3000"}]
    assert both_engines({**SMALL_MAKER, "exhibitions": exhibitions}, "M16") == ["undetermined", Decimal(3000)]
    unknown_fee = [{"program": "福品销全球", "fees_yuan": "20000"}, {"program": "闽货华夏行"}]
    assert both_engines({**SMALL_MAKER, "exhibitions": unknown_fee}, "M16")[1] is None  # nothing known to count


def test_the_totals_add_only_what_is_possible() -> None:
    result = evaluate(parse_profile({**SMALL_MAKER, "hires": [AGED_35, AGED_35, {"birth_date": "2003-01-01"}]}),
                      AS_OF)
    possible = sum((r.potential_yuan for r in result.results if r.status == "undetermined" and r.potential_yuan),
                   Decimal(0))
    assert result.totals.potential_yuan == possible and result.by_measure("M30").potential_yuan == Decimal(1500)
