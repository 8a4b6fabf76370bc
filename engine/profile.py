"""The enterprise profile: the one model every channel fills (contract.md, "Profile").

An absent field means "unknown"; an empty list means "known: none". Money is
``Decimal`` in yuan with at most two decimals, never float. Every per-person,
per-loan, per-contract... fact is a list item, because policies count per item.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    field_validator,
)
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from engine import credit_code
from engine.limits import MAX_ITEMS_PER_LIST


def _not_true_or_false(value: Any) -> Any:
    # JSON true/false is no count and no sum: pydantic alone would read `employees: true` as 1 employee
    if value is True or value is False:  # bool has no subclasses: isinstance(value, bool), without a lookup
        raise ValueError("应为数字，不能是 是/否（true/false） / must be a number, not true or false")
    return value


MONEY_TEXT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")  # ASCII digits only: \d also takes other scripts


def _money(value: Any) -> Any:
    """An amount as ``Decimal``, from a number or from plain digits as text (as the schema says: not
    "1e3", " 5", "+5" or "NaN"); a float as its shortest spelling, so 0.1 is 0.1 and 0.105 has 3 decimals."""
    value = _not_true_or_false(value)
    if isinstance(value, str):
        if not MONEY_TEXT.fullmatch(value):
            raise ValueError("金额应为不小于 0、最多两位小数的数字 / "
                             "must be a non-negative amount with at most 2 decimals")
        return Decimal(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    raise ValueError("应为数字 / must be a number")


def _money_at_once(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """The usual amounts, plain digits as text (the batch) or a whole number in range, straight to
    ``Decimal``: they pass every check below (not negative, at most 15 whole digits and 2 decimals), whose
    cost was most of a batch's money validation (issue 14). Anything else goes through them as before."""
    if type(value) is str:
        if (value.isdigit() and value.isascii() and len(value) <= 15) or MONEY_TEXT.fullmatch(value):
            return Decimal(value)  # whole yuan, the usual case, told without the pattern
    elif type(value) is int and 0 <= value < 10**15:
        return Decimal(value)
    return handler(value)


NotBool = BeforeValidator(_not_true_or_false)
# Constraints come before the validator, so the JSON schema states them as minimum / maximum.
Months = Annotated[int, Field(ge=0, le=1200), NotBool]
Headcount = Annotated[int, Field(ge=0, le=10_000_000), NotBool]
# What the API accepts, said in JSON Schema: a number with at most 2 decimals, or the same as text.
MONEY_SCHEMA = {"anyOf": [
    {"type": "number", "minimum": 0, "exclusiveMaximum": 10**15, "multipleOf": 0.01},
    {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,2})?$"},
], "description": "元，不小于 0，最多两位小数（数字或同样写法的文字）"}
Money = Annotated[Decimal, Field(ge=0, max_digits=17, decimal_places=2), BeforeValidator(_money),
                  WrapValidator(_money_at_once), WithJsonSchema(MONEY_SCHEMA, mode="validation")]
District = Literal["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]
Zone = Literal["自贸区", "火炬高新区"]
SizeClass = Literal["large", "medium", "small", "micro"]


def _credit_code(value: str) -> str:
    if credit_code.ENABLED and credit_code.canonical(value):
        return value  # what uscc.validate returns for it (engine.credit_code)
    try:
        return uscc.validate(value)
    except InvalidChecksum as exc:
        raise ValueError("统一社会信用代码校验位不正确 / check character is wrong") from exc
    except StdnumError as exc:
        raise ValueError("统一社会信用代码应为18位且格式正确 / must be a valid 18-character code") from exc


CreditCode = Annotated[str, AfterValidator(_credit_code)]


def _listed(description: str) -> Any:
    """A list field: absent = unknown, [] = known none, at most MAX_ITEMS_PER_LIST items (engine.limits)."""
    return Field(None, max_length=MAX_ITEMS_PER_LIST, description=description)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InsuranceMonths(Model):
    """Months of contributions paid for this person, per insurance."""

    unemployment: Months | None = Field(None, description="失业保险缴费月数")
    work_injury: Months | None = Field(None, description="工伤保险缴费月数")
    pension: Months | None = Field(None, description="职工养老保险缴费月数")


class Hire(Model):
    birth_date: dt.date | None = Field(None, description="出生日期")
    hired_on: dt.date | None = Field(None, description="招用（入职）日期")
    registered_unemployed: bool | None = Field(None, description="招用时是否为登记失业人员")
    contract_months: Months | None = Field(None, description="劳动合同期限（月）")
    insurance_months: InsuranceMonths | None = Field(None, description="分险种缴费月数")
    social_insurance_months: Months | None = Field(None, description="为该员工缴纳社会保险的月数")

    @field_validator("hired_on")
    @classmethod
    def _hired_after_birth(cls, hired_on: dt.date | None, info: ValidationInfo) -> dt.date | None:
        birth = info.data.get("birth_date")
        if birth and hired_on and hired_on <= birth:
            raise ValueError("招用日期必须晚于出生日期 / hired_on must be after birth_date")
        return hired_on


LoanKind = Literal[
    "key_tech_upgrade",  # 省重点技改项目固定资产贷款
    "equipment_renewal",  # 设备更新贷款
    "working_capital",  # 流动资金贷款
    "other",
]


class Loan(Model):
    kind: LoanKind | None = Field(None, description="贷款类型")
    principal_yuan: Money | None = Field(None, description="贷款本金（元）")
    term_months: Months | None = Field(None, description="贷款期限（月）")


class ProcurementContract(Model):
    amount_yuan: Money | None = Field(None, description="政府采购合同金额（元）")
    prepayment_arranged: bool | None = Field(None, description="合同是否有预付安排")


class Exhibition(Model):
    program: str | None = Field(None, max_length=100, description="活动名称，如 闽货华夏行")
    fees_yuan: Money | None = Field(None, description="参展参会费用（元）")


DesignationKind = Literal[
    "little_giant",  # 专精特新“小巨人”企业（国家级）
    "specialized_sme",  # 省级专精特新中小企业
    "innovative_sme",  # 创新型中小企业
]


ProjectProgram = Literal[
    "province_tech_innovation",  # 省技术创新重点攻关及产业化项目（M5）
    "other",
]


class Project(Model):
    """One project of the enterprise, e.g. an application to a provincial programme."""

    program: ProjectProgram | None = Field(
        None, description="项目类别：province_tech_innovation 省技术创新重点攻关及产业化项目"
    )
    selected: bool | None = Field(None, description="是否已入选（列入省级项目名单）")


EventKind = Literal[
    "supply_demand_matchmaking",  # “手拉手”供需对接活动（M14）
    "other",
]


class Event(Model):
    """One event (matchmaking, fair, ...) the enterprise organised or attended."""

    kind: EventKind | None = Field(None, description="活动类型：supply_demand_matchmaking “手拉手”供需对接活动")
    organizer: bool | None = Field(None, description="本企业是否为活动举办单位")
    held_on: dt.date | None = Field(None, description="活动举办日期")


class Designation(Model):
    kind: DesignationKind | None = Field(None, description="认定类型")
    recognized_on: dt.date | None = Field(None, description="认定日期")


# --- item models for M26–M50 (issue 3, part B) ---
ProcurementCategory = Literal["works", "goods", "services"]


class ProcurementProject(Model):
    """A government procurement project the enterprise may bid for (M42)."""

    category: ProcurementCategory | None = Field(
        None, description="采购类别：works 工程 / goods 货物 / services 服务"
    )
    budget_yuan: Money | None = Field(None, description="采购项目预算金额（元）")
    above_procurement_threshold: bool | None = Field(
        None, description="是否达到政府采购限额标准以上（含本数）"
    )
    suitable_for_sme: bool | None = Field(None, description="采购人是否认定该项目适宜由中小微企业提供")


DebtorKind = Literal[
    "government_agency",  # 机关
    "public_institution",  # 事业单位
    "large_enterprise",  # 大型企业
    "other",  # 其他（中小微企业、个人等）
]


class Receivable(Model):
    """Money owed to the enterprise (M44: arrears of agencies, institutions and large enterprises)."""

    debtor_kind: DebtorKind | None = Field(None, description="欠款方类型：机关、事业单位、大型企业或其他")
    amount_yuan: Money | None = Field(None, description="欠款金额（元）")
    overdue: bool | None = Field(None, description="是否已到约定付款期限仍未支付（拒绝或延迟支付）")


Harm = Literal["none", "minor", "more"]  # 没有危害后果 / 危害后果轻微 / 危害后果较重


class Violation(Model):
    """One administrative violation found by an enforcement agency (M50)."""

    first_violation: bool | None = Field(None, description="是否初次违法")
    minor: bool | None = Field(None, description="违法行为是否轻微")
    harm: Harm | None = Field(None, description="危害后果：none 没有 / minor 轻微 / more 较重")
    corrected_in_time: bool | None = Field(None, description="是否及时改正")
# --- end of item models for M26–M50 ---


class Profile(Model):
    """An enterprise as far as it is known. Every field is optional."""

    credit_code: CreditCode | None = Field(None, description="统一社会信用代码（18位）")
    name: str | None = Field(None, max_length=200, description="名称")
    entity_type: Literal["enterprise", "individual_business"] | None = Field(
        None, description="enterprise 企业 / individual_business 个体工商户"
    )
    industry_code: str | None = Field(
        None, pattern=r"^[A-T]([0-9]{2}([0-9]{1,2})?)?$", description="GB/T 4754-2017 行业代码，如 C3911"
    )
    employees: Headcount | None = Field(None, description="从业人员（人）")
    revenue_yuan: Money | None = Field(None, description="营业收入（元，上年度）")
    total_assets_yuan: Money | None = Field(None, description="资产总额（元）")
    founded_on: dt.date | None = Field(None, description="成立日期")
    district: District | None = Field(None, description="所在区")
    zone: Zone | None = Field(None, description="所在功能区：自贸区 或 火炬高新区")
    declared_size_class: SizeClass | None = Field(
        None, description="申报的划型结果：仅当行业不适用《中小企业划型标准规定》（如金融业）时使用"
    )
    # --- enterprise facts for M1–M25 (issue 3, part A) ---
    foreign_trade: bool | None = Field(None, description="是否为外贸企业（有进出口经营业务）")
    converted_from_individual_business: bool | None = Field(
        None, description="是否由个体工商户转型（“个转企”）而来"
    )
    above_designated_size: bool | None = Field(
        None, description="是否已纳入规模以上企业统计（“规上企业”）"
    )
    dishonesty_record: bool | None = Field(
        None, description="是否有需信用修复的失信记录（如经营异常名录、严重违法失信名单、行政处罚公示）"
    )
    # --- end of M1–M25 facts ---

    # (spacer: keeps the two blocks apart for clean merges)

    # --- enterprise facts for M26–M50 (issue 3, part B) ---
    recruitment_consortium_member: bool | None = Field(
        None, description="M29：是否参加龙头企业牵头、上下游中小微企业协同组建的招聘用工联合体"
    )
    group_recruitment_outside: bool | None = Field(
        None, description="M29：是否随联合体组团出市或出省招工"
    )
    uses_existing_land: bool | None = Field(
        None, description="M35：是否按照规定利用存量土地（如存量厂房、闲置用地）"
    )
    existing_land_since: dt.date | None = Field(
        None, description="M35：开始按规定利用存量土地的日期（5年过渡期自此起算）"
    )
    in_filed_reclaimed_sea: bool | None = Field(
        None, description="M36：项目是否入驻未批已备案围填海域"
    )
    debts_settled: bool | None = Field(
        None,
        description="M39：未发生债权债务或已清偿完结，且未发生或已结清清偿费用、职工工资、社会保险费用、"
        "法定补偿金、应缴纳税款（滞纳金、罚款）",
    )
    simple_deregistration_barred: bool | None = Field(
        None,
        description="M39：是否存在《市场主体登记管理条例》第三十三条第二款所列不适用简易注销的情形"
        "（如列入经营异常名录或严重违法失信名单、股权被冻结或出质、动产抵押、对外投资、被强制清算等）",
    )
    # --- end of M26–M50 facts ---

    hires: list[Hire] | None = _listed("新招用人员，每人一项")
    loans: list[Loan] | None = _listed("贷款，每笔一项")
    procurement_contracts: list[ProcurementContract] | None = _listed("政府采购合同，每份一项")
    exhibitions: list[Exhibition] | None = _listed("参展参会，每次一项")
    designations: list[Designation] | None = _listed("已获认定，每项一条")
    projects: list[Project] | None = _listed("申报或入选的项目，每个项目一项")
    events: list[Event] | None = _listed("举办或参加的活动，每场一项")
    # --- lists for M26–M50 (issue 3, part B) ---
    procurement_projects: list[ProcurementProject] | None = _listed("拟参与的政府采购项目，每个一项")
    receivables: list[Receivable] | None = _listed("被拖欠的账款，每笔一项")
    violations: list[Violation] | None = _listed("被查处的违法行为，每起一项")
    # --- end of lists for M26–M50 ---
