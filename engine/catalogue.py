"""The policy catalogue: measures by chapter and section, and each rule in plain Chinese.

One function set serves the CLI (``huiqi rules list/show``) and the web pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.loader import RuleBook, default_rules
from engine.rule_models import Amount, FieldRef, Measure, Test

KIND_LABELS = {
    "subsidy": "补贴", "award": "奖励", "interest_subsidy": "贴息", "fee_subsidy": "费用补贴",
    "prepayment": "预付款", "procurement_reservation": "政府采购预留份额", "loan_facility": "信贷便利",
    "service": "服务", "leniency": "包容审慎执法", "regulatory_facility": "办事便利", "talent": "人才政策",
    "land": "用地用海", "informational": "政策信息",
}
OP_WORDS = {"eq": "为", "ne": "不为", "ge": "不少于", "gt": "多于", "le": "不多于", "lt": "少于"}
FIELD_LABELS = {
    "entity_type": "主体类型", "employees": "从业人员", "revenue_yuan": "营业收入（元）",
    "total_assets_yuan": "资产总额（元）", "founded_on": "成立日期", "as_of": "评估日",
    "district": "所在区", "zone": "所在功能区", "industry_code": "行业代码",
    "birth_date": "出生日期", "hired_on": "招用日期", "registered_unemployed": "登记失业人员",
    "contract_months": "劳动合同期限（月）", "social_insurance_months": "社会保险缴费月数",
    "insurance_months.unemployment": "失业保险缴费月数", "insurance_months.work_injury": "工伤保险缴费月数",
    "insurance_months.pension": "职工养老保险缴费月数", "kind": "类型", "recognized_on": "认定日期",
    "prepayment_arranged": "有预付安排", "amount_yuan": "合同金额（元）", "principal_yuan": "贷款本金（元）",
    "term_months": "贷款期限（月）", "fees_yuan": "费用（元）", "program": "活动名称",
    # --- labels for M1–M25 (issue 3, part A) ---
    "foreign_trade": "外贸企业", "converted_from_individual_business": "由个体工商户转型（个转企）",
    "above_designated_size": "已纳入规模以上企业统计", "dishonesty_record": "有需信用修复的失信记录",
    "selected": "已入选", "organizer": "本企业为活动举办单位", "held_on": "活动举办日期",
    # --- end of M1–M25 labels ---

    # (spacer)

    # --- labels for M26–M50 (issue 3, part B) ---
    "recruitment_consortium_member": "参加招聘用工联合体", "group_recruitment_outside": "组团出市或出省招工",
    "uses_existing_land": "按规定利用存量土地", "existing_land_since": "开始利用存量土地的日期",
    "in_filed_reclaimed_sea": "项目入驻未批已备案围填海域",
    "debts_settled": "债权债务及工资、社保、税款等已结清",
    "simple_deregistration_barred": "存在不适用简易注销的情形",
    "category": "采购类别", "budget_yuan": "项目预算（元）", "above_procurement_threshold": "达到采购限额标准以上",
    "suitable_for_sme": "适宜由中小微企业提供", "debtor_kind": "欠款方类型", "overdue": "已到期未支付",
    "first_violation": "初次违法", "minor": "违法行为轻微", "harm": "危害后果", "corrected_in_time": "及时改正",
    # --- end of M26–M50 labels ---
}
DERIVED_LABELS = {"size_class": "企业规模", "industry_group": "行业组别"}
VALUE_LABELS = {
    "medium": "中型", "small": "小型", "micro": "微型", "large": "大型", True: "是", False: "否",
    "enterprise": "企业", "individual_business": "个体工商户", "little_giant": "专精特新“小巨人”",
    # values for M1–M25 (issue 3, part A)
    "specialized_sme": "省级专精特新中小企业", "key_tech_upgrade": "省重点技改项目固定资产贷款",
    "equipment_renewal": "设备更新贷款", "province_tech_innovation": "省技术创新重点攻关及产业化项目",
    "supply_demand_matchmaking": "“手拉手”供需对接活动",
}
# --- value labels for M26–M50 (issue 3, part B) ---
VALUE_LABELS.update({
    "working_capital": "流动资金贷款", "works": "工程", "goods": "货物", "services": "服务",
    "government_agency": "机关", "public_institution": "事业单位", "large_enterprise": "大型企业",
    "none": "没有危害后果", "minor": "危害后果轻微", "more": "危害后果较重",
})
# --- end of M26–M50 value labels ---


@dataclass(frozen=True)
class Section:
    chapter: str
    section: str | None
    measures: list[Measure]


def sections(book: RuleBook | None = None) -> list[Section]:
    """Measures grouped by chapter and section, in the seed's order."""
    book = book or default_rules()
    grouped: list[Section] = []
    for measure in book.measures:
        if grouped and (grouped[-1].chapter, grouped[-1].section) == (measure.chapter, measure.section):
            grouped[-1].measures.append(measure)
        else:
            grouped.append(Section(measure.chapter, measure.section, [measure]))
    return grouped


def _label(value: object) -> str:
    if isinstance(value, FieldRef):
        return FIELD_LABELS.get(value.field, value.field)
    if isinstance(value, bool | str):
        return str(VALUE_LABELS.get(value, value))
    return str(value)


def describe_test(test: Test) -> str:
    """A test in plain Chinese, e.g. '招用日期时的周岁 在 16 至 24 之间（含）'."""
    if test.all is not None:
        return "且".join(f"（{describe_test(t)}）" if t.all or t.any else describe_test(t) for t in test.all)
    if test.any is not None:
        return "或".join(f"（{describe_test(t)}）" if t.all or t.any else describe_test(t) for t in test.any)
    if test.derived is not None:
        subject = DERIVED_LABELS.get(test.derived, test.derived)
    elif test.age is not None:
        subject = f"{FIELD_LABELS.get(test.age[1], test.age[1])}时的周岁"
    elif test.elapsed_years is not None:
        start, end = (FIELD_LABELS.get(f, f) for f in test.elapsed_years)
        subject = f"从{start}到{end}的年数"
    else:
        subject = FIELD_LABELS.get(test.field or "", test.field or "")
    if test.in_ is not None:
        return f"{subject} 为 {'、'.join(_label(v) for v in test.in_)} 之一"
    if test.between is not None:
        return f"{subject} 在 {test.between[0]} 至 {test.between[1]} 之间（含两端）"
    for op, word in OP_WORDS.items():
        value = getattr(test, op)
        if value is not None:
            return f"{subject} {word} {_label(value)}"
    return subject


def describe_amount(amount: Amount, measure: Measure | None = None) -> str:
    """The amount rule in plain Chinese; with ``measure``, a tier names its condition's phrase."""
    if amount.kind == "none":
        return "无直接金额"
    if amount.kind == "share":
        conditions = [*measure.conditions, *(measure.items.conditions if measure.items else [])] if measure else []
        phrases = {c.id: c.phrase for c in conditions}
        tiers = "；".join(
            f"{t.percent:g}%（{phrases.get(t.when, t.when) if t.when else '其他'}）" for t in amount.tiers
        )
        base = FIELD_LABELS.get(amount.item_field or "", amount.item_field)
        return f"按{base}的比例：{tiers or f'{amount.percent:g}%'}"
    if amount.annual_rate_percent is not None:
        return f"本金 × 年化 {amount.annual_rate_percent:g}% × 期限（最长 {amount.max_months} 个月）"
    bound = "最高 " if amount.kind == "up_to" else ""
    if amount.item_field is not None:
        text = f"按实际{FIELD_LABELS.get(amount.item_field, amount.item_field)}全额计"
    else:
        text = f"{'每项 ' if amount.per_item else ''}{bound}{amount.yuan:,} 元"
    if amount.cap_yuan is not None:
        text += f"，总额不超过 {amount.cap_yuan:,} 元"
    if amount.once:
        text += "（一次性）"
    return text


def release_label(name: str | None, date: dt.date | str | None, version: str) -> str:
    """A release as every face shows it: '2026年第1版（2026-11-29 发布，内容版本 2e4faaaea014）'."""
    if not name:
        return f"内容版本 {version}"
    shown = date.isoformat() if isinstance(date, dt.date) else date
    return f"{name}（{shown + ' 发布，' if shown else ''}内容版本 {version}）"


def find(measure_id: str, book: RuleBook | None = None) -> Measure | None:
    book = book or default_rules()
    return book.by_id.get(measure_id.upper())
