"""SME size classes, every industry group, at every boundary of 工信部联企业〔2011〕300号.

Expected classes are read off the standard's table by hand (thresholds in 万元; "X以下"
in this standard is strictly below X, "X及以上" includes X). They do not come from
rules/derived/size_standard.yaml.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engine import evaluate, parse_profile

WAN = 10_000
AS_OF = dt.date(2026, 1, 15)


def classify(code: str, employees: int | None = None, revenue_wan: float | None = None,
             assets_wan: float | None = None, **extra: object) -> tuple[str | None, str | None]:
    data: dict[str, object] = {"industry_code": code, **extra}
    if employees is not None:
        data["employees"] = employees
    if revenue_wan is not None:
        data["revenue_yuan"] = str(round(revenue_wan * WAN, 2))
    if assets_wan is not None:
        data["total_assets_yuan"] = str(round(assets_wan * WAN, 2))
    derived = evaluate(parse_profile(data), AS_OF).derived
    return derived.industry_group, derived.size_class


CASES = [
    # 农、林、牧、渔业: 营业收入 Y; 中型 500≤Y<20000, 小型 50≤Y<500, 微型 Y<50
    ("A0111", None, 19999.99, None, "medium"), ("A0111", None, 20000, None, "large"),
    ("A01", None, 500, None, "medium"), ("A01", None, 499.99, None, "small"),
    ("A05", None, 50, None, "small"), ("A", None, 49.99, None, "micro"),
    # 工业: 从业人员 X、营业收入 Y; SME if X<1000 or Y<40000
    ("C3911", 19, 300, None, "micro"), ("C3911", 20, 300, None, "small"), ("C3911", 20, 299.99, None, "micro"),
    ("C", 299, 2000, None, "small"), ("C", 300, 2000, None, "medium"), ("C", 300, 1999.99, None, "small"),
    ("B06", 999, 40000, None, "medium"), ("D44", 1000, 39999.99, None, "medium"),
    ("C13", 1000, 40000, None, "large"), ("C13", 1200, 30000, None, "medium"),
    ("C13", 1200, 100, None, "micro"),
    # 建筑业: 营业收入 Y、资产总额 Z; SME if Y<80000 or Z<80000; 中型 Y≥6000,Z≥5000; 小型 Y≥300,Z≥300
    ("E47", None, 300, 300, "small"), ("E47", None, 299.99, 300, "micro"), ("E47", None, 300, 299.99, "micro"),
    ("E", None, 6000, 5000, "medium"), ("E", None, 6000, 4999.99, "small"),
    ("E", None, 80000, 80000, "large"), ("E", None, 80000, 79999.99, "medium"),
    # 批发业: X、Y; SME if X<200 or Y<40000; 中型 X≥20,Y≥5000; 小型 X≥5,Y≥1000
    ("F51", 5, 1000, None, "small"), ("F51", 4, 1000, None, "micro"), ("F5111", 5, 999.99, None, "micro"),
    ("F51", 20, 5000, None, "medium"), ("F51", 19, 5000, None, "small"),
    ("F51", 200, 40000, None, "large"), ("F51", 199, 40000, None, "medium"),
    # 零售业: SME if X<300 or Y<20000; 中型 X≥50,Y≥500; 小型 X≥10,Y≥100
    ("F52", 10, 100, None, "small"), ("F52", 9, 100, None, "micro"), ("F52", 10, 99.99, None, "micro"),
    ("F52", 50, 500, None, "medium"), ("F52", 49, 500, None, "small"),
    ("F52", 300, 20000, None, "large"), ("F52", 300, 19999.99, None, "medium"),
    # 交通运输业: SME if X<1000 or Y<30000; 中型 X≥300,Y≥3000; 小型 X≥20,Y≥200
    ("G54", 20, 200, None, "small"), ("G54", 19, 200, None, "micro"), ("G58", 300, 3000, None, "medium"),
    ("G591", 300, 2999.99, None, "small"), ("G56", 1000, 30000, None, "large"),
    # 仓储业: SME if X<200 or Y<30000; 中型 X≥100,Y≥1000; 小型 X≥20,Y≥100
    ("G592", 20, 100, None, "small"), ("G592", 20, 99.99, None, "micro"), ("G5920", 100, 1000, None, "medium"),
    ("G599", 200, 30000, None, "large"), ("G599", 199, 30000, None, "medium"),
    # 邮政业: SME if X<1000 or Y<30000; 中型 X≥300,Y≥2000; 小型 X≥20,Y≥100
    ("G60", 20, 100, None, "small"), ("G60", 19, 100, None, "micro"), ("G60", 300, 2000, None, "medium"),
    ("G60", 1000, 30000, None, "large"),
    # 住宿业: SME if X<300 or Y<10000; 中型 X≥100,Y≥2000; 小型 X≥10,Y≥100
    ("H61", 10, 100, None, "small"), ("H61", 9, 100, None, "micro"), ("H61", 100, 2000, None, "medium"),
    ("H61", 300, 10000, None, "large"),
    # 餐饮业: same thresholds as 住宿业
    ("H62", 10, 100, None, "small"), ("H62", 10, 99.99, None, "micro"), ("H62", 100, 1999.99, None, "small"),
    ("H62", 300, 9999.99, None, "medium"),
    # 信息传输业: SME if X<2000 or Y<100000; 中型 X≥100,Y≥1000; 小型 X≥10,Y≥100
    ("I63", 10, 100, None, "small"), ("I64", 9, 100, None, "micro"), ("I64", 100, 1000, None, "medium"),
    ("I63", 2000, 100000, None, "large"), ("I63", 1999, 100000, None, "medium"),
    # 软件和信息技术服务业: SME if X<300 or Y<10000; 中型 X≥100,Y≥1000; 小型 X≥10,Y≥50
    ("I65", 10, 50, None, "small"), ("I65", 10, 49.99, None, "micro"), ("I6510", 100, 1000, None, "medium"),
    ("I65", 300, 10000, None, "large"),
    # 房地产开发经营: 营业收入 Y、资产总额 Z; SME if Y<200000 or Z<10000; 中型 Y≥1000,Z≥5000; 小型 Y≥100,Z≥2000
    ("K7010", None, 100, 2000, "small"), ("K7010", None, 99.99, 2000, "micro"),
    ("K7010", None, 100, 1999.99, "micro"), ("K7010", None, 1000, 5000, "medium"),
    ("K7010", None, 200000, 10000, "large"), ("K7010", None, 200000, 9999.99, "medium"),
    # 物业管理: SME if X<1000 or Y<5000; 中型 X≥300,Y≥1000; 小型 X≥100,Y≥500
    ("K7020", 100, 500, None, "small"), ("K7020", 99, 500, None, "micro"), ("K7020", 100, 499.99, None, "micro"),
    ("K7020", 300, 1000, None, "medium"), ("K7020", 1000, 5000, None, "large"),
    # 租赁和商务服务业: 从业人员 X、资产总额 Z; SME if X<300 or Z<120000; 中型 X≥100,Z≥8000; 小型 X≥10,Z≥100
    ("L72", 10, None, 100, "small"), ("L72", 9, None, 100, "micro"), ("L7211", 10, None, 99.99, "micro"),
    ("L", 100, None, 8000, "medium"), ("L", 300, None, 120000, "large"), ("L", 300, None, 119999.99, "medium"),
    # 其他未列明行业: 从业人员 X; SME if X<300; 中型 X≥100; 小型 X≥10
    ("M73", 10, None, None, "small"), ("M73", 9, None, None, "micro"), ("R86", 100, None, None, "medium"),
    ("Q", 99, None, None, "small"), ("N77", 300, None, None, "large"), ("K7030", 299, None, None, "medium"),
    ("G53", 5, None, None, "micro"), ("P83", 0, None, None, "micro"),
]


@pytest.mark.parametrize(("code", "employees", "revenue_wan", "assets_wan", "expected"), CASES)
def test_every_group_and_boundary(code: str, employees: int | None, revenue_wan: float | None,
                                  assets_wan: float | None, expected: str) -> None:
    assert classify(code, employees, revenue_wan, assets_wan)[1] == expected


@pytest.mark.parametrize(("code", "group"), [
    ("A", "农、林、牧、渔业"), ("B", "工业"), ("C3911", "工业"), ("D", "工业"), ("E", "建筑业"),
    ("F51", "批发业"), ("F52", "零售业"), ("G54", "交通运输业"), ("G591", "交通运输业"), ("G592", "仓储业"),
    ("G60", "邮政业"), ("H61", "住宿业"), ("H62", "餐饮业"), ("I63", "信息传输业"), ("I64", "信息传输业"),
    ("I65", "软件和信息技术服务业"), ("K7010", "房地产开发经营"), ("K7020", "物业管理"),
    ("K7030", "其他未列明行业"), ("L", "租赁和商务服务业"), ("M", "其他未列明行业"), ("G53", "其他未列明行业"),
    ("J66", "不适用本标准"), ("K7040", "不适用本标准"), ("S", "不适用本标准"),
    ("G", None), ("F", None), ("H", None), ("I", None), ("K70", None), ("G59", None),
])
def test_industry_group_from_gbt4754(code: str, group: str | None) -> None:
    assert classify(code)[0] == group


def test_known_figures_decide_when_enough() -> None:
    # retail with 5 employees is micro whatever its revenue; industry with revenue 100万 is micro
    assert classify("F52", employees=5)[1] == "micro"
    assert classify("C", revenue_wan=100)[1] == "micro"
    # but 35 industrial employees alone cannot tell small from micro (revenue could be < 300万)
    assert classify("C", employees=35)[1] is None


def test_missing_figures_are_named() -> None:
    result = evaluate(parse_profile({"industry_code": "C3911", "employees": 35, "hires": []}), AS_OF)
    m30 = result.by_measure("M30")
    assert m30.status == "ineligible"  # no hires at all: known false, size irrelevant
    result = evaluate(parse_profile({"industry_code": "C3911", "employees": 35}), AS_OF)
    assert "revenue_yuan" in result.by_measure("M30").missing


def test_unclassifiable_industry_uses_declared_class() -> None:
    assert classify("J66", employees=10)[1] is None
    assert classify("J66", employees=10, declared_size_class="small")[1] == "small"
    result = evaluate(parse_profile({"industry_code": "J66"}), AS_OF)
    assert result.by_measure("M30").missing[:1] == ["declared_size_class"] or \
        "declared_size_class" in result.by_measure("M30").missing


def test_individual_business_classified_by_reference() -> None:
    # art. 6: 个体工商户参照本规定进行划型
    assert classify("F52", 3, 50, entity_type="individual_business")[1] == "micro"
