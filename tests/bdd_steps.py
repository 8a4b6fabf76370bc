"""Generic Chinese Gherkin steps shared by every feature in features/.

Scenarios speak the domain: build a profile from tables, evaluate on a date, then
assert a measure's status, amount, missing facts or units. No step is specific to
one measure, so adding a measure adds a feature file and nothing here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from engine import Result, evaluate, parse_profile
from engine.result import AmountResult

STATUS = {"可享受": "eligible", "不适用": "ineligible", "待确定": "undetermined", "政策信息": "informational"}
SIZE = {"大型企业": "large", "中型企业": "medium", "小型企业": "small", "微型企业": "micro"}
# Chinese column names a service-center clerk would write -> contract field paths
FIELD_ALIASES = {
    "主体类型": "entity_type", "行业代码": "industry_code", "从业人员": "employees",
    "营业收入": "revenue_yuan", "资产总额": "total_assets_yuan", "成立日期": "founded_on",
    "所在区": "district", "功能区": "zone", "申报划型": "declared_size_class",
    "出生日期": "birth_date", "招用日期": "hired_on", "登记失业": "registered_unemployed",
    "合同月数": "contract_months", "社保月数": "social_insurance_months",
    "失业保险月数": "insurance_months.unemployment", "工伤保险月数": "insurance_months.work_injury",
    "养老保险月数": "insurance_months.pension", "认定类型": "kind", "认定日期": "recognized_on",
    "合同金额": "amount_yuan", "有预付安排": "prepayment_arranged",
    "贷款类型": "kind", "贷款本金": "principal_yuan", "贷款期限": "term_months",
    "活动名称": "program", "参展费用": "fees_yuan",
    # --- aliases for M1–M25 (issue 3, part A) ---
    "外贸企业": "foreign_trade", "个转企": "converted_from_individual_business",
    "规上企业": "above_designated_size", "失信记录": "dishonesty_record",
    "项目类别": "program", "已入选": "selected",
    "活动类型": "kind", "本企业举办": "organizer", "举办日期": "held_on",
    # --- end of M1–M25 aliases ---

    # (spacer)

    # --- aliases for M26–M50 (issue 3, part B) ---
    "参加招聘用工联合体": "recruitment_consortium_member", "组团出市出省招工": "group_recruitment_outside",
    "利用存量土地": "uses_existing_land", "存量土地起用日期": "existing_land_since",
    "入驻未批已备案围填海域": "in_filed_reclaimed_sea", "债务已结清": "debts_settled",
    "存在不适用简易注销情形": "simple_deregistration_barred",
    "采购类别": "category", "项目预算": "budget_yuan", "限额标准以上": "above_procurement_threshold",
    "适宜中小微企业": "suitable_for_sme", "欠款方": "debtor_kind", "欠款金额": "amount_yuan", "已逾期": "overdue",
    "初次违法": "first_violation", "违法行为轻微": "minor", "危害后果": "harm", "及时改正": "corrected_in_time",
    # --- end of M26–M50 aliases ---
}
LISTS = {
    "新招用人员": "hires", "招用人员": "hires", "贷款": "loans", "政府采购合同": "procurement_contracts",
    "参展": "exhibitions", "认定": "designations", "活动": "events", "项目": "projects",
}
VALUE_ALIASES = {
    "是": True, "否": False, "true": True, "false": False, "企业": "enterprise",
    "个体工商户": "individual_business", "小巨人": "little_giant", **SIZE,
    # values for M1–M25 (issue 3, part A)
    "省级专精特新": "specialized_sme", "设备更新": "equipment_renewal", "省重点技改": "key_tech_upgrade",
    "省技术创新重点攻关": "province_tech_innovation", "手拉手供需对接": "supply_demand_matchmaking",
    "创新型中小企业": "innovative_sme", "其他": "other",
}
# --- lists and values for M26–M50 (issue 3, part B) ---
LISTS.update({"政府采购项目": "procurement_projects", "被拖欠账款": "receivables", "违法行为": "violations"})
VALUE_ALIASES.update({
    "流动资金贷款": "working_capital", "其他贷款": "other", "工程": "works", "货物": "goods", "服务": "services",
    "机关": "government_agency", "事业单位": "public_institution", "大企业": "large_enterprise",
    "其他单位": "other", "无": "none", "轻微": "minor", "较重": "more",
})
# --- end of M26–M50 lists and values ---
UNKNOWN = {"", "未知", "不清楚"}


def typed(text: str) -> Any:
    text = text.strip()
    if text in VALUE_ALIASES:
        return VALUE_ALIASES[text]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return str(Decimal(text))
    return text


def put(target: dict[str, Any], path: str, text: str) -> None:
    """Set a (dotted) field from a table cell; '未知' makes it absent (unknown), even if the
    background had set it."""
    keys = FIELD_ALIASES.get(path.strip(), path.strip()).split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    if text.strip() in UNKNOWN:
        target.pop(keys[-1], None)
        return
    target[keys[-1]] = typed(text)


def rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    header, *body = datatable
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.fixture
def profile_data() -> dict[str, Any]:
    return {}


@given("一家企业：")
def enterprise(profile_data: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in datatable:
        put(profile_data, row[0], row[1])


@given(parsers.re(r"企业的(?P<field>\S+?)为 (?P<value>\S*)"))
def enterprise_field(profile_data: dict[str, Any], field: str, value: str) -> None:
    put(profile_data, field, value)


@given(parsers.re(r"有以下(?P<kind>\S+?)："))
def items(profile_data: dict[str, Any], kind: str, datatable: list[list[str]]) -> None:
    target = profile_data.setdefault(LISTS[kind], [])
    for row in rows(datatable):
        item: dict[str, Any] = {}
        for column, cell in row.items():
            put(item, column, cell)
        target.append(item)


@given(parsers.re(r"没有(?P<kind>\S+)"))
def no_items(profile_data: dict[str, Any], kind: str) -> None:
    profile_data[LISTS[kind]] = []


@when(parsers.re(r"在 (?P<day>\d{4}-\d{2}-\d{2}) 评估"), target_fixture="result")
def evaluate_on(profile_data: dict[str, Any], day: str) -> Result:
    return evaluate(parse_profile(profile_data), dt.date.fromisoformat(day))


@then(parsers.re(r"企业规模为(?P<label>\S+)"))
def size_is(result: Result, label: str) -> None:
    expected = SIZE.get(label.strip())
    assert result.derived.size_class == expected, result.derived


@then(parsers.re(r"(?P<measure>M\d+) 的结论为 (?P<status>可享受|不适用|待确定|政策信息)"))
def status_is(result: Result, measure: str, status: str) -> None:
    item = result.by_measure(measure.strip())
    assert item.status == STATUS[status.strip()], (item.status, item.reasons, item.missing)


def money(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def amount_of(result: Result, measure: str, kind: str, total: str | None = None) -> AmountResult:
    """The measure's amount, checked to be of ``kind`` (and to total ``total`` yuan when given)."""
    amount = result.by_measure(measure.strip()).amount
    assert amount.kind == kind, amount
    if total is not None:
        assert amount.yuan == money(total), amount
    return amount


@then(parsers.re(r"(?P<measure>M\d+) 的金额为 (?P<amount>[\d,.]+) 元"))
def exact_amount(result: Result, measure: str, amount: str) -> None:
    amount_of(result, measure, "exact", amount)


@then(parsers.re(r"(?P<measure>M\d+) 的最高金额为 (?P<amount>[\d,.]+) 元"))
def up_to_amount(result: Result, measure: str, amount: str) -> None:
    amount_of(result, measure, "up_to", amount)


@then(parsers.re(r"(?P<measure>M\d+) 的预付款比例为 (?P<percent>[\d.]+)%，金额 (?P<amount>[\d,.]+) 元"))
def share_amount(result: Result, measure: str, percent: str, amount: str) -> None:
    share = amount_of(result, measure, "share", amount)
    assert share.percent == Decimal(percent), share


@then(parsers.re(r"(?P<measure>M\d+) 不列金额"))
def no_amount(result: Result, measure: str) -> None:
    item = result.by_measure(measure.strip())
    assert item.amount.kind == "none" and item.amount.yuan is None, item.amount


@then(parsers.re(r"(?P<measure>M\d+) 缺少 (?P<path>\S+)"))
def missing(result: Result, measure: str, path: str) -> None:
    item = result.by_measure(measure.strip())
    assert path.strip() in item.missing, item.missing


@then(parsers.re(r"(?P<measure>M\d+) 的经办单位包括 (?P<unit>\S+)"))
def handled_by(result: Result, measure: str, unit: str) -> None:
    item = result.by_measure(measure.strip())
    assert unit.strip() in item.units.city + item.units.local, item.units


@then(parsers.re(r"(?P<measure>M\d+) 的份额合计为 (?P<amount>[\d,.]+) 元"))
def share_total(result: Result, measure: str, amount: str) -> None:
    amount_of(result, measure, "share", amount)


@then(parsers.re(r"(?P<measure>M\d+) 第 (?P<n>\d+) 项的比例为 (?P<percent>[\d.]+)%，金额 (?P<amount>[\d,.]+) 元"))
def share_part(result: Result, measure: str, n: str, percent: str, amount: str) -> None:
    """Per-item share: item n (counted from 1, as a clerk reads the table) of the measure's list."""
    parts = {part.item: part for part in amount_of(result, measure, "share").parts}
    part = parts.get(int(n) - 1)
    assert part is not None, (n, parts)
    assert part.percent == Decimal(percent), part
    assert part.yuan == money(amount), part


@then(parsers.re(r"(?P<measure>M\d+) 第 (?P<n>\d+) 项不计入份额"))
def share_part_absent(result: Result, measure: str, n: str) -> None:
    item = result.by_measure(measure.strip())
    assert all(part.item != int(n) - 1 for part in item.amount.parts), item.amount.parts


@then(parsers.re(r"(?P<measure>M\d+) 的理由包括 (?P<text>.+)"))
def reason_contains(result: Result, measure: str, text: str) -> None:
    item = result.by_measure(measure.strip())
    assert any(text.strip() in reason for reason in item.reasons), item.reasons


@then(parsers.re(r"(?P<measure>M\d+) 的比例说明为 (?P<text>.+)"))
def share_label_is(result: Result, measure: str, text: str) -> None:
    """What a share's percent means, in the text's words (e.g. "可提高至50%以上", not "不低于50%")."""
    assert amount_of(result, measure, "share").label == text.strip()
